"""Wake-ups: rebuilt from the database at start, coalesced, armed on a real APScheduler, and a
reminder fires through them within a second of its moment."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, FrozenClock
from bot.db import Database
from bot.services import reminders
from bot.services.reminders.delivery import DeliveryEngine, PassReport
from bot.services.reminders.runner import JOB_ID, ReminderRunner, ReminderWakeups
from tests.unit.reminder_fakes import FakeDiscord

pytestmark = pytest.mark.engines  # wake-up buckets computed in SQL per dialect

GUILD = 1


async def test_load_coalesces_pending_moments_into_buckets(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        for n in range(30):  # 30 reminders over 3 distinct minutes
            await reminders.remind(session, GUILD, n, f"{10 + n % 3}m", "x", clock.now())
    runs: list[int] = []

    async def run() -> None:
        runs.append(1)

    wakeups = ReminderWakeups(None, clock, run)
    assert await wakeups.load(db) == 3
    wakeups.add([clock.now() + timedelta(minutes=10)])  # already known: no new bucket
    assert len(wakeups) == 3
    clock.advance(timedelta(minutes=11))
    await wakeups.wake()
    assert runs == [1] and len(wakeups) == 1


@pytest.mark.serial  # on time within a second: alone, not beside other tests
async def test_a_reminder_fires_through_the_scheduler_on_time(db: Database) -> None:
    clock = Clock()
    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
    scheduler.start()
    discord = FakeDiscord()
    runner = ReminderRunner(db, clock, scheduler, DeliveryEngine(db, discord, backoff=0))
    try:
        await runner.start()
        await runner.recover()
        moment = clock.now() + timedelta(seconds=0.5)
        async with db.transaction() as session:
            planned = await reminders.remind(session, GUILD, 7, "in 1m", "stand-up", clock.now())
            planned.reminder.fire_at = moment
        runner.notify([moment])
        assert scheduler.get_job(JOB_ID) is not None
        deadline = time.monotonic() + 5
        while not discord.messages and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        lateness = (clock.now() - moment).total_seconds()
        assert [m.text for m in discord.messages] == ["stand-up"]
        assert 0 <= lateness < 1.0, lateness
    finally:
        scheduler.shutdown(wait=False)


async def test_clock_jump_runs_what_became_due(db: Database, clock: FrozenClock) -> None:
    discord = FakeDiscord()
    runner = ReminderRunner(db, clock, None, DeliveryEngine(db, discord, backoff=0))
    await runner.start()
    order: list[str] = []
    recover, run_due = runner.engine.recover, runner.engine.run_due

    async def recovering(now: datetime) -> PassReport:
        report = await recover(now)
        order.append("recovered")
        return report

    async def passing(now: datetime, **kwargs: Any) -> PassReport:
        order.append("early pass" if asyncio.current_task() is early else "recovery's pass")
        return await run_due(now, **kwargs)

    runner.engine.recover, runner.engine.run_due = recovering, passing  # type: ignore[method-assign]
    early = asyncio.create_task(runner.run())
    await runner.recover()
    await early
    # a pass asked for before the recovery pass waits for it (which judges what was missed)
    assert order == ["recovery's pass", "recovered", "early pass"]
    async with db.transaction() as session:
        await reminders.remind(session, GUILD, 7, "2h", "after the jump", clock.now())
    clock.advance(timedelta(hours=2, seconds=1))
    report = await runner.run()
    assert (report.sent, report.late) == (1, 0)


async def test_a_burst_of_wake_ups_shares_passes(db: Database, clock: FrozenClock) -> None:
    engine = DeliveryEngine(db, FakeDiscord(), backoff=0)
    passes: list[int] = []
    run_due = engine.run_due

    async def counting(now: object, **kwargs: object) -> object:
        passes.append(1)
        await asyncio.sleep(0.02)
        return await run_due(clock.now())

    engine.run_due = counting  # type: ignore[assignment,method-assign]
    runner = ReminderRunner(db, clock, None, engine)
    await runner.recover()
    passes.clear()
    reports = await asyncio.gather(*(runner.run() for _ in range(20)))
    assert len(reports) == 20 and len(passes) == 2  # the one running, and one shared by the rest


async def test_a_poll_at_work_when_the_scheduler_stops_ends_quietly(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Shared databases are polled; APScheduler's shutdown cancels the jobs still running, so the
    poll's pass runs in a task of its own, which sees the shutdown and stops without an error."""
    clock = Clock()
    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
    scheduler.start()
    discord = FakeDiscord(delay=0.5)
    engine = DeliveryEngine(
        db,
        discord,
        backoff=0,
        shared=True,
        stale_claim=timedelta(seconds=3),
        stopped=lambda: not scheduler.running,
    )
    runner = ReminderRunner(db, clock, scheduler, engine)
    await runner.start()
    await runner.recover()
    async with db.transaction() as session:  # written by "another process": only a poll sees it
        planned = await reminders.remind(session, GUILD, 7, "in 1m", "stand-up", clock.now())
        planned.reminder.fire_at = clock.now()
    deadline = time.monotonic() + 5
    while not discord.calls and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    assert discord.calls, "the poll did not pick the reminder up"
    with caplog.at_level(logging.INFO):
        scheduler.shutdown(wait=False)  # the send is under way
        await runner.aclose()
        # whatever was cancelled has ended and logged (aclose waits for the passes it tracks)
        others = asyncio.all_tasks() - {asyncio.current_task()}
        await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), 5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
