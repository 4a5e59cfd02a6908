"""Resource library benchmark: import throughput, search and autocomplete latency, vs a LIKE scan.

Generates N resources (default 100,000) in one server of a fresh SQLite database, imports them through
the same service as ``liaison resources import``, then times, at the service level, ``search`` and
``autocomplete`` (p50/p95/p99) and the same searches done as a naive ``LIKE '%word%'`` scan, in the
same run. Prints the figures; exits 0. ``--quick`` uses 5,000 resources and fewer queries.

    .venv/bin/python bench/bench_resources.py [--quick] [--count N] [--queries N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import and_, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db import Database, migrate
from bot.db.models.resources import Resource
from bot.services.resources import searching, transfer

GUILD = 1
NOW = datetime(2026, 11, 21, tzinfo=UTC)
SUBJECTS = [
    "radiation portal monitor",
    "radionuclide identification device",
    "personal radiation detector",
    "dosimetry",
    "détection aux frontières",
    "nuclear forensics",
    "crime scene",
    "border crossing",
    "material out of regulatory control",
    "orphan sources",
    "illicit trafficking",
    "contamination",
    "spectroscopy",
    "alarm adjudication",
    "gamma spectrometry",
    "neutron detection",
    "emergency response",
    "sécurité nucléaire",
    "protection physique",
    "transport security",
    "insider threat",
    "exercise planning",
]
KINDS = [
    "guide",
    "checklist",
    "operating sheet",
    "training module",
    "case study",
    "fiche pratique",
    "manuel",
    "report",
    "webinar",
    "implementation kit",
    "template",
    "standard",
]
FILLER = [
    "the",
    "a",
    "of",
    "for",
    "and",
    "with",
    "on",
    "in",
    "to",
    "by",
    "agency",
    "national",
    "regional",
    "practitioners",
    "field",
    "officers",
    "procedures",
    "equipment",
    "handbook",
    "annex",
    "version",
    "update",
    "review",
    "customs",
    "police",
    "laboratory",
]
TAGS = [
    "riid",
    "rpm",
    "prd",
    "itdb",
    "icsant",
    "cppnm",
    "cbrn",
    "border",
    "forensics",
    "dosimetry",
    "training",
    "law",
    "customs",
    "police",
    "lab",
    "exercise",
    "frontière",
    "détection",
]
QUERIES = [
    "dosimetry",
    "portal monitor",
    "RIID",
    "détection",
    "forensics crime scene",
    "spectro",
    "alarm adjud",
    "orphan sources",
    "insider",
    "neutron",
    "CPPNM",
    "training module border",
    "fiche pratique",
    "transport security guide",
    "contamination",
]
TYPED = ["d", "do", "dos", "dosim", "por", "portal m", "ri", "riid op", "fiche", "neut", "12", ""]


def corpus(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        words = " ".join(rng.choice(FILLER) for _ in range(rng.randint(15, 40)))
        rows.append(
            {
                "title": f"{subject.capitalize()} {kind} {i}",
                "url": f"https://library.example.org/r/{i}",
                "description": f"{kind} about {subject}: {words}",
                "tags": rng.sample(TAGS, rng.randint(1, 4)),
                "language": "fr" if any(ch in subject + kind for ch in "éè") or rng.random() < 0.2 else "en",
                "label": rng.choice(["TLP:CLEAR", "TLP:GREEN", "TLP:GREEN", "TLP:AMBER"]),
            }
        )
    return rows


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return at(0.50), at(0.95), at(0.99)


async def timed(
    db: Database, runs: int, items: list[str], work: Callable[..., Awaitable[object]]
) -> list[float]:
    samples = []
    async with db.sessions() as session:
        for i in range(runs):
            item = items[i % len(items)]
            start = time.perf_counter()
            await work(session, item)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


async def like_scan(session: object, text: str) -> list[int]:
    """The naive baseline: every word as LIKE '%word%' over title, tags and description, title
    matches first (a naive ranking, so every row is looked at, as any ranked search must)."""
    words = text.split()
    conditions = [
        (Resource.title.ilike(f"%{w}%"))
        | (Resource.tags.ilike(f"%{w}%"))
        | (Resource.description.ilike(f"%{w}%"))
        for w in words
    ]
    in_title = and_(*(Resource.title.ilike(f"%{w}%") for w in words))
    statement = (
        select(Resource.id)
        .where(Resource.guild_id == GUILD, Resource.label.in_(["TLP:CLEAR", "TLP:GREEN"]), and_(*conditions))
        .order_by(in_title.desc(), Resource.id.desc())
        .limit(25)
    )
    return list(await session.scalars(statement))  # type: ignore[attr-defined]


def _ok(met: bool) -> str:
    return "OK" if met else "MISSED"


def line(name: str, samples: list[float]) -> str:
    p50, p95, p99 = percentiles(samples)
    return f"{name:<28} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   p99 {p99:8.3f} ms   (n={len(samples)})"


async def main(count: int, queries: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await migrate.upgrade(db.engine)
        rows = corpus(count)
        text = transfer.render(rows, ".jsonl")
        start = time.perf_counter()
        records = list(transfer.read_records(text, ".jsonl"))
        async with db.transaction() as session:
            report = await transfer.import_records(session, GUILD, records, now=NOW)
        elapsed = time.perf_counter() - start
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work skews the tails)")
        print(f"corpus: {count:,} resources, {len(text) / 1e6:.1f} MB of JSON Lines")
        print(
            f"import: {report.added:,} added in {elapsed:.2f} s = {report.added / elapsed:,.0f} resources/s"
        )
        start = time.perf_counter()
        async with db.transaction() as session:
            again = await transfer.import_records(session, GUILD, records, now=NOW)
        print(
            f"re-import (no-op): {again.unchanged:,} unchanged, {again.added + again.updated} changed "
            f"in {time.perf_counter() - start:.2f} s"
        )

        async def find(session: object, q: str) -> object:
            return await searching.search(session, GUILD, q, verified=False)  # type: ignore[arg-type]

        async def complete(session: object, q: str) -> object:
            return await searching.autocomplete(session, GUILD, q, verified=False)  # type: ignore[arg-type]

        await timed(db, len(QUERIES), QUERIES, find)  # warm the page cache
        search_ms = await timed(db, queries, QUERIES, find)
        complete_ms = await timed(db, queries, TYPED, complete)
        scan_runs = max(len(QUERIES), queries // 10)
        scan_ms = await timed(db, scan_runs, QUERIES, like_scan)
        matched_search = await timed(db, scan_runs, QUERIES, find)
        print(line("search", search_ms))
        print(line("autocomplete", complete_ms))
        print(line("LIKE '%…%' scan (baseline)", scan_ms))
        ratio = statistics.mean(scan_ms) / statistics.mean(matched_search)
        p50_ratio = percentiles(scan_ms)[0] / percentiles(matched_search)[0]
        p95_ratio = percentiles(scan_ms)[1] / percentiles(matched_search)[1]
        print(
            f"search vs scan (same queries): {ratio:.0f}x faster on average, {p50_ratio:.0f}x at p50, "
            f"{p95_ratio:.0f}x at p95"
        )
        start = time.perf_counter()
        async with db.sessions() as session:
            typo = await searching.search(session, GUILD, "dosimetery", verified=False)
        first = (time.perf_counter() - start) * 1000
        typo_ms = await timed(db, 20, ["dosimetery", "portal monitr", "forensix"], find)
        print(
            f"did-you-mean: first call {first:.0f} ms, then {line('', typo_ms).strip()} -> {typo.corrected!r}"
        )
        p95s, p99c = percentiles(search_ms)[1], percentiles(complete_ms)[2]
        print(
            f"targets: search p95 {p95s:.2f} < 5 ms {_ok(p95s < 5)}; autocomplete p99 "
            f"{p99c:.2f} < 10 ms {_ok(p99c < 10)}; >= 50x scan {_ok(ratio >= 50)}"
        )
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 resources, 200 queries")
    parser.add_argument("--count", type=int)
    parser.add_argument("--queries", type=int)
    args = parser.parse_args()
    count = args.count or (5_000 if args.quick else 100_000)
    queries = args.queries or (200 if args.quick else 1_000)
    asyncio.run(main(count, queries))
