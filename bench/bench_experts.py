"""Benchmark of ``/expert find`` (and Q&A routing candidates) at the service level.

Builds a migrated SQLite database with N profiles (50,000 by default) in one server, then times
typical searches through ``bot.services.experts.find``, each in its own transaction as the cog
runs it. Prints p50/p95/p99 per kind of search and overall; the target is p95 < 10 ms.

    .venv/bin/python bench/bench_experts.py            # 50,000 profiles
    .venv/bin/python bench/bench_experts.py --quick    # 5,000 profiles, fewer rounds
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.db import Database, migrate
from bot.db.models.experts import ExpertArea, ExpertiseArea, ExpertLanguage, ExpertProfile
from bot.services import experts
from bot.services.experts import index
from bot.services.experts.areas import DEFAULT_AREAS
from bot.services.experts.vocab import fold

GUILD = 1
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
COUNTRIES = ["FR", "KH", "DE", "US", "GB", "MA", "SN", "VN", "TH", "CA", "BE", "CH", "JP", "BR", "KE"]
LANGUAGES = ["en", "fr", "km", "de", "es", "ar", "vi", "th", "ja", "pt"]
ZONES = ["Europe/Paris", "Asia/Phnom_Penh", "America/New_York", "Africa/Dakar", "Asia/Tokyo", "UTC"]
AGENCIES = ["Customs", "Police", "Nuclear Regulator", "Border Guard", "Civil Protection", "Energy Ministry"]
FREE_AREAS = [f"Special topic {n}" for n in range(50)]


async def populate(db: Database, count: int, rng: random.Random) -> None:
    labels = list(DEFAULT_AREAS) + FREE_AREAS
    async with db.transaction() as session:
        await session.execute(
            insert(ExpertiseArea),
            [{"id": i + 1, "guild_id": GUILD, "key": fold(lb), "label": lb} for i, lb in enumerate(labels)],
        )
        profiles, areas, langs = [], [], []
        for pid in range(1, count + 1):
            agency = f"{rng.choice(AGENCIES)} {rng.randint(1, 200)}"
            verified = rng.random() < 0.2
            profiles.append(
                {
                    "id": pid,
                    "guild_id": GUILD,
                    "user_id": 10**17 + pid,
                    "agency": agency,
                    "agency_key": fold(agency),
                    "country": rng.choice(COUNTRIES),
                    "timezone": rng.choice(ZONES),
                    "bio": None,
                    "visibility": "verified" if rng.random() < 0.1 else "members",
                    "consent_text": "I agree",
                    "consent_at": NOW,
                    "verified_until": NOW + timedelta(days=200) if verified else None,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            for area_id in rng.sample(range(1, len(labels) + 1), rng.randint(1, 4)):
                areas.append({"profile_id": pid, "area_id": area_id, "guild_id": GUILD})
            for code in rng.sample(LANGUAGES, rng.randint(1, 3)):
                langs.append({"profile_id": pid, "code": code, "guild_id": GUILD})
        await session.execute(insert(ExpertProfile), profiles)
        await session.execute(insert(ExpertArea), areas)
        await session.execute(insert(ExpertLanguage), langs)
        await index.touch(session, GUILD, 1)
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")


def searches(rng: random.Random) -> dict[str, Callable[[], dict[str, Any]]]:
    area = lambda: rng.choice(DEFAULT_AREAS).split()[0].lower()  # noqa: E731
    return {
        "expertise (1 term)": lambda: {"expertise": area()},
        "expertise (3 terms)": lambda: {"expertise": ", ".join(area() for _ in range(3))},
        "country": lambda: {"country": rng.choice(COUNTRIES)},
        "language": lambda: {"language": rng.choice(LANGUAGES)},
        "agency": lambda: {"agency": rng.choice(AGENCIES).split()[0]},
        "expertise+country+language": lambda: {
            "expertise": area(),
            "country": rng.choice(COUNTRIES),
            "language": rng.choice(LANGUAGES),
        },
        "no filter": lambda: {},
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def timed(rounds: int, call: Callable[[], Awaitable[Any]]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per call (CPU time of the whole process, the database
    thread included: the figure that does not depend on what else the machine is running)."""
    await call()  # warm-up
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        await call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def line(name: str, wall: list[float], cpu: list[float], extra: str = "") -> str:
    figures = " ".join(f"{pct(wall, p):7.2f}" for p in (50, 95, 99))
    return f"{name:28} {figures}   {pct(cpu, 50):6.2f} {pct(cpu, 95):6.2f}  {extra}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 profiles, fewer rounds")
    parser.add_argument("--profiles", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    count = args.profiles or (5_000 if args.quick else 50_000)
    rounds = args.rounds or (30 if args.quick else 200)
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate.upgrade(db.engine)
        start = time.perf_counter()
        await populate(db, count, rng)
        print(f"profiles: {count:,} inserted in {time.perf_counter() - start:.1f} s")
        every: list[float] = []
        every_cpu: list[float] = []
        print(f"ms, {rounds} runs each          wall p50     p95     p99   cpu p50    p95  results")
        for name, make in searches(rng).items():
            totals: list[int] = []

            async def run(make: Callable[[], dict[str, Any]] = make, totals: list[int] = totals) -> None:
                async with db.transaction() as session:
                    page = await experts.find(
                        session, GUILD, viewer_verified=False, now=NOW, limit=50, **make()
                    )
                totals.append(page.total)

            wall, cpu = await timed(rounds, run)
            every += wall
            every_cpu += cpu
            print(line(f"find: {name}", wall, cpu, f"~{statistics.mean(totals):,.0f}"))

        async def route() -> None:
            async with db.transaction() as session:
                await experts.routing_candidates(
                    session,
                    GUILD,
                    terms=["How to calibrate a RIID for radiation detection?", "detection"],
                    languages=["en", "fr"],
                    exclude_user_ids={10**17 + 1},
                    now=NOW,
                )

        print(line("routing_candidates", *await timed(rounds, route)))
        changes = 0

        async def find_after_a_change() -> None:
            nonlocal changes
            changes += 1
            change = experts.ProfileInput(country=rng.choice(COUNTRIES), expertise=rng.choice(DEFAULT_AREAS))
            async with db.transaction() as session:
                await experts.update_profile(session, GUILD, 10**17 + changes, change, now=NOW)
            start, start_cpu = time.perf_counter(), time.process_time()
            async with db.transaction() as session:
                await experts.find(session, GUILD, viewer_verified=False, now=NOW, country=change.country)
            after_change.append((time.perf_counter() - start) * 1000)
            after_change_cpu.append((time.process_time() - start_cpu) * 1000)

        after_change: list[float] = []
        after_change_cpu: list[float] = []
        for _ in range(min(rounds, 50)):
            await find_after_a_change()
        print(line("find just after an update", after_change, after_change_cpu, "(index catches up)"))
        index.forget()
        start = time.perf_counter()
        async with db.transaction() as session:
            await index.load(session, GUILD)
        print(
            f"full index build (process start, or far behind): {(time.perf_counter() - start) * 1000:.0f} ms"
        )
        p95 = pct(every, 95)
        print(
            f"find overall: wall p50 {pct(every, 50):.2f} ms, p95 {p95:.2f} ms, p99 {pct(every, 99):.2f} ms; "
            f"cpu p95 {pct(every_cpu, 95):.2f} ms (target p95 < 10 ms: {'met' if p95 < 10 else 'NOT met'})"
        )
        await db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
