"""/remind: reading ``when`` in the member's or the server's zone; hooks for stats and privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import MemberSettings
from bot.errors import Invalid, NotFound
from bot.services import events, guild_settings, reminders
from bot.services.events import EventInput
from bot.services.guild_settings import SetupChange

GUILD = 1
USER = 7


async def _remind(
    db: Database, clock: FrozenClock, when: str, what: str = "call Vienna"
) -> reminders.Planned:
    async with db.transaction() as session:
        return await reminders.remind(session, GUILD, USER, when, what, clock.now())


@pytest.mark.parametrize(
    ("when", "delta"),
    [("in 2h", timedelta(hours=2)), ("30m", timedelta(minutes=30)), ("dans 1j", timedelta(days=1))],
)
async def test_relative_times(db: Database, clock: FrozenClock, when: str, delta: timedelta) -> None:
    planned = await _remind(db, clock, when)
    assert planned.reminder.fire_at == clock.now() + delta


async def test_absolute_time_reads_the_members_zone_else_the_servers(
    db: Database, clock: FrozenClock
) -> None:
    planned = await _remind(db, clock, "2026-12-01 09:00")
    assert planned.reminder.fire_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # server default: UTC
    async with db.transaction() as session:
        await guild_settings.update(session, GUILD, 1, SetupChange(timezone="Europe/Paris"))
    planned = await _remind(db, clock, "2026-12-01 09:00")
    assert planned.reminder.fire_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(MemberSettings(guild_id=GUILD, user_id=USER, timezone="Asia/Phnom_Penh"))
    planned = await _remind(db, clock, "2026-12-01 09:00")
    assert planned.reminder.fire_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


async def test_relative_to_an_event(db: Database, clock: FrozenClock) -> None:
    data = EventInput(title="Drill", start="2026-03-22 10:00", timezone="UTC")
    async with db.transaction() as session:
        event = (await events.create(session, GUILD, 1, data, clock.now())).event
    planned = await _remind(db, clock, f"1h before event:{event.id}")
    assert planned.reminder.fire_at == datetime(2026, 3, 22, 9, 0, tzinfo=UTC)
    assert planned.event_title == "Drill"
    planned = await _remind(db, clock, f"event:{event.id}")
    assert planned.reminder.fire_at == event.starts_at
    # Moving the event moves the member's reminder too.
    async with db.transaction() as session:
        await events.edit(session, GUILD, 1, event.id, EventInput(start="2026-03-23 10:00"), clock.now())
        row = await session.get(type(planned.reminder), planned.reminder.id)
        assert row is not None and row.fire_at == datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    with pytest.raises(NotFound):
        await _remind(db, clock, "1h before event:999")


@pytest.mark.parametrize(
    ("when", "what", "key"),
    [
        ("2020-01-01 09:00", "x", "reminders.error.past"),
        ("whenever", "x", "reminders.error.bad_when"),
        ("in 2h", "   ", "error.required"),
        ("in 2h", "x" * 1001, "error.too_long"),
    ],
)
async def test_bad_input(db: Database, clock: FrozenClock, when: str, what: str, key: str) -> None:
    with pytest.raises(Invalid) as caught:
        await _remind(db, clock, when, what)
    assert caught.value.key == key


async def test_export_and_erase(db: Database, clock: FrozenClock) -> None:
    await _remind(db, clock, "in 2h", "secret plans")
    async with db.transaction() as session:
        exported = await reminders.export_member(session, GUILD, USER)
        assert [r["what"] for r in exported["reminders"]] == ["secret plans"]
        assert (await reminders.export_member(session, GUILD, USER + 1))["reminders"] == []
        await reminders.erase_member(session, GUILD, USER)
    async with db.transaction() as session:
        assert (await reminders.export_member(session, GUILD, USER))["reminders"] == []
        assert (await reminders.stats(session, GUILD))["reminders.stats.pending"] == 0
