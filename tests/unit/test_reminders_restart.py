"""SIGKILL the delivery engine at random moments, 20 times, with 50 reminders in flight: every
reminder is delivered exactly once (those missed while down marked late), none is lost.

Each "bot process" is a forked child running the engine against the same SQLite file and a fake
Discord that appends every send to a log; the parent kills it with SIGKILL at a random moment
(before, during or after reminders' moments: the clock moves 5 minutes per cycle), then starts
the next. Like Discord with ``enforce_nonce``, a nonce sent again is the same message."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.events import SENT, Reminder
from bot.services import reminders
from bot.services.reminders.delivery import DeliveryEngine, Outgoing

pytestmark = pytest.mark.engines  # processes killed between claim and confirm

GUILD = 1
IN_FLIGHT = 50
CYCLES = 20


class LoggingDiscord:
    """Appends ``nonce<TAB>text`` for every send, then takes a little time to answer."""

    def __init__(self, log: Path) -> None:
        self.log = log

    async def send(self, message: Outgoing) -> int | None:
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{message.nonce}\t{message.text}\t{int(message.late)}\n")
        await asyncio.sleep(0.01)
        return message.delivery_id


def _bot_process(url: str, now: datetime, log: Path, ready: Any) -> None:
    async def serve() -> None:
        database = Database(url)
        engine = DeliveryEngine(database, LoggingDiscord(log), backoff=0)
        ready.set()
        await engine.recover(now)
        await database.dispose()

    asyncio.run(serve())
    os._exit(0)


def _sends(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines())


async def _after_sends(log: Path, count: int, limit: float = 3.0) -> None:
    """Wait until the fake Discord has seen ``count`` more sends (or the process is done)."""
    target = _sends(log) + count
    deadline = asyncio.get_running_loop().time() + limit
    while _sends(log) < target and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110 (another process writes the log)
        await asyncio.sleep(0.002)


async def _run_once(url: str, now: datetime, log: Path, kill_at: tuple[int, float] | None) -> bool:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    process = context.Process(target=_bot_process, args=(url, now, log, ready))
    process.start()
    await asyncio.to_thread(ready.wait, 10)
    killed = False
    if kill_at is not None:
        sends, delay = kill_at
        await _after_sends(log, sends)
        await asyncio.sleep(delay)
        killed = process.is_alive()
        process.kill()  # SIGKILL: no cleanup of any kind
    await asyncio.to_thread(process.join, 30)
    return killed


async def test_sigkill_cycles_deliver_every_reminder_exactly_once(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    rng = random.Random(20261121)
    async with db.transaction() as session:
        for n in range(IN_FLIGHT):
            await reminders.remind(session, GUILD, 1000 + n, f"{2 * n + 1}m", f"reminder {n}", clock.now())
    log = tmp_path / "discord.log"
    log.touch()
    kills = 0
    for _cycle in range(CYCLES):
        clock.advance(timedelta(minutes=5))  # time passes while the bot is down
        # Kill after 0, 1 or 2 sends, then 0-12 ms: between claim, send and confirm.
        kills += await _run_once(db.url, clock.now(), log, (rng.randint(0, 2), rng.uniform(0, 0.012)))
    await _run_once(db.url, clock.now() + timedelta(minutes=5), log, None)

    nonces_per_text: dict[str, set[str]] = defaultdict(set)
    for line in log.read_text(encoding="utf-8").splitlines():
        nonce, text, _late = line.split("\t")
        nonces_per_text[text].add(nonce)
    assert kills >= 5, "the kills should hit processes at work"
    assert sorted(nonces_per_text) == sorted(f"reminder {n}" for n in range(IN_FLIGHT)), "a reminder was lost"
    # One nonce per reminder: a send repeated after a kill reuses it, so Discord shows one message.
    assert all(len(nonces) == 1 for nonces in nonces_per_text.values()), "a reminder was sent twice"
    async with db.transaction() as session:
        rows = list(await session.scalars(select(Reminder)))
    assert {r.state for r in rows} == {SENT}
    assert any(r.late for r in rows)
    print(f"{kills} kills, {_sends(log)} sends for {IN_FLIGHT} reminders")
