"""The one runtime: jobs at a moment or periodic, withdrawn by name, and a close that lets work end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime


async def test_at_runs_once_and_cancel_withdraws() -> None:
    runtime = Runtime()
    runtime.start()
    ran: list[str] = []
    done = asyncio.Event()

    async def first() -> None:
        ran.append("first")
        done.set()

    async def second() -> None:
        ran.append("second")

    soon = datetime.now(UTC) + timedelta(milliseconds=50)
    runtime.at("a", soon, first)
    runtime.at("b", soon, second)
    runtime.cancel("b")
    runtime.cancel("no-such-job")
    await asyncio.wait_for(done.wait(), 5)
    await runtime.close()
    assert ran == ["first"]


async def test_close_lets_running_work_finish_and_raises_the_stop_signal() -> None:
    runtime = Runtime()
    runtime.start()
    started, finished = asyncio.Event(), asyncio.Event()

    async def sweep() -> None:
        started.set()
        await asyncio.sleep(0.2)
        finished.set()

    runtime.every("sweep", sweep, minutes=5, now=True)
    await asyncio.wait_for(started.wait(), 5)
    assert not runtime.stopping
    await runtime.close(grace=5)
    assert runtime.stopping
    assert finished.is_set()
    runtime.cancel("sweep")  # after close: nothing to do, no error


async def test_spawned_work_is_awaited_by_close() -> None:
    runtime = Runtime()
    runtime.start()
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.1)
        finished.set()

    runtime.spawn(work(), name="work")
    await runtime.close(grace=5)
    assert finished.is_set()


async def test_soon_brings_a_periodic_jobs_turn_forward() -> None:
    runtime = Runtime()
    runtime.start()
    ran = asyncio.Event()

    async def sweep() -> None:
        ran.set()

    runtime.every("sweep", sweep, minutes=60)  # its first turn: in an hour
    runtime.soon("no-such-job")  # nothing to do, no error
    runtime.soon("sweep")
    await asyncio.wait_for(ran.wait(), 5)
    await runtime.close()
    runtime.soon("sweep")  # after close: nothing to do, no error
