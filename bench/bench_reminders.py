"""Benchmark of the reminder machinery: loading 100,000 pending reminders at start, the memory
they take, and how late reminders fire through the real scheduler and delivery engine.

1. A migrated SQLite database gets N pending reminders (100,000 by default) spread over 30 days,
   plus events with their reminders; the bot's start is timed: ``ReminderWakeups.load`` (one query, the
   moments coalesced into buckets, one APScheduler job armed). Memory: tracemalloc (what the
   wake-up heap keeps, and the peak while loading) and the process RSS.
2. Lateness: M reminders (2,000 by default) are then set to fall due over the next seconds, on
   top of the N still pending; the real ``ReminderRunner`` (APScheduler in this loop, the
   delivery engine with claims and confirmations in SQLite) sends them to a fake Discord that
   answers at once; lateness = send time - planned moment. Target p99 < 1 s.

    .venv/bin/python bench/bench_reminders.py            # 100,000 pending, 2,000 firing
    .venv/bin/python bench/bench_reminders.py --quick    # 10,000 pending, 300 firing
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import insert

from bot.clock import Clock
from bot.db import Database, migrate
from bot.db.models.events import KIND_EVENT, KIND_PERSONAL, PENDING, Reminder
from bot.services.reminders.delivery import DeliveryEngine, Outgoing
from bot.services.reminders.runner import ReminderRunner, ReminderWakeups

GUILD = 1
EVENTS = 500


class InstantDiscord:
    """Answers at once; records when each delivery was sent."""

    def __init__(self) -> None:
        self.sent_at: dict[int, float] = {}
        self.planned: dict[int, float] = {}

    async def send(self, message: Outgoing) -> int | None:
        self.sent_at[message.delivery_id] = time.time()
        self.planned[message.delivery_id] = message.fire_at.timestamp()
        return message.delivery_id


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1e6


def stamp(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(path: Path, pending: int, now: datetime) -> None:
    """Bulk-load with the standard library's sqlite3 (the bot's own writes are not timed here)."""
    rng = random.Random(6)
    starts = [now + timedelta(days=2 + n % 28, hours=n % 24) for n in range(EVENTS)]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO events (guild_id, title, starts_at, timezone, duration_minutes, repeat,"
            " reminder_offsets, materialized_until, rsvp_seq, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 90, ?, '1d, 1h', ?, 0, ?, ?)",
            [
                (
                    GUILD,
                    f"Exercise {n}",
                    stamp(start),
                    "Europe/Paris",
                    "weekly" if n % 10 == 0 else "none",
                    stamp(start),
                    stamp(now),
                    stamp(now),
                )
                for n, start in enumerate(starts)
            ],
        )
        rows: list[tuple[object, ...]] = []
        for n in range(pending):
            if n % 4 == 0:  # event reminders, on whole minutes
                event_id = 1 + n % EVENTS
                fire_at = starts[event_id - 1] - timedelta(minutes=60 * (1 + n % 24))
                rows.append((GUILD, KIND_EVENT, event_id, None, None, stamp(fire_at), stamp(now)))
            else:  # personal ones, at any second
                fire_at = now + timedelta(seconds=rng.randint(60, 30 * 86400))
                rows.append(
                    (
                        GUILD,
                        KIND_PERSONAL,
                        None,
                        10_000 + n % 5_000,
                        f"reminder {n}",
                        stamp(fire_at),
                        stamp(now),
                    )
                )
        conn.executemany(
            "INSERT INTO reminders (guild_id, kind, event_id, user_id, text, fire_at, state, late,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
            rows,
        )


async def add_firing(db: Database, count: int, within: float, clock: Clock) -> list[datetime]:
    base = clock.now() + timedelta(seconds=2)
    moments = [base + timedelta(seconds=within * n / count) for n in range(count)]
    rows = [
        {
            "guild_id": GUILD,
            "kind": KIND_PERSONAL,
            "user_id": 1 + n,
            "text": "now",
            "fire_at": moment,
            "state": PENDING,
            "created_at": clock.now(),
        }
        for n, moment in enumerate(moments)
    ]
    async with db.transaction() as session:
        await session.execute(insert(Reminder), rows)
    return moments


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(pending: int, firing: int, within: float) -> None:
    path = Path(tempfile.mkdtemp(prefix="bench-reminders-")) / "bench.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(db.engine)
    clock = Clock()
    started = time.perf_counter()
    fill(path, pending, clock.now())
    print(
        f"filled {pending:,} pending reminders and {EVENTS} events in {time.perf_counter() - started:.1f} s"
    )

    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
    scheduler.start()
    discord = InstantDiscord()
    runner = ReminderRunner(db, clock, scheduler, DeliveryEngine(db, discord, backoff=0.05))
    rss_before = rss_mb()
    started = time.perf_counter()
    buckets = await runner.start()
    load_s = time.perf_counter() - started
    rss_after = rss_mb()
    verdict = "OK" if load_s < 2 else "MISSED"
    print(f"load + schedule at start: {load_s * 1000:.0f} ms for {pending:,} pending reminders")
    print(f"  ({buckets:,} wake-up buckets, one APScheduler job) — target < 2000 ms: {verdict}")
    tracemalloc.start()
    probe = ReminderWakeups(None, clock, runner.run)
    await probe.load(db)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory: {kept / 1e6:.1f} MB kept by the wake-up heap, {peak / 1e6:.1f} MB peak while loading;")
    print(f"  process RSS +{rss_after - rss_before:.1f} MB across the load ({rss_after:.0f} MB total)")
    await runner.recover()

    moments = await add_firing(db, firing, within, clock)
    runner.notify(moments)
    deadline = time.time() + within + 30
    while len(discord.sent_at) < firing and time.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    lateness = [discord.sent_at[d] - discord.planned[d] for d in discord.sent_at]
    scheduler.shutdown(wait=False)
    await db.dispose()
    if not lateness:
        print("lateness: nothing fired")
        return
    p50, p95, p99 = (pct(lateness, q) * 1000 for q in (0.5, 0.95, 0.99))
    print(
        f"lateness of {len(lateness):,}/{firing:,} reminders due over {within:.0f} s,"
        f" {pending:,} others pending:"
    )
    print(
        f"  p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(lateness) * 1000:.0f} ms,"
        f" mean {statistics.mean(lateness) * 1000:.0f} ms"
        f" — target p99 < 1000 ms: {'OK' if p99 < 1000 else 'MISSED'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 pending, 300 firing")
    parser.add_argument("--pending", type=int)
    parser.add_argument("--firing", type=int)
    args = parser.parse_args()
    pending = args.pending or (10_000 if args.quick else 100_000)
    firing = args.firing or (300 if args.quick else 2_000)
    asyncio.run(main(pending, firing, within=5.0 if args.quick else 20.0))
