"""Several processes on one database (sharded operation): each delivery is claimed by exactly one
engine; a live engine keeps its claims; the claims of a dead one are taken over after the timeout,
never at another engine's start; a claim lost to a takeover is neither sent nor settled again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.events import CLAIMED, SENT, Delivery
from bot.services import reminders
from bot.services.reminders.delivery import DeliveryEngine
from tests.unit.reminder_fakes import Crash, FakeDiscord

pytestmark = pytest.mark.engines  # several engines claiming on one database

GUILD = 1
TIMEOUT = timedelta(seconds=60)


def _shared(db: Database, discord: FakeDiscord, clock: FrozenClock, **options: object) -> DeliveryEngine:
    engine = DeliveryEngine(db, discord, backoff=0, shared=True, stale_claim=TIMEOUT, batch=25, **options)  # type: ignore[arg-type]
    engine.awake_since = clock.now()
    return engine


async def _personal_reminders(db: Database, clock: FrozenClock, count: int) -> None:
    async with db.transaction() as session:
        for user in range(1, count + 1):
            await reminders.remind(session, GUILD, user, "10m", f"check dosimeter {user}", clock.now())


async def _deliveries(db: Database) -> list[Delivery]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_three_engines_at_once_send_each_reminder_once(db: Database, clock: FrozenClock) -> None:
    await _personal_reminders(db, clock, 120)
    clock.advance(timedelta(minutes=10))
    discord = FakeDiscord(delay=0.001)
    engines = [_shared(db, discord, clock) for _ in range(3)]
    reports = await asyncio.gather(*(engine.run_due(clock.now()) for engine in engines))
    assert sorted(discord.calls) == sorted(set(discord.calls)), "a nonce was sent twice"
    assert len(discord.messages) == 120
    assert sum(report.sent for report in reports) == 120
    rows = await _deliveries(db)
    assert {row.state for row in rows} == {SENT}
    owners = {row.claimed_by for row in rows}
    assert owners <= {engine.owner for engine in engines} and None not in owners


async def test_a_dead_engines_claims_wait_for_the_timeout_then_are_taken_over(
    db: Database, clock: FrozenClock
) -> None:
    await _personal_reminders(db, clock, 3)
    clock.advance(timedelta(minutes=10))
    dying = _shared(db, FakeDiscord(crash_before_send=1), clock, concurrency=1)
    with pytest.raises(Crash):
        await dying.run_due(clock.now())
    assert [row.state for row in await _deliveries(db)] == [CLAIMED] * 3

    discord = FakeDiscord()
    other = _shared(db, discord, clock)
    await other.recover(clock.now())  # starting up: the claims may belong to a live process
    assert discord.messages == []
    clock.advance(TIMEOUT - timedelta(seconds=1))
    await other.run_due(clock.now())
    assert discord.messages == []
    clock.advance(timedelta(seconds=2))
    await other.run_due(clock.now())
    rows = await _deliveries(db)
    assert [row.state for row in rows] == [SENT] * 3
    assert {row.claimed_by for row in rows} == {other.owner}
    assert len(discord.messages) == 3


async def test_a_claim_taken_over_is_not_sent_or_settled_by_its_first_holder(
    db: Database, clock: FrozenClock
) -> None:
    await _personal_reminders(db, clock, 2)
    clock.advance(timedelta(minutes=10))
    slow_discord = FakeDiscord()
    slow = _shared(db, slow_discord, clock, concurrency=1)
    gate = asyncio.Event()
    sent_first = asyncio.Event()
    original = slow_discord.send

    async def send_then_stall(message):  # type: ignore[no-untyped-def]
        result = await original(message)
        sent_first.set()
        await gate.wait()  # paused (a long GC pause, a frozen VM) past the claim timeout
        return result

    slow_discord.send = send_then_stall  # type: ignore[method-assign]
    first_pass = asyncio.create_task(slow.run_due(clock.now()))
    await sent_first.wait()
    clock.advance(TIMEOUT + timedelta(seconds=1))
    discord = FakeDiscord()
    await _shared(db, discord, clock).run_due(clock.now())  # takes both over: sends the second
    slow.stale_claim = timedelta(0)  # its next send must first renew its lease: lost
    gate.set()
    await first_pass
    assert len(slow_discord.messages) == 1  # the second was never sent by the slow engine
    assert [m.target_id for m in discord.messages] == [1, 2]  # the first again, same nonce
    rows = await _deliveries(db)
    assert [row.state for row in rows] == [SENT, SENT]
    assert {row.claimed_by for row in rows} != {slow.owner}


async def test_single_process_engine_takes_everything_back_at_start(db: Database, clock: FrozenClock) -> None:
    await _personal_reminders(db, clock, 2)
    clock.advance(timedelta(minutes=10))
    crashing = DeliveryEngine(db, FakeDiscord(crash_before_send=1), backoff=0, concurrency=1)
    with pytest.raises(Crash):
        await crashing.run_due(clock.now())
    discord = FakeDiscord()
    await DeliveryEngine(db, discord, backoff=0).recover(clock.now())
    assert len(discord.messages) == 2
