"""Q&A search: solved questions and their accepted answers, full-text, labels enforced."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Invalid
from bot.services import qa
from bot.services.qa import AnswerRef, AskInput

pytestmark = pytest.mark.engines  # full-text SQL written per dialect

GUILD, OTHER_GUILD, ASKER, HELPER = 1, 2, 100, 200


async def _solved(
    db: Database,
    clock: FrozenClock,
    thread_id: int,
    question: str,
    answer: str,
    *,
    topic: str | None = None,
    label: str | None = None,
    guild_id: int = GUILD,
    solve: bool = True,
) -> None:
    clean = qa.validate(AskInput(question=question, topic=topic, label=label))
    async with db.transaction() as session:
        await qa.ask(
            session,
            guild_id,
            clean,
            author_id=ASKER,
            language="en",
            channel_id=5,
            thread_id=thread_id,
            starter_message_id=None,
            now=clock.now(),
        )
        if solve:
            await qa.solve(
                session,
                guild_id,
                thread_id,
                actor_id=ASKER,
                is_moderator=False,
                answer=AnswerRef(thread_id * 10, HELPER, answer),
                now=clock.now(),
            )


@pytest.fixture
async def library(db: Database, clock: FrozenClock) -> Database:
    await _solved(
        db,
        clock,
        1,
        "How do neighbouring agencies adjudicate an innocent alarm at a portal?",
        "Secondary inspection with a RIID; NORM such as potassium in fertiliser is the usual cause.",
        topic="border",
    )
    await _solved(
        db, clock, 2, "Which dosimeters do first responders carry?", "Electronic personal dosimeters."
    )
    await _solved(
        db,
        clock,
        3,
        "Détection des sources orphelines dans les ferrailles",
        "Portiques aux entrées des aciéries.",
    )
    await _solved(
        db, clock, 4, "Case review of a seized source", "Handled by the regulator.", label="TLP:AMBER"
    )
    await _solved(db, clock, 5, "Portal alarm still open question here", "", solve=False)
    await _solved(db, clock, 6, "Innocent alarm in another server", "Elsewhere.", guild_id=OTHER_GUILD)
    return db


async def _search(db: Database, text: str, *, verified: bool = False) -> list[int]:
    async with db.transaction() as session:
        return [hit.thread_id for hit in await qa.search(session, GUILD, text, verified=verified)]


async def test_search_finds_question_and_accepted_answer_words(library: Database) -> None:
    assert await _search(library, "innocent alarm") == [1]
    assert await _search(library, "fertiliser") == [1]  # only in the accepted answer
    assert await _search(library, "dosim") == [2]  # prefix of the last word


async def test_search_is_accent_and_case_insensitive(library: Database) -> None:
    assert await _search(library, "DETECTION orphelines") == [3]
    assert await _search(library, "acieries") == [3]


async def test_search_falls_back_to_any_word(library: Database) -> None:
    assert sorted(await _search(library, "portal dosimeters unicorn")) == [1, 2]


async def test_search_keeps_solved_questions_of_this_server_only(library: Database) -> None:
    assert 5 not in await _search(library, "portal alarm")
    assert 6 not in await _search(library, "innocent alarm")


async def test_amber_questions_only_for_verified_members(library: Database) -> None:
    assert 4 not in await _search(library, "seized source")
    assert await _search(library, "seized source", verified=True) == [4]
    assert await _search(library, "seized") == []


async def test_reopened_questions_leave_the_index(library: Database, clock: FrozenClock) -> None:
    async with library.transaction() as session:
        await qa.reopen(session, GUILD, 2, actor_id=ASKER, is_moderator=False, now=clock.now())
    assert await _search(library, "dosimeters") == []


async def test_empty_or_huge_queries_are_refused(library: Database) -> None:
    async with library.transaction() as session:
        with pytest.raises(Invalid):
            await qa.search(session, GUILD, "  ?! ", verified=False)
        with pytest.raises(Invalid):
            await qa.search(session, GUILD, "a" * 500, verified=False)


async def test_similar_questions_top_three(library: Database) -> None:
    async with library.transaction() as session:
        found = await qa.similar(
            session,
            GUILD,
            "What do you do after an innocent alarm at a radiation portal?",
            "border",
            verified=False,
        )
        nothing = await qa.similar(session, GUILD, "What is it about?", verified=False)
    assert found[0].thread_id == 1
    assert len(found) <= 3
    assert nothing == []


async def test_similar_sees_words_solved_after_an_earlier_check(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        assert (
            await qa.similar(session, GUILD, "Quixotic zymurgy question for the check", verified=False) == []
        )
    await _solved(db, clock, 7, "Quixotic zymurgy question asked once", "An answer.")
    async with db.transaction() as session:
        found = await qa.similar(session, GUILD, "Quixotic zymurgy question for the check", verified=False)
    assert [hit.thread_id for hit in found] == [7]


async def test_the_glossary_links_both_languages_in_search_and_similar(library: Database) -> None:
    """'sources orphelines' is a built-in term pair (orphan sources): an English question finds the
    French one, in search and in the similar-question check; an acronym finds its expansion."""
    assert 3 in await _search(library, "orphan source")
    assert 1 in await _search(library, "radionuclide identification device")
    async with library.transaction() as session:
        found = await qa.similar(session, GUILD, "Where do orphan sources turn up?", verified=False)
    assert [hit.thread_id for hit in found] == [3]
