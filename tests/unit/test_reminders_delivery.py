"""The delivery engine: on time, DMs and the channel post, closed DMs, retries, late and skipped
reminders, and crashes between claim and confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import MemberSettings
from bot.db.models.events import FAILED, SENT, SKIPPED, TARGET_CHANNEL, TARGET_DM, Delivery, Reminder
from bot.delivery import Permanent, Transient
from bot.services import events, notices, reminders
from bot.services.events import EventInput
from bot.services.guild_settings import SetupChange, update
from bot.services.reminders.delivery import DeliveryEngine
from tests.unit.reminder_fakes import Crash, FakeDiscord

pytestmark = pytest.mark.engines  # claiming (FOR UPDATE SKIP LOCKED) and time buckets per dialect

GUILD = 1
CHANNEL = 500


@pytest.fixture
async def event_id(db: Database, clock: FrozenClock) -> int:
    """An event in 2 days (reminders 1d, 1h) with alice(1) and bob(2) going, carol(3) maybe."""
    async with db.transaction() as session:
        await update(session, GUILD, 99, SetupChange(events_channel_id=CHANNEL))
        data = EventInput(title="Border drill", start="2026-03-22 09:00", timezone="UTC", reminders="1d, 1h")
        event = (await events.create(session, GUILD, 99, data, clock.now())).event
        for user, status in ((1, "going"), (2, "going"), (3, "maybe")):
            await events.rsvp(session, GUILD, event.id, user, status, clock.now())
        return event.id


def _engine(db: Database, discord: FakeDiscord, clock: FrozenClock, concurrency: int = 10) -> DeliveryEngine:
    engine = DeliveryEngine(db, discord, backoff=0, concurrency=concurrency)
    engine.awake_since = clock.now()
    return engine


async def _deliveries(db: Database) -> list[Delivery]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_nothing_before_its_moment_then_dms_and_channel_post(
    db: Database, clock: FrozenClock, event_id: int
) -> None:
    discord = FakeDiscord()
    engine = _engine(db, discord, clock)
    assert (await engine.run_due(clock.now())).expanded == 0
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    await engine.run_due(clock.now())
    assert discord.messages == []
    clock.advance(timedelta(seconds=1))
    report = await engine.run_due(clock.now())
    assert (report.sent, report.late) == (3, 0)
    assert [(m.target, m.target_id) for m in discord.messages] == [
        (TARGET_DM, 1),
        (TARGET_DM, 2),
        (TARGET_CHANNEL, CHANNEL),
    ]
    assert {m.title for m in discord.messages} == {"Border drill"}
    rows = await _deliveries(db)
    assert [(d.state, d.nonce, d.attempts) for d in rows] == [(SENT, f"liaison-{d.id}", 1) for d in rows]
    assert (await engine.run_due(clock.now())).sent == 0  # nothing twice


async def test_closed_dms_are_mentioned_and_dm_setting_is_respected(
    db: Database, clock: FrozenClock, event_id: int
) -> None:
    async with db.transaction() as session:
        session.add(MemberSettings(guild_id=GUILD, user_id=2, dm_reminders=False))
        await events.rsvp(session, GUILD, event_id, 4, "going", clock.now())
    discord = FakeDiscord(closed_dms={4})
    engine = _engine(db, discord, clock)
    clock.advance(timedelta(days=1))
    await engine.run_due(clock.now())
    assert [(m.target, m.target_id) for m in discord.messages] == [(TARGET_DM, 1), (TARGET_CHANNEL, CHANNEL)]
    assert discord.messages[-1].mentions == (4,)
    assert [(d.target_id, d.state, d.error) for d in await _deliveries(db)][1] == (4, SKIPPED, "dm_closed")


async def test_personal_reminder_with_closed_dms_leaves_a_notice(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        await reminders.remind(session, GUILD, 9, "10m", "check the RPM logs", clock.now())
    discord = FakeDiscord(closed_dms={9})
    clock.advance(timedelta(minutes=10))
    await _engine(db, discord, clock).run_due(clock.now())
    async with db.transaction() as session:
        pending = await notices.take(session, GUILD, 9)
    assert pending[0][0] == "reminders.notice.personal" and pending[0][1]["what"] == "check the RPM logs"


async def test_transient_errors_are_retried_permanent_ones_recorded(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        for what in ("a", "b", "c"):
            await reminders.remind(session, GUILD, 9, "10m", what, clock.now())
    discord = FakeDiscord(failures=[Transient("503"), Transient("429", retry_after=0)])
    engine = _engine(db, discord, clock, concurrency=1)  # one send at a time: failures in order
    engine.max_attempts = 3
    clock.advance(timedelta(minutes=10))
    await engine.run_due(clock.now())
    rows = await _deliveries(db)
    assert [(d.state, d.attempts) for d in rows] == [(SENT, 3), (SENT, 1), (SENT, 1)]
    async with db.transaction() as session:
        await reminders.remind(session, GUILD, 9, "10m", "d", clock.now())
        await reminders.remind(session, GUILD, 9, "10m", "e", clock.now())
    discord.failures = [Permanent("50007 Cannot send"), Transient("500"), Transient("500"), Transient("500")]
    clock.advance(timedelta(minutes=10))
    report = await engine.run_due(clock.now())
    assert report.failed == 2
    rows = await _deliveries(db)
    assert [(d.state, d.error) for d in rows[3:]] == [(FAILED, "50007 Cannot send"), (FAILED, "gave up: 500")]
    async with db.transaction() as session:
        figures = await reminders.stats(session, GUILD)
    assert (figures["reminders.stats.sent"], figures["reminders.stats.failed"]) == (3, 2)


@pytest.mark.parametrize(
    ("down_for", "expected"),
    [
        (timedelta(hours=2), (SENT, True)),  # missed by 2 h: still useful, sent late
        (timedelta(hours=7), (SKIPPED, False)),  # beyond the 6 h grace
        (timedelta(seconds=30), (SENT, False)),  # barely missed: not worth the "late" mark
    ],
)
async def test_missed_while_down(
    db: Database, clock: FrozenClock, event_id: int, down_for: timedelta, expected: tuple[str, bool]
) -> None:
    clock.advance(timedelta(days=1) + down_for)  # the 1d reminder fell due while down
    discord = FakeDiscord()
    await DeliveryEngine(db, discord, backoff=0).recover(clock.now())
    async with db.transaction() as session:
        first = await session.scalar(
            select(Reminder).where(Reminder.event_id == event_id).order_by(Reminder.id)
        )
    assert first is not None and (first.state, first.late) == expected
    assert all(m.late == expected[1] for m in discord.messages)


async def test_reminder_after_the_event_started_is_skipped(
    db: Database, clock: FrozenClock, event_id: int
) -> None:
    clock.advance(timedelta(days=2, minutes=5))
    discord = FakeDiscord()
    report = await DeliveryEngine(db, discord, backoff=0).recover(clock.now())
    assert discord.messages == [] and report.skipped == 2
    async with db.transaction() as session:
        reasons = await session.scalars(select(Reminder.reason).where(Reminder.event_id == event_id))
        assert set(reasons) == {"started"}


async def test_clock_jump_while_running_is_not_late(db: Database, clock: FrozenClock, event_id: int) -> None:
    engine = _engine(db, FakeDiscord(), clock)
    clock.advance(timedelta(days=1, hours=3))  # the sandbox moved time while the bot ran
    report = await engine.run_due(clock.now())
    assert (report.sent, report.late) == (3, 0)


@pytest.mark.parametrize("where", ["before_send", "after_send"])
async def test_crash_between_claim_and_confirm_is_retried_with_the_same_nonce(
    db: Database, clock: FrozenClock, event_id: int, where: str
) -> None:
    discord = FakeDiscord()
    setattr(discord, f"crash_{where}", 1)
    clock.advance(timedelta(days=1))
    with pytest.raises(Crash):
        await _engine(db, discord, clock).run_due(clock.now())
    claimed = await _deliveries(db)
    # Both DMs were claimed together; the channel post waits for them.
    assert [d.state for d in claimed] == ["claimed", "claimed", "pending"]
    clock.advance(timedelta(seconds=20))  # restart
    await DeliveryEngine(db, discord, backoff=0).recover(clock.now())
    rows = await _deliveries(db)
    assert [d.state for d in rows] == [SENT, SENT, SENT]
    assert rows[0].attempts == 2 and discord.calls.count(rows[0].nonce or "") == 2
    assert len(discord.messages) == 3  # the repeated nonce returned the first message


async def test_crash_after_expansion_loses_nothing(db: Database, clock: FrozenClock, event_id: int) -> None:
    discord = FakeDiscord()
    engine = _engine(db, discord, clock)

    async def die(*_args: object) -> None:
        raise Crash()

    engine._deliver = die  # type: ignore[method-assign,assignment]
    clock.advance(timedelta(days=1))
    with pytest.raises(Crash):
        await engine.run_due(clock.now())
    assert [d.state for d in await _deliveries(db)] == ["pending"] * 3
    await DeliveryEngine(db, discord, backoff=0).recover(clock.now())
    assert len(discord.messages) == 3
    async with db.transaction() as session:
        states = await session.scalars(
            select(Reminder.state).where(Reminder.event_id == event_id).order_by(Reminder.id)
        )
        assert list(states) == [SENT, "pending"]


async def test_no_channel_anywhere_closed_dms_get_a_notice(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        data = EventInput(title="Workshop", start="2026-03-20 12:00", timezone="UTC", reminders="1h")
        event = (await events.create(session, GUILD, 99, data, clock.now())).event
        await events.rsvp(session, GUILD, event.id, 5, "going", clock.now())
    discord = FakeDiscord(closed_dms={5})
    clock.advance(timedelta(hours=2))
    report = await _engine(db, discord, clock).run_due(clock.now())
    assert discord.messages == [] and report.skipped == 1
    async with db.transaction() as session:
        pending = await notices.take(session, GUILD, 5)
    assert [(key, params["title"]) for key, params in pending] == [("reminders.notice.event", "Workshop")]
