"""RSVPs: capacity, waiting list, promotion, and 100 concurrent RSVPs on SQLite."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.services import events
from bot.services.events import Counts, EventInput

pytestmark = pytest.mark.engines  # capacity held under concurrent RSVPs

GUILD = 1


async def _event(db: Database, clock: FrozenClock, capacity: int | None) -> int:
    data = EventInput(title="Course", start="2026-04-01 09:00", timezone="UTC", capacity=capacity)
    async with db.transaction() as session:
        return (await events.create(session, GUILD, 100, data, clock.now())).event.id


async def _rsvp(db: Database, clock: FrozenClock, event_id: int, user: int, status: str) -> events.RsvpResult:
    async with db.transaction() as session:
        return await events.rsvp(session, GUILD, event_id, user, status, clock.now())


async def test_capacity_waiting_list_and_promotion_in_order(db: Database, clock: FrozenClock) -> None:
    event_id = await _event(db, clock, capacity=2)
    assert (await _rsvp(db, clock, event_id, 1, "going")).status == "going"
    assert (await _rsvp(db, clock, event_id, 2, "going")).status == "going"
    assert (await _rsvp(db, clock, event_id, 3, "going")).status == "waiting"
    result = await _rsvp(db, clock, event_id, 4, "going")
    assert result.status == "waiting" and result.counts == Counts(going=2, waiting=2)
    # Asking again keeps one's place in the queue.
    assert (await _rsvp(db, clock, event_id, 3, "going")).status == "waiting"
    result = await _rsvp(db, clock, event_id, 1, "not_going")
    assert result.promoted == [3]
    assert result.counts == Counts(going=2, not_going=1, waiting=1)
    result = await _rsvp(db, clock, event_id, 2, "maybe")
    assert result.promoted == [4]
    async with db.transaction() as session:
        assert await events.members_with(session, event_id, "going") == [3, 4]


async def test_raising_capacity_promotes_and_erasure_frees_a_place(db: Database, clock: FrozenClock) -> None:
    event_id = await _event(db, clock, capacity=1)
    for user in (1, 2, 3):
        await _rsvp(db, clock, event_id, user, "going")
    async with db.transaction() as session:
        change = await events.edit(session, GUILD, 100, event_id, EventInput(capacity=2), clock.now())
    assert change.promoted == [2]
    async with db.transaction() as session:
        await events.erase_member(session, GUILD, 1)
    async with db.transaction() as session:
        assert await events.members_with(session, event_id, "going") == [2, 3]
        assert await events.my_status(session, event_id, 1) is None
        exported = await events.export_member(session, GUILD, 2)
    assert exported["rsvps"][0]["status"] == "going"


async def test_hundred_concurrent_rsvps_give_exact_counts(db: Database, clock: FrozenClock) -> None:
    event_id = await _event(db, clock, capacity=30)
    results = await asyncio.gather(*(_rsvp(db, clock, event_id, user, "going") for user in range(1, 101)))
    statuses = [r.status for r in results]
    assert statuses.count("going") == 30 and statuses.count("waiting") == 70
    async with db.transaction() as session:
        assert await events.counts(session, event_id) == Counts(going=30, waiting=70)
        going = await events.members_with(session, event_id, "going")
    # Half of those going leave at once: exactly that many are promoted, nobody is lost.
    leaving = going[:15]
    results = await asyncio.gather(*(_rsvp(db, clock, event_id, user, "not_going") for user in leaving))
    promoted = [user for r in results for user in r.promoted]
    assert len(promoted) == len(set(promoted)) == 15
    async with db.transaction() as session:
        assert await events.counts(session, event_id) == Counts(going=30, not_going=15, waiting=55)


async def test_stats_count_events_and_rsvps(db: Database, clock: FrozenClock) -> None:
    event_id = await _event(db, clock, capacity=None)
    await _rsvp(db, clock, event_id, 1, "going")
    await _rsvp(db, clock, event_id, 2, "not_going")
    async with db.transaction() as session:
        assert await events.stats(session, GUILD) == {"events.stats.events": 1, "events.stats.rsvps": 1}
        assert await events.stats(session, GUILD + 1) == {"events.stats.events": 0, "events.stats.rsvps": 0}


async def test_answer_languages_are_read_once_for_a_whole_round(db: Database, clock: FrozenClock) -> None:
    event_id, other = await _event(db, clock, capacity=None), await _event(db, clock, capacity=None)
    async with db.transaction() as session:
        await events.rsvp(session, GUILD, event_id, 1, "going", clock.now(), language="fr")
        await events.rsvp(session, GUILD, event_id, 2, "maybe", clock.now(), language="en")
        await events.rsvp(session, GUILD, event_id, 3, "going", clock.now())  # no language known
        await events.rsvp(session, GUILD, other, 4, "going", clock.now(), language="fr")
    async with db.transaction() as session:
        assert await events.answer_languages(session, event_id) == {1: "fr", 2: "en"}
