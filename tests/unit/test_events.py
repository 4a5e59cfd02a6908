"""Events service: creation, validation, recurrence across DST, edits and cancellations moving
reminders. Times come from a FrozenClock (START = 2026-03-20 09:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.events import PENDING, SKIPPED, Reminder
from bot.errors import Invalid, NotFound
from bot.services import audit, events, guild_settings
from bot.services.event_time import occurrence_after, occurrences, parse_moment
from bot.services.events import EventInput
from bot.services.guild_settings import SetupChange

GUILD = 1
MOD = 100
PARIS = ZoneInfo("Europe/Paris")


async def _reminders(db: Database, event_id: int) -> list[Reminder]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Reminder).where(Reminder.event_id == event_id).order_by(Reminder.id)
        )
        return list(rows)


async def _create(db: Database, clock: FrozenClock, **values: Any) -> events.Change:
    data = EventInput(
        **{"title": "Tabletop", "start": "2026-03-25 14:00", "timezone": "Europe/Paris", **values}
    )
    async with db.transaction() as session:
        return await events.create(session, GUILD, MOD, data, clock.now())


async def test_create_stores_utc_and_zone_and_plans_default_reminders(
    db: Database, clock: FrozenClock
) -> None:
    change = await _create(db, clock)
    event = change.event
    assert event.starts_at == datetime(2026, 3, 25, 13, 0, tzinfo=UTC)  # CET = UTC+1
    assert event.timezone == "Europe/Paris"
    assert event.reminder_offsets == "1d, 1h"
    rows = await _reminders(db, event.id)
    assert [(r.fire_at, r.state) for r in rows] == [
        (datetime(2026, 3, 24, 13, 0, tzinfo=UTC), PENDING),
        (datetime(2026, 3, 25, 12, 0, tzinfo=UTC), PENDING),
    ]
    assert sorted(change.wakeups) == [r.fire_at for r in rows]
    async with db.transaction() as session:
        assert [line.action for line in await audit.recent(session, GUILD)] == ["event.create"]


async def test_server_default_offsets_and_custom_offsets(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        await guild_settings.update(session, GUILD, MOD, SetupChange(reminders="2h, 15m"))
    event = (await _create(db, clock)).event
    assert [r.offset_minutes for r in await _reminders(db, event.id)] == [120, 15]
    event = (await _create(db, clock, reminders="3d, 30m")).event
    assert [r.offset_minutes for r in await _reminders(db, event.id)] == [4320, 30]
    event = (await _create(db, clock, reminders="none")).event
    assert await _reminders(db, event.id) == []


async def test_reminder_already_passed_at_creation_is_skipped(db: Database, clock: FrozenClock) -> None:
    # Starts in 3 hours: the 1d reminder is already past, the 1h one is not.
    event = (await _create(db, clock, start="2026-03-20 13:00", timezone="Europe/Paris")).event
    rows = await _reminders(db, event.id)
    assert [(r.offset_minutes, r.state, r.reason) for r in rows] == [
        (1440, SKIPPED, "passed"),
        (60, PENDING, None),
    ]


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"start": "2026-03-19 10:00"}, "events.error.start_past"),
        ({"start": "someday maybe"}, "events.error.bad_start"),
        ({"start": "2026-02-30 10:00"}, "events.error.bad_start"),
        ({"timezone": "Mars/Olympus"}, "error.bad_timezone"),
        ({"duration": "forever"}, "error.bad_duration"),
        ({"reminders": "soon"}, "error.bad_offset"),
        ({"repeat": "daily"}, "events.error.bad_repeat"),
        ({"capacity": -3}, "events.error.bad_capacity"),
        ({"title": "  "}, "error.required"),
        ({"title": "x" * 201}, "error.too_long"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, clock: FrozenClock, values: dict[str, Any], key: str
) -> None:
    with pytest.raises(Invalid) as caught:
        await _create(db, clock, **values)
    assert caught.value.key == key
    async with db.transaction() as session:
        assert await events.upcoming(session, GUILD, clock.now()) == []


def test_start_formats_and_natural_phrases() -> None:
    now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    assert parse_moment("2026-07-01 09:30", PARIS, now) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    tomorrow_2pm = datetime(2026, 3, 21, 13, 0, tzinfo=UTC)
    assert parse_moment("tomorrow 14:00", PARIS, now) == tomorrow_2pm
    assert parse_moment("demain 14h", PARIS, now) == tomorrow_2pm
    assert parse_moment("demain à 14h30", PARIS, now) == tomorrow_2pm + timedelta(minutes=30)
    phnom_penh = ZoneInfo("Asia/Phnom_Penh")
    assert parse_moment("2026-12-01 09:00", phnom_penh, now) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_weekly_recurrence_keeps_the_wall_clock_across_dst() -> None:
    # 09:00 Paris on Monday 2026-03-23 (CET, UTC+1); DST starts Sunday 2026-03-29.
    first = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    starts = occurrences(first, PARIS, "weekly", 3)
    assert [s.astimezone(PARIS).hour for s in starts] == [9, 9, 9]
    assert [s.hour for s in starts] == [8, 7, 7]  # UTC shifts, Paris does not
    # And back in October: 2026-10-25 is the fall-back change.
    autumn = occurrence_after(first, PARIS, "weekly", datetime(2026, 10, 24, tzinfo=UTC))
    assert autumn == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert autumn.astimezone(PARIS).hour == 9


def test_monthly_recurrence_and_one_off() -> None:
    first = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
    assert [s.month for s in occurrences(first, PARIS, "monthly", 4)] == [1, 2, 3, 4]
    assert occurrence_after(first, PARIS, "none", first) is None
    assert occurrence_after(first, PARIS, "none", first - timedelta(seconds=1)) == first


async def test_repeating_event_plans_next_occurrence_when_one_starts(
    db: Database, clock: FrozenClock
) -> None:
    from bot.services import reminders

    event = (await _create(db, clock, start="2026-03-23 09:00", repeat="weekly", reminders="1h")).event
    clock.set(datetime(2026, 3, 23, 8, 0, 1, tzinfo=UTC))  # the first occurrence has started
    async with db.transaction() as session:
        wakeups = await reminders.roll_forward(session, clock.now())
    # Next Monday 09:00 Paris is 07:00 UTC (summer time): its 1h reminder at 06:00 UTC.
    assert wakeups == [datetime(2026, 3, 30, 6, 0, tzinfo=UTC)]
    rows = await _reminders(db, event.id)
    assert [r.occurrence_start for r in rows] == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]
    async with db.transaction() as session:
        assert await reminders.roll_forward(session, clock.now()) == []  # idempotent


async def test_edit_moves_pending_reminders_and_tells_attendees(db: Database, clock: FrozenClock) -> None:
    event = (await _create(db, clock, reminders="1d, 1h")).event
    async with db.transaction() as session:
        await events.rsvp(session, GUILD, event.id, 7, "going", clock.now())
        await events.rsvp(session, GUILD, event.id, 8, "not_going", clock.now())
    async with db.transaction() as session:
        change = await events.edit(
            session, GUILD, MOD, event.id, EventInput(start="2026-03-26 16:00"), clock.now()
        )
    assert change.time_changed and change.notify == [7]
    rows = await _reminders(db, event.id)
    assert [(r.fire_at, r.state) for r in rows] == [
        (datetime(2026, 3, 25, 15, 0, tzinfo=UTC), PENDING),
        (datetime(2026, 3, 26, 14, 0, tzinfo=UTC), PENDING),
    ]
    # New offsets: 1h stays (same row), 1d is withdrawn, 10m is added.
    async with db.transaction() as session:
        await events.edit(session, GUILD, MOD, event.id, EventInput(reminders="1h, 10m"), clock.now())
    rows = await _reminders(db, event.id)
    assert [(r.offset_minutes, r.state) for r in rows] == [(1440, SKIPPED), (60, PENDING), (10, PENDING)]


async def test_edit_timezone_keeps_wall_clock(db: Database, clock: FrozenClock) -> None:
    event = (await _create(db, clock)).event
    async with db.transaction() as session:
        change = await events.edit(
            session, GUILD, MOD, event.id, EventInput(timezone="Asia/Tokyo"), clock.now()
        )
    assert change.event.starts_at == datetime(2026, 3, 25, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo


async def test_cancel_withdraws_reminders_and_lists_attendees(db: Database, clock: FrozenClock) -> None:
    event = (await _create(db, clock)).event
    async with db.transaction() as session:
        await events.rsvp(session, GUILD, event.id, 7, "maybe", clock.now())
        change = await events.cancel(session, GUILD, MOD, event.id, clock.now())
    assert change.notify == [7]
    assert {r.state for r in await _reminders(db, event.id)} == {SKIPPED}
    async with db.transaction() as session:
        assert await events.upcoming(session, GUILD, clock.now()) == []
        with pytest.raises(Invalid):
            await events.cancel(session, GUILD, MOD, event.id, clock.now())
        with pytest.raises(Invalid):
            await events.rsvp(session, GUILD, event.id, 9, "going", clock.now())


async def test_servers_are_isolated_and_refs_parse(db: Database, clock: FrozenClock) -> None:
    event = (await _create(db, clock)).event
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await events.get(session, GUILD + 1, event.id)
        assert await events.autocomplete(session, GUILD + 1, "", clock.now()) == []
        assert await events.autocomplete(session, GUILD, "table", clock.now()) == [(event.id, "Tabletop")]
    assert events.parse_ref("event:12") == events.parse_ref("#12") == events.parse_ref("12 · Tabletop") == 12
    with pytest.raises(Invalid):
        events.parse_ref("tabletop")


async def test_list_shows_upcoming_soonest_first(db: Database, clock: FrozenClock) -> None:
    late = (await _create(db, clock, title="Late", start="2026-04-02 10:00")).event
    soon = (await _create(db, clock, title="Soon", start="2026-03-21 10:00", duration="2h")).event
    async with db.transaction() as session:
        assert [e.id for e in await events.upcoming(session, GUILD, clock.now())] == [soon.id, late.id]
    clock.set(datetime(2026, 3, 21, 10, 0, tzinfo=UTC))  # Soon (09:00-11:00 UTC) is running
    async with db.transaction() as session:
        assert [e.id for e in await events.upcoming(session, GUILD, clock.now())] == [soon.id, late.id]
    clock.set(datetime(2026, 3, 21, 12, 0, tzinfo=UTC))
    async with db.transaction() as session:
        assert [e.id for e in await events.upcoming(session, GUILD, clock.now())] == [late.id]
