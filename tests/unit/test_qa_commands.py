"""Each Q&A command's one unit of work (``bot.services.qa.commands``): called with the database,
as the cog calls it, it checks, reads and writes in one transaction and returns plain values."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.qa import Question
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services import audit, experts, guild_settings, qa
from bot.services.callers import Caller
from bot.services.experts import ProfileInput
from bot.services.guild_settings import SetupChange
from bot.services.qa import AnswerRef, AskInput, QuestionInfo
from bot.services.resources import suggestions

GUILD = 1
ASKER, HELPER, EXPERT, MODERATOR, STRANGER = 100, 200, 250, 300, 400
QA_CHANNEL, MODERATOR_ROLE = 50, 77
PORTAL = "How do you adjudicate an innocent alarm at a radiation portal monitor?"
CASE = "Review of a seized caesium source at the harbour"


async def _setup(db: Database) -> None:
    async with db.transaction() as session:
        await guild_settings.update(
            session, GUILD, MODERATOR, SetupChange(qa_channel_id=QA_CHANNEL, moderator_role_id=MODERATOR_ROLE)
        )


async def _verified_expert(db: Database, clock: FrozenClock, user_id: int = EXPERT) -> None:
    data = ProfileInput("Customs", "FR", "Border monitoring", "en", "UTC", None, "members")
    async with db.transaction() as session:
        await experts.register(session, GUILD, user_id, data, consent_text="I agree", now=clock.now())
        await experts.verify(session, GUILD, MODERATOR, user_id, now=clock.now())


async def _ask(
    db: Database, clock: FrozenClock, thread_id: int, text: str = PORTAL, *, label: str | None = None
) -> qa.Asked:
    clean = qa.validate(AskInput(question=text, topic="border", label=label))
    return await qa.ask(
        db,
        GUILD,
        clean,
        author_id=ASKER,
        language="en",
        channel_id=QA_CHANNEL,
        thread_id=thread_id,
        starter_message_id=thread_id + 1,
        now=clock.now(),
    )


async def _solve(db: Database, clock: FrozenClock, thread_id: int) -> QuestionInfo:
    return await qa.solve(
        db,
        GUILD,
        thread_id,
        actor_id=ASKER,
        is_moderator=False,
        answer=AnswerRef(thread_id + 2, HELPER, "Secondary inspection with a RIID: potassium-40."),
        now=clock.now(),
    )


def test_question_info_is_a_snapshot_of_every_column() -> None:
    assert {field.name for field in fields(QuestionInfo)} == set(Question.__table__.columns.keys())


async def test_units_called_with_the_database_commit_and_return_plain_values(
    db: Database, clock: FrozenClock
) -> None:
    await _setup(db)
    asked = await _ask(db, clock, 1000)
    solved = await _solve(db, clock, 1000)
    assert isinstance(asked.question, QuestionInfo) and isinstance(solved, QuestionInfo)
    assert (solved.id, solved.state, solved.accepted_message_id) == (asked.question.id, "solved", 1002)
    async with db.transaction() as session:  # committed: seen from another transaction
        assert (await qa.for_thread(session, GUILD, 1000)).state == "solved"
    assert await qa.thread_ids(db, GUILD) == {1000}
    assert await qa.record_activity(db, GUILD, 1000, author_id=HELPER, message_id=9, now=clock.now()) == (
        asked.question.id
    )
    assert await qa.record_activity(db, GUILD, 999, author_id=HELPER, message_id=9, now=clock.now()) is None


def asking(user_id: int, moderator: bool, clock: FrozenClock) -> Caller:
    """The member asking, as the cog describes them (a moderator by Discord's permissions, or not)."""
    return Caller(guild_id=GUILD, user_id=user_id, now=clock.now(), moderator=moderator)


async def test_prepare_ask_refuses_in_the_order_the_asker_meets_them(
    db: Database, clock: FrozenClock
) -> None:
    def given(question: str = PORTAL, label: str | None = None) -> AskInput:
        return AskInput(question=question, topic="border", label=label)

    with pytest.raises(NotFound) as not_set_up:  # before the bad question is even looked at
        await qa.prepare_ask(db, asking(ASKER, False, clock), given("why?"))
    assert not_set_up.value.key == "qa.error.no_channel"
    await _setup(db)
    with pytest.raises(Invalid) as short:
        await qa.prepare_ask(db, asking(ASKER, False, clock), given("why?"))
    assert short.value.key == "qa.error.question_short"
    with pytest.raises(NotAllowed) as unverified:
        await qa.prepare_ask(db, asking(STRANGER, False, clock), given(CASE, "amber"))
    assert unverified.value.key == "qa.error.amber_unverified"


async def test_prepare_ask_plans_the_placement_and_shows_similar_solved_questions(
    db: Database, clock: FrozenClock
) -> None:
    await _setup(db)
    await _verified_expert(db, clock)
    open_plan = await qa.prepare_ask(db, asking(ASKER, False, clock), AskInput(f"  {PORTAL} "))
    assert open_plan.asked.question == PORTAL and open_plan.asked.label == "TLP:GREEN"
    assert open_plan.place == qa.Placement(QA_CHANNEL) and open_plan.similar == []
    for user_id, moderator in ((EXPERT, False), (STRANGER, True)):  # verified, or a moderator
        amber = await qa.prepare_ask(db, asking(user_id, moderator, clock), AskInput(CASE, label="amber"))
        assert amber.place == qa.Placement(QA_CHANNEL, private_thread=True, restricted=True)
    await _ask(db, clock, 1000)
    await _solve(db, clock, 1000)
    again = await qa.prepare_ask(
        db, asking(STRANGER, False, clock), AskInput("What follows an innocent alarm at a radiation portal?")
    )
    assert [hit.thread_id for hit in again.similar] == [1000]


async def test_search_and_unanswered_show_amber_only_to_who_may_see_it(
    db: Database, clock: FrozenClock
) -> None:
    await _setup(db)
    await _verified_expert(db, clock)
    for thread_id, label in ((1000, None), (2000, "TLP:AMBER"), (3000, None), (4000, "TLP:AMBER")):
        await _ask(db, clock, thread_id, f"{PORTAL} ({thread_id})", label=label)
    await _solve(db, clock, 1000)
    await _solve(db, clock, 2000)

    async def seen(user_id: int, moderator: bool) -> tuple[list[int], list[int]]:
        hits = await qa.search_as(db, asking(user_id, moderator, clock), "potassium")
        waiting = await qa.unanswered_as(db, asking(user_id, moderator, clock))
        return sorted(hit.thread_id for hit in hits), [q.thread_id for q in waiting]

    assert await seen(STRANGER, False) == ([1000], [3000])
    assert await seen(EXPERT, False) == ([1000, 2000], [3000, 4000])
    assert await seen(STRANGER, True) == ([1000, 2000], [3000, 4000])
    with pytest.raises(Invalid):
        await qa.search_as(db, asking(STRANGER, False, clock), " ?! ")


async def test_may_solve_returns_what_the_cog_reads_the_thread_with(db: Database, clock: FrozenClock) -> None:
    await _setup(db)
    await _ask(db, clock, 1000)
    question = await qa.may_solve(db, GUILD, 1000, actor_id=ASKER, is_moderator=False)
    assert (question.author_id, question.starter_message_id) == (ASKER, 1001)
    assert (await qa.may_solve(db, GUILD, 1000, actor_id=MODERATOR, is_moderator=True)).id == question.id
    with pytest.raises(NotAllowed):
        await qa.may_solve(db, GUILD, 1000, actor_id=STRANGER, is_moderator=False)
    with pytest.raises(NotFound):
        await qa.may_solve(db, GUILD, 999, actor_id=ASKER, is_moderator=False)
    await _solve(db, clock, 1000)
    with pytest.raises(Conflict):
        await qa.may_solve(db, GUILD, 1000, actor_id=ASKER, is_moderator=False)


async def test_promote_accepted_links_the_accepted_answer(db: Database, clock: FrozenClock) -> None:
    await _setup(db)
    await _ask(db, clock, 1000)
    with pytest.raises(Invalid):  # not solved yet: nothing suggested, nothing audited
        await qa.promote_accepted(db, GUILD, 1, actor_id=MODERATOR, now=clock.now())
    solved = await _solve(db, clock, 1000)
    suggestion_id = await qa.promote_accepted(db, GUILD, solved.id, actor_id=MODERATOR, now=clock.now())
    async with db.transaction() as session:
        [suggestion] = await suggestions.queue(session, GUILD)
        actions = [line.action for line in await audit.recent(session, GUILD)]
    assert suggestion.id == suggestion_id
    assert suggestion.url == f"https://discord.com/channels/{GUILD}/1000/1002"
    assert actions.count("qa.promote") == 1


async def test_topic_sources_and_leaving_threads(db: Database, clock: FrozenClock) -> None:
    assert (await qa.topic_sources(db, GUILD, "bor")).qa_channel_id is None
    await _setup(db)
    await _verified_expert(db, clock, ASKER)
    sources = await qa.topic_sources(db, GUILD, "bor")
    assert "Border monitoring" in sources.expertise and sources.qa_channel_id == QA_CHANNEL
    assert (await qa.topic_sources(db, GUILD, "zzz-nothing")).expertise == []
    await _ask(db, clock, 1000)
    await _ask(db, clock, 2000, CASE, label="TLP:AMBER")
    assert await qa.leaving_threads(db, GUILD, ASKER) == qa.LeavingThreads(MODERATOR_ROLE, [2000])
    assert await qa.leaving_threads(db, GUILD, STRANGER) == qa.LeavingThreads(MODERATOR_ROLE, [])


async def test_question_as_asked_gives_the_fields_posted(db: Database, clock: FrozenClock) -> None:
    await _setup(db)
    asked = await _ask(db, clock, 1000, label="TLP:AMBER")
    posted = await qa.question_as_asked(db, GUILD, asked.question.id)
    assert posted == qa.CleanAsk(PORTAL, "border", None, None, "TLP:AMBER")
    with pytest.raises(NotFound):
        await qa.question_as_asked(db, GUILD, asked.question.id + 1)
