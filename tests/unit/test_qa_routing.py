"""Q&A routing (matching, language, working hours, daily cap, opt-out, labels) and the sweeps
(escalation, archive, digest), with a controllable clock."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import GuildSettings, MemberSettings
from bot.services import experts, guild_settings, qa
from bot.services.experts import ProfileInput
from bot.services.qa import AnswerRef, AskInput
from bot.services.qa.routing import Candidate, choose

G, ASKER, HELPER, MODERATOR = 1, 100, 200, 300
# START (conftest) is Friday 2026-03-20 09:00 UTC: working hours in London, night in Los Angeles.
LONDON, NIGHT = "Europe/London", "America/Los_Angeles"
PORTAL = "How do you adjudicate an innocent alarm at a radiation portal monitor?"


async def expert(
    db: Database,
    clock: FrozenClock,
    user_id: int,
    expertise: str,
    *,
    languages: str = "en",
    timezone: str = LONDON,
) -> None:
    data = ProfileInput("Customs", "FR", expertise, languages, timezone, None, "members")
    async with db.transaction() as session:
        await experts.register(session, G, user_id, data, consent_text="I agree", now=clock.now())


async def settings(db: Database, **values: int) -> None:
    async with db.transaction() as session:
        row = await guild_settings.get_or_create(session, G)
        for key, value in values.items():
            setattr(row, key, value)


async def ask(
    db: Database,
    clock: FrozenClock,
    thread_id: int,
    text: str = PORTAL,
    *,
    topic: str | None = "border monitoring",
    language: str = "en",
    label: str | None = None,
    author_id: int = ASKER,
) -> list[int]:
    clean = qa.validate(AskInput(question=text, topic=topic, label=label))
    async with db.transaction() as session:
        asked = await qa.ask(
            session,
            G,
            clean,
            author_id=author_id,
            language=language,
            channel_id=5,
            thread_id=thread_id,
            starter_message_id=None,
            now=clock.now(),
        )
    return asked.experts


def test_choose_prefers_working_hours_then_match_then_least_asked() -> None:
    candidates = [
        Candidate(1, score=3, in_working_hours=False),
        Candidate(2, score=1, in_working_hours=True, asked_today=2),
        Candidate(3, score=1, in_working_hours=True),
        Candidate(4, score=2, in_working_hours=False, asked_today=5),
        Candidate(5, score=0, in_working_hours=True),
    ]
    assert choose(candidates, cap=3) == [3, 2, 1]
    assert choose(candidates, cap=2) == [3, 1]
    assert choose(candidates, cap=10, limit=5) == [3, 2, 1, 4]


async def test_routes_experts_whose_expertise_matches(db: Database, clock: FrozenClock) -> None:
    await expert(db, clock, 10, "Border monitoring")
    await expert(db, clock, 11, "Dosimetry")
    await expert(db, clock, 12, "Radiation portal monitors")
    assert sorted(await ask(db, clock, 1)) == [10, 12]
    assert await ask(db, clock, 2, "Which personal dosimetry devices do responders use?", topic=None) == [11]
    assert await ask(db, clock, 3, "Anything about cooking pasta today?", topic="cooking") == []


async def test_routes_only_experts_sharing_the_askers_language(db: Database, clock: FrozenClock) -> None:
    await expert(db, clock, 10, "Border monitoring", languages="fr")
    await expert(db, clock, 11, "Border monitoring", languages="en, fr")
    assert await ask(db, clock, 1, language="en") == [11]
    assert sorted(await ask(db, clock, 2, language="fr")) == [10, 11]


async def test_prefers_experts_in_working_hours(db: Database, clock: FrozenClock) -> None:
    for user_id in (10, 11, 12):
        await expert(db, clock, user_id, "Border monitoring", timezone=NIGHT)
    await expert(db, clock, 13, "Border monitoring", timezone=LONDON)
    chosen = await ask(db, clock, 1)
    assert len(chosen) == 3 and chosen[0] == 13


async def test_never_routes_the_asker_or_members_who_turned_routing_off(
    db: Database, clock: FrozenClock
) -> None:
    await expert(db, clock, ASKER, "Border monitoring")
    await expert(db, clock, 10, "Border monitoring")
    await expert(db, clock, 11, "Border monitoring")
    async with db.transaction() as session:
        session.add(MemberSettings(guild_id=G, user_id=11, qa_routing=False))
    assert await ask(db, clock, 1) == [10]


async def test_daily_cap_per_expert_resets_the_next_day(db: Database, clock: FrozenClock) -> None:
    await settings(db, qa_daily_cap=2)
    await expert(db, clock, 10, "Border monitoring")
    assert await ask(db, clock, 1) == [10]
    clock.advance(timedelta(hours=1))
    assert await ask(db, clock, 2) == [10]
    clock.advance(timedelta(hours=1))
    assert await ask(db, clock, 3) == []
    clock.advance(timedelta(hours=14))  # 01:00 the next day, server time UTC
    assert await ask(db, clock, 4) == [10]


async def test_daily_cap_counts_days_in_the_servers_time_zone(db: Database, clock: FrozenClock) -> None:
    await settings(db, qa_daily_cap=1)
    async with db.transaction() as session:
        row = await session.get(GuildSettings, G)
        assert row is not None
        row.timezone = "Asia/Tokyo"  # 09:00 UTC is 18:00 in Tokyo; a new day starts at 15:00 UTC
    await expert(db, clock, 10, "Border monitoring")
    assert await ask(db, clock, 1) == [10]
    clock.advance(timedelta(hours=5))
    assert await ask(db, clock, 2) == []
    clock.advance(timedelta(hours=1, minutes=1))
    assert await ask(db, clock, 3) == [10]


async def test_amber_questions_only_go_to_verified_experts(db: Database, clock: FrozenClock) -> None:
    await expert(db, clock, 10, "Border monitoring")
    await expert(db, clock, 11, "Border monitoring")
    async with db.transaction() as session:
        await experts.verify(session, G, MODERATOR, 11, now=clock.now())
    assert await ask(db, clock, 1, label="TLP:AMBER") == [11]
    assert sorted(await ask(db, clock, 2, label="TLP:GREEN")) == [10, 11]
    assert await ask(db, clock, 3, label="TLP:AMBER+STRICT", author_id=10) == [11]
    # When a verification ends, these are the threads its member must leave.
    async with db.transaction() as session:
        assert await qa.restricted_threads(session, G, 11) == [1, 3]
        assert await qa.restricted_threads(session, G, 10) == [3]  # asked it
        assert await qa.restricted_threads(session, G, ASKER) == [1]
        assert await qa.restricted_threads(session, G + 1, 11) == []


async def _due(db: Database, clock: FrozenClock) -> list[int]:
    async with db.transaction() as session:
        return await qa.due_escalations(session, G, clock.now())


async def test_escalation_after_the_delay_asks_the_next_experts(db: Database, clock: FrozenClock) -> None:
    await settings(db, qa_escalation_hours=24, moderator_role_id=77)
    for user_id in (10, 11, 12, 13, 14):
        await expert(db, clock, user_id, "Border monitoring")
    first = await ask(db, clock, 1)
    async with db.transaction() as session:
        question = await qa.for_thread(session, G, 1)
        await qa.record_activity(session, G, 1, author_id=ASKER, message_id=2, now=clock.now())
    clock.advance(timedelta(hours=23, minutes=59))
    assert await _due(db, clock) == []
    clock.advance(timedelta(minutes=1))
    assert await _due(db, clock) == [question.id]
    async with db.transaction() as session:
        escalation = await qa.escalate(session, G, question.id, clock.now())
        again = await qa.escalate(session, G, question.id, clock.now())
    assert escalation is not None and again is None
    assert escalation.moderator_role_id == 77
    assert sorted(first + escalation.experts) == [10, 11, 12, 13, 14]
    assert escalation.question.escalation_level == 1
    assert await _due(db, clock) == []


async def test_no_escalation_once_someone_answered(db: Database, clock: FrozenClock) -> None:
    await ask(db, clock, 1)
    async with db.transaction() as session:
        await qa.record_activity(session, G, 1, author_id=HELPER, message_id=2, now=clock.now())
    clock.advance(timedelta(days=3))
    assert await _due(db, clock) == []


async def test_solved_threads_are_archived_after_idle_time(db: Database, clock: FrozenClock) -> None:
    await settings(db, qa_archive_hours=72)
    await ask(db, clock, 1)
    async with db.transaction() as session:
        await qa.solve(
            session,
            G,
            1,
            actor_id=ASKER,
            is_moderator=False,
            answer=AnswerRef(9, HELPER, "Yes."),
            now=clock.now(),
        )
    clock.advance(timedelta(hours=71))
    async with db.transaction() as session:
        await qa.record_activity(session, G, 1, author_id=HELPER, message_id=10, now=clock.now())
    clock.advance(timedelta(hours=71))
    async with db.transaction() as session:
        assert await qa.due_archives(session, G, clock.now()) == []
    clock.advance(timedelta(hours=1))
    async with db.transaction() as session:
        due = await qa.due_archives(session, G, clock.now())
        assert [q.thread_id for q in due] == [1]
        await qa.mark_archived(session, G, due[0].id, clock.now())
        assert await qa.due_archives(session, G, clock.now()) == []


async def test_weekly_digest_lists_unanswered_questions(db: Database, clock: FrozenClock) -> None:
    await settings(db, qa_channel_id=5)
    async with db.transaction() as session:
        assert await qa.take_digest(session, G, clock.now()) is None  # starts the week
    await ask(db, clock, 1)
    await ask(db, clock, 2, "A restricted case we should discuss", label="TLP:AMBER")
    clock.advance(timedelta(days=6))
    async with db.transaction() as session:
        assert await qa.take_digest(session, G, clock.now()) is None
    clock.advance(timedelta(days=1))
    async with db.transaction() as session:
        digest = await qa.take_digest(session, G, clock.now())
        assert await qa.take_digest(session, G, clock.now()) is None
    assert digest is not None and digest.channel_id == 5
    assert [q.thread_id for q in digest.questions] == [1]
