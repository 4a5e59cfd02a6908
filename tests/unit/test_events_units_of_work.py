"""The events functions a cog calls: each called with the database runs in one transaction of its
own (committed, or rolled back on a domain error) and answers with plain values, no ORM row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.base import Base
from bot.errors import Invalid, NotFound
from bot.services import events, reminders
from bot.services.events import Counts, EventInfo, EventInput

GUILD = 1
MOD = 100


def _plain(value: Any) -> bool:
    """No ORM instance anywhere inside ``value`` (dataclasses, lists, tuples, dicts walked)."""
    if isinstance(value, Base):
        return False
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple | set):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return True


async def _create(db: Database, clock: FrozenClock, **values: Any) -> events.Change:
    data = EventInput(**{"title": "Course", "start": "2026-04-01 09:00", "timezone": "UTC", **values})
    return await events.create(db, GUILD, MOD, data, clock.now())


async def test_create_edit_cancel_give_plain_values_and_commit(db: Database, clock: FrozenClock) -> None:
    created = await _create(db, clock)
    assert isinstance(created.event, EventInfo) and _plain(created)
    assert created.event.starts_at == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    edited = await events.edit(db, GUILD, MOD, created.event.id, EventInput(title="Renamed"), clock.now())
    assert edited.event.title == "Renamed" and _plain(edited)
    assert (await events.card(db, GUILD, created.event.id)).event.title == "Renamed"  # committed
    cancelled = await events.cancel(db, GUILD, MOD, created.event.id, clock.now())
    assert cancelled.event.cancelled_at == clock.now() and _plain(cancelled)
    assert await events.listing(db, GUILD, clock.now()) == []


async def test_answer_says_the_place_on_the_waiting_list(db: Database, clock: FrozenClock) -> None:
    event_id = (await _create(db, clock, capacity=1)).event.id
    first = await events.answer(db, GUILD, event_id, 1, "going", clock.now(), language="fr")
    assert (first.status, first.position, first.promoted) == ("going", 0, [])
    assert first.event.id == event_id and _plain(first)
    second = await events.answer(db, GUILD, event_id, 2, "going", clock.now())
    third = await events.answer(db, GUILD, event_id, 3, "going", clock.now())
    assert (second.status, second.position) == ("waiting", 1)
    assert (third.status, third.position) == ("waiting", 2)
    left = await events.answer(db, GUILD, event_id, 1, "not_going", clock.now())
    assert left.promoted == [2] and left.position == 0
    assert await events.answer_languages(db, event_id) == {1: "fr"}


async def test_a_refused_answer_is_not_counted(db: Database, clock: FrozenClock) -> None:
    event_id = (await _create(db, clock)).event.id
    with pytest.raises(Invalid):
        await events.answer(db, GUILD, event_id, 1, "perhaps", clock.now())
    with pytest.raises(NotFound):
        await events.answer(db, GUILD + 1, event_id, 1, "going", clock.now())
    assert (await events.card(db, GUILD, event_id)).counts == Counts()


async def test_details_listing_and_cancelling(db: Database, clock: FrozenClock) -> None:
    late = (await _create(db, clock, title="Late", start="2026-05-01 09:00")).event.id
    soon = (await _create(db, clock, title="Soon")).event.id
    await events.answer(db, GUILD, soon, 7, "going", clock.now())
    await events.answer(db, GUILD, soon, 8, "maybe", clock.now())
    shown = await events.details(db, GUILD, soon, 8)
    assert (shown.going, shown.mine, shown.counts) == ([7], "maybe", Counts(going=1, maybe=1))
    assert _plain(shown)
    listed = await events.listing(db, GUILD, clock.now())
    assert [(card.event.id, card.counts.going) for card in listed] == [(soon, 1), (late, 0)]
    assert _plain(listed)
    asked = await events.cancelling(db, GUILD, soon)
    assert (asked.event.id, asked.attendees) == (soon, 2) and _plain(asked)
    await events.cancel(db, GUILD, MOD, soon, clock.now())
    with pytest.raises(Invalid):
        await events.cancelling(db, GUILD, soon)


async def test_calendar_reads(db: Database, clock: FrozenClock) -> None:
    first = (await _create(db, clock, title="First")).event.id
    second = (await _create(db, clock, title="Second", start="2026-04-02 09:00")).event.id
    await events.answer(db, GUILD, second, 5, "maybe", clock.now())
    entry = await events.calendar_entry(db, GUILD, first)
    assert isinstance(entry, EventInfo) and entry.title == "First"
    with pytest.raises(NotFound):
        await events.calendar_entry(db, GUILD + 1, first)
    programme = await events.programme(db, GUILD, 5, clock.now(), 1)
    assert [event.id for event in programme.events] == [first] and programme.answers == {}
    programme = await events.programme(db, GUILD, 5, clock.now(), 10)
    assert [event.id for event in programme.events] == [first, second]
    assert programme.answers == {second: "maybe"} and _plain(programme)
    assert await events.autocomplete(db, GUILD, "sec", clock.now()) == [(second, "Second")]


async def test_set_announcement_is_kept(db: Database, clock: FrozenClock) -> None:
    event_id = (await _create(db, clock)).event.id
    await events.set_announcement(db, GUILD, event_id, 55, 66)
    card = await events.card(db, GUILD, event_id)
    assert (card.event.channel_id, card.event.message_id) == (55, 66)


async def test_remind_member_answers_with_plain_values(db: Database, clock: FrozenClock) -> None:
    event_id = (await _create(db, clock, title="Drill")).event.id
    planned = await reminders.remind_member(
        db, GUILD, 9, f"1h before event:{event_id}", "bring the badge", clock.now()
    )
    assert planned == reminders.PersonalReminder(datetime(2026, 4, 1, 8, 0, tzinfo=UTC), "Drill")
    with pytest.raises(Invalid):
        await reminders.remind_member(db, GUILD, 9, "in 2h", "  ", clock.now())
