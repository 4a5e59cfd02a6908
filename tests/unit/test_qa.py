"""Q&A service: asking, answers recorded from the thread, solve and reopen, lists, privacy hooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.qa import QuestionPost
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services import audit, guild_settings, qa
from bot.services.guild_settings import SetupChange
from bot.services.qa import AnswerRef, AskInput

GUILD, OTHER_GUILD = 1, 2
ASKER, HELPER, MODERATOR, STRANGER = 100, 200, 300, 400
QA_CHANNEL = 50


async def _setup(db: Database, guild_id: int = GUILD) -> None:
    async with db.transaction() as session:
        await guild_settings.update(session, guild_id, MODERATOR, SetupChange(qa_channel_id=QA_CHANNEL))


async def _ask(
    db: Database,
    clock: FrozenClock,
    text: str = "How do you adjudicate an innocent alarm at a radiation portal monitor?",
    *,
    thread_id: int = 1000,
    guild_id: int = GUILD,
    author_id: int = ASKER,
    topic: str | None = "border",
    label: str | None = None,
) -> qa.Asked:
    clean = qa.validate(AskInput(question=text, topic=topic, details="NORM cargo", label=label))
    async with db.transaction() as session:
        return await qa.ask(
            session,
            guild_id,
            clean,
            author_id=author_id,
            language="en",
            channel_id=QA_CHANNEL,
            thread_id=thread_id,
            starter_message_id=thread_id,
            now=clock.now(),
        )


async def _answer(
    db: Database, clock: FrozenClock, author: int, message_id: int, thread_id: int = 1000
) -> None:
    async with db.transaction() as session:
        await qa.record_activity(
            session, GUILD, thread_id, author_id=author, message_id=message_id, now=clock.now()
        )


async def _solve(
    db: Database, clock: FrozenClock, actor: int, *, moderator: bool = False, thread_id: int = 1000
):
    async with db.transaction() as session:
        return await qa.solve(
            session,
            GUILD,
            thread_id,
            actor_id=actor,
            is_moderator=moderator,
            answer=AnswerRef(5001, HELPER, "Check the spectrum with a RIID: NORM like potassium-40."),
            now=clock.now(),
        )


async def test_before_setup_ask_is_refused_with_the_setup_hint(db: Database) -> None:
    async with db.transaction() as session:
        with pytest.raises(NotFound) as refused:
            await qa.qa_channel(session, GUILD)
    assert refused.value.key == "qa.error.no_channel"
    await _setup(db)
    async with db.transaction() as session:
        assert await qa.qa_channel(session, GUILD) == QA_CHANNEL


@pytest.mark.parametrize(
    ("given", "key"),
    [
        (AskInput(question="   "), "error.required"),
        (AskInput(question="why?"), "qa.error.question_short"),
        (AskInput(question="x" * 301), "error.too_long"),
        (AskInput(question="A proper question here", details="d" * 1501), "error.too_long"),
        (AskInput(question="A proper question here", label="TLP:RED"), "label.red_refused"),
    ],
)
def test_bad_questions_are_refused(given: AskInput, key: str) -> None:
    with pytest.raises(Invalid) as refused:
        qa.validate(given)
    assert refused.value.key == key


def test_validation_cleans_agencies_and_labels() -> None:
    clean = qa.validate(
        AskInput(question="  How   do you   do it?  ", agencies="CBSA, ASN , cbsa,, ", label="amber")
    )
    assert clean.question == "How do you do it?"
    assert clean.agencies == "CBSA, ASN"
    assert clean.label == "TLP:AMBER"
    assert qa.validate(AskInput(question="How do you do it?")).label == "TLP:GREEN"


async def test_ask_stores_the_question(db: Database, clock: FrozenClock) -> None:
    asked = await _ask(db, clock)
    async with db.transaction() as session:
        question = await qa.for_thread(session, GUILD, 1000)
        assert await qa.thread_ids(session, GUILD) == {1000}
        assert await qa.thread_ids(session, OTHER_GUILD) == set()
    assert question.id == asked.question.id
    assert (question.author_id, question.topic, question.state, question.label) == (
        ASKER,
        "border",
        "open",
        "TLP:GREEN",
    )
    assert question.created_at == clock.now()


async def test_activity_counts_answers_not_the_askers_own_messages(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock)
    clock.advance(timedelta(minutes=5))
    await _answer(db, clock, ASKER, 2001)
    async with db.transaction() as session:
        question = await qa.for_thread(session, GUILD, 1000)
        assert question.reply_count == 0 and question.first_reply_at is None
        assert question.last_activity_at == clock.now()
    clock.advance(timedelta(minutes=5))
    await _answer(db, clock, HELPER, 2002)
    async with db.transaction() as session:
        question = await qa.for_thread(session, GUILD, 1000)
        assert (
            await qa.record_activity(session, GUILD, 9999, author_id=1, message_id=1, now=clock.now()) is None
        )
    assert (question.reply_count, question.first_reply_at, question.last_answer_message_id) == (
        1,
        clock.now(),
        2002,
    )


async def test_asker_solves_and_reopens(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock)
    solved = await _solve(db, clock, ASKER)
    assert (solved.state, solved.accepted_message_id, solved.accepted_author_id) == ("solved", 5001, HELPER)
    assert solved.solved_at == clock.now()
    with pytest.raises(Conflict):
        await _solve(db, clock, ASKER)
    async with db.transaction() as session:
        reopened = await qa.reopen(session, GUILD, 1000, actor_id=ASKER, is_moderator=False, now=clock.now())
        assert await audit.recent(session, GUILD) == []  # the asker's own choices are not audited
    assert (reopened.state, reopened.accepted_text, reopened.solved_at) == ("open", None, None)
    async with db.transaction() as session:
        with pytest.raises(Conflict):
            await qa.reopen(session, GUILD, 1000, actor_id=ASKER, is_moderator=False, now=clock.now())


async def test_only_the_asker_or_a_moderator_may_solve(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock)
    with pytest.raises(NotAllowed):
        await _solve(db, clock, STRANGER)
    solved = await _solve(db, clock, MODERATOR, moderator=True)
    assert solved.state == "solved"
    async with db.transaction() as session:
        actions = [(line.actor_id, line.action) for line in await audit.recent(session, GUILD)]
        with pytest.raises(NotAllowed):
            await qa.reopen(session, GUILD, 1000, actor_id=STRANGER, is_moderator=False, now=clock.now())
    assert actions == [(MODERATOR, "qa.solve")]


async def test_solve_outside_a_question_thread_is_refused(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock)
    with pytest.raises(NotFound) as refused:
        await _solve(db, clock, ASKER, thread_id=777)
    assert refused.value.key == "qa.error.not_a_question"
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await qa.for_thread(session, OTHER_GUILD, 1000)


async def test_unanswered_lists_open_questions_oldest_first(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock, "First question about portal alarms", thread_id=1)
    clock.advance(timedelta(hours=1))
    await _ask(db, clock, "Second question about dosimeters", thread_id=2)
    clock.advance(timedelta(hours=1))
    await _ask(db, clock, "Third question about spectra", thread_id=3)
    clock.advance(timedelta(hours=1))
    await _ask(db, clock, "Restricted question on a case", thread_id=4, label="TLP:AMBER")
    await _ask(db, clock, "Other server question", thread_id=5, guild_id=OTHER_GUILD)
    await _answer(db, clock, HELPER, 11, thread_id=2)
    await _solve(db, clock, ASKER, thread_id=3)
    async with db.transaction() as session:
        public = await qa.unanswered(session, GUILD, verified=False)
        verified = await qa.unanswered(session, GUILD, verified=True)
    assert [(q.thread_id, q.reply_count) for q in public] == [(1, 0), (2, 1)]
    assert [q.thread_id for q in verified] == [1, 2, 4]


async def test_stats_export_and_erase(db: Database, clock: FrozenClock) -> None:
    await _ask(db, clock, thread_id=1000)
    await _ask(db, clock, "Another question from the same asker", thread_id=1001)
    await _answer(db, clock, HELPER, 5001)
    await _solve(db, clock, ASKER)
    async with db.transaction() as session:
        figures = await qa.stats(session, GUILD)
        asker_data = await qa.export_member(session, GUILD, ASKER)
        helper_data = await qa.export_member(session, GUILD, HELPER)
    assert figures == {
        "qa.stats.questions": 2,
        "qa.stats.solved": 1,
        "qa.stats.open": 1,
        "qa.stats.no_reply": 1,
    }
    assert [q["thread_id"] for q in asker_data["questions_asked"]] == ["1000", "1001"]
    assert asker_data["answers_accepted"] == []
    assert [a["question_id"] for a in helper_data["answers_accepted"]] == [
        asker_data["questions_asked"][0]["id"]
    ]
    async with db.transaction() as session:
        await qa.erase_member(session, GUILD, ASKER)
        await qa.erase_member(session, GUILD, HELPER)
    async with db.transaction() as session:
        question = await qa.for_thread(session, GUILD, 1000)
        assert (await qa.export_member(session, GUILD, ASKER))["questions_asked"] == []
        assert (await qa.export_member(session, GUILD, HELPER))["answers_accepted"] == []
    assert question.title.startswith("How do you adjudicate")
    assert (question.author_id, question.accepted_author_id, question.last_answer_author_id) == (
        None,
        None,
        None,
    )
    assert question.accepted_text is not None


async def test_promote_turns_the_accepted_answer_into_a_library_suggestion(
    db: Database, clock: FrozenClock
) -> None:
    from bot.services.resources import suggestions

    await _ask(db, clock, thread_id=1000)
    await _ask(db, clock, "A restricted case about a seized source", thread_id=1001, label="TLP:AMBER")
    url = "https://discord.com/channels/1/1000/5001"
    async with db.transaction() as session:
        with pytest.raises(Invalid):  # not solved yet
            await qa.promote(session, GUILD, 1, actor_id=MODERATOR, url=url, now=clock.now())
    await _solve(db, clock, ASKER, thread_id=1000)
    await _solve(db, clock, ASKER, thread_id=1001)
    async with db.transaction() as session:
        question = await qa.for_thread(session, GUILD, 1000)
        restricted = await qa.for_thread(session, GUILD, 1001)
        await qa.promote(session, GUILD, question.id, actor_id=MODERATOR, url=url, now=clock.now())
        restricted_url = "https://discord.com/channels/1/1001/5002"
        await qa.promote(
            session, GUILD, restricted.id, actor_id=MODERATOR, url=restricted_url, now=clock.now()
        )
        queue = await suggestions.queue(session, GUILD)
        actions = [line.action for line in await audit.recent(session, GUILD)]
    assert [(s.title, s.url, s.tags, s.suggested_by, s.label) for s in queue] == [
        (question.title, url, "border", MODERATOR, "TLP:GREEN"),
        (restricted.title, restricted_url, "border", MODERATOR, "TLP:AMBER"),
    ]
    # The answer to a TLP:AMBER question keeps its label in the library.
    async with db.transaction() as session:
        resource, _outcome = await suggestions.approve(session, GUILD, MODERATOR, queue[1].id, clock.now())
    assert resource.label == "TLP:AMBER"
    assert "potassium-40" in queue[0].description
    assert "qa.promote" in actions


async def test_placement_of_amber_questions(db: Database) -> None:
    """Open questions go to the Q&A channel; AMBER ones only from verified members, to the
    restricted channel when set, else to a private thread of the Q&A channel."""
    async with db.transaction() as session:
        with pytest.raises(NotFound) as not_set:
            await qa.placement(session, GUILD, "TLP:AMBER", verified=True)
    assert not_set.value.key == "qa.error.no_restricted_place"
    await _setup(db)
    async with db.transaction() as session:
        assert await qa.placement(session, GUILD, "TLP:GREEN", verified=False) == qa.Placement(QA_CHANNEL)
        for label in ("TLP:AMBER", "TLP:AMBER+STRICT"):
            with pytest.raises(NotAllowed) as refused:
                await qa.placement(session, GUILD, label, verified=False)
            assert refused.value.key == "qa.error.amber_unverified"
        private = await qa.placement(session, GUILD, "TLP:AMBER", verified=True)
        assert private == qa.Placement(QA_CHANNEL, private_thread=True, restricted=True)
        await guild_settings.update(session, GUILD, MODERATOR, SetupChange(restricted_channel_id=51))
        chosen = await qa.placement(session, GUILD, "TLP:AMBER+STRICT", verified=True)
        assert chosen == qa.Placement(51, restricted=True)
        assert await qa.placement(session, GUILD, "TLP:CLEAR", verified=True) == qa.Placement(QA_CHANNEL)


async def test_posts_quoting_an_erased_question_are_listed_for_redrawing(
    db: Database, clock: FrozenClock
) -> None:
    """A digest and an escalation notice quote the question's title: with ``erase`` their posts
    are listed (with the thread whose link loses its title); with ``keep`` the title stays."""
    await _setup(db)
    asked = await _ask(db, clock, thread_id=1000)
    other = await _ask(db, clock, "A question of someone else entirely", thread_id=1001, author_id=HELPER)
    async with db.transaction() as session:
        await qa.quoted(session, GUILD, [asked.question.id, other.question.id], "digest", 60, 6001)
        await qa.quoted(session, GUILD, [asked.question.id], "escalation", 70, 7001)
        kept = await qa.bot_messages(session, GUILD, ASKER)
        erased = await qa.bot_messages(session, GUILD, ASKER, erase_text=True)
    assert not [m for m in kept if m[0] == "qa.quoted"]
    quoted = sorted((m[1], m[2], dict(m[5])["thread_id"]) for m in erased if m[0] == "qa.quoted")
    assert quoted == [((60,), 6001, "1000"), ((70,), 7001, "1000")]
    async with db.transaction() as session:
        await qa.erase_member(session, GUILD, ASKER, erase_text=True)
        left = list(await session.scalars(select(QuestionPost)))
    assert [(p.question_id, p.message_id) for p in left] == [(other.question.id, 6001)]
