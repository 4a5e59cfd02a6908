"""Resource library benchmark: import throughput, search and autocomplete latency, vs a LIKE scan.

Generates N resources (default 100,000) in one server of a fresh database, imports them through the
same service as ``liaison resources import``, warms the search memory as the bot does in the
background after a start or a change, then times, at the service level, ``search`` and
``autocomplete`` (p50/p95/p99) and the same searches done as a naive ``LIKE '%word%'`` scan, in the
same run. On SQLite and, beside it, on PostgreSQL when one is at hand (``--postgres URL``,
``$LIAISON_BENCH_POSTGRES_URL``, or a throwaway cluster started here; see ``bench/engines.py``): the
same corpus and queries on both, the engines taking turns query by query, and per operation
p50/p95/p99 on each and the ratio PostgreSQL/SQLite. Prints the figures; exits 0. ``--quick`` uses
5,000 resources and fewer queries (a couple of minutes with PostgreSQL).

    .venv/bin/python bench/bench_resources.py [--quick] [--count N] [--queries N]
                                              [--postgres URL | --sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.engines import (
    Comparison,
    Engine,
    Work,
    add_arguments,
    agreement,
    engines,
    interleaved,
    percentiles,
)
from bot.db.models.resources import Resource
from bot.services.resources import searching, transfer, typeahead

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
    # natural questions of 4 to 8 words, some made of the library's most common words
    "secondary inspection localize source handheld after portal alarm",
    "sampling and chain of custody at a radiological crime scene",
    "national procedures for customs officers",
    "regional field officers handbook annex update",
    "police laboratory equipment review for nuclear forensics",
    "détection des matières hors contrôle réglementaire",
    "neutron detection training module for border police",
    "how to adjudicate a gamma spectrometry alarm",
]
TYPED = ["d", "do", "dos", "dosim", "por", "portal m", "ri", "riid op", "fiche", "neut", "12", ""]


def corpus(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
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


def novel_queries(count: int, seed: int = 5) -> list[str]:
    """``count`` different queries of 1 to 4 words of the corpus, in an order no other part uses."""
    rng = random.Random(seed)
    pool = sorted({w for text in SUBJECTS + KINDS for w in text.split()} | set(FILLER[10:]) | set(TAGS))
    found: dict[str, None] = {}
    while len(found) < count:
        found[" ".join(rng.sample(pool, rng.randint(1, 4)))] = None
    return list(found)


async def like_scan(session: AsyncSession, text: str) -> list[int]:
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
    return list(await session.scalars(statement))


def _ok(met: bool) -> str:
    return "OK" if met else "MISSED"


@contextmanager
def batches_timed(samples: list[float]) -> Iterator[None]:
    """Times each multi-row insert of an import (``transfer.BATCH`` new resources and their tags)."""
    original = transfer._insert

    async def timed_insert(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        try:
            await original(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - start) * 1000)

    transfer._insert = timed_insert  # type: ignore[assignment]
    try:
        yield
    finally:
        transfer._insert = original  # type: ignore[assignment]


async def load(engine: Engine, text: str, table: Comparison, batch_ms: dict[str, list[float]]) -> None:
    """Import the corpus as ``liaison resources import`` does (one transaction), then again (no-op)."""
    db, name = engine.db, engine.name
    samples = batch_ms.setdefault(name, [])
    start = time.perf_counter()
    records = list(transfer.read_records(text, ".jsonl"))
    with batches_timed(samples):
        async with db.transaction() as session:
            report = await transfer.import_records(session, GUILD, records, now=NOW)
    elapsed = time.perf_counter() - start
    print(
        f"{name}: import {report.added:,} added in {elapsed:.2f} s "
        f"= {report.added / elapsed:,.0f} resources/s"
    )
    start = time.perf_counter()
    async with db.transaction() as session:
        again = await transfer.import_records(session, GUILD, records, now=NOW)
    again_s = time.perf_counter() - start
    print(
        f"{name}: re-import (no-op): {again.unchanged:,} unchanged, {again.added + again.updated} changed "
        f"in {again_s:.2f} s"
    )
    settle = await engine.settle()
    table.one_off("import (one transaction)", "s", name, elapsed)
    table.one_off("re-import (no-op)", "s", name, again_s)
    if engine.postgres:
        table.one_off("VACUUM ANALYZE after the load", "s", name, settle)


async def add_one(engine: Engine, i: int) -> None:
    """Another transaction adds a resource of the corpus's kind (the library's token changes: what
    search memory held is read again as asked, ``bot.db.resident``)."""
    row = {**corpus(1, seed=1000 + i)[0], "url": f"https://library.example.org/new/{i}"}
    records = list(transfer.read_records(transfer.render([row], ".jsonl"), ".jsonl"))
    async with engine.db.transaction() as session:
        await transfer.import_records(session, GUILD, records, now=NOW)


async def find(session: AsyncSession, q: str) -> object:
    return await searching.search(session, GUILD, q, verified=False)


async def complete(session: AsyncSession, q: str) -> object:
    return await typeahead.autocomplete(session, GUILD, q, verified=False)


def over(items: list[str], work: Callable[[AsyncSession, str], Awaitable[object]]) -> Work:
    async def call(session: AsyncSession, i: int) -> object:
        return await work(session, items[i % len(items)])

    return call


async def main(count: int, queries: int, args: argparse.Namespace) -> None:
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load_avg} (other work skews the tails)")
    rows = corpus(count)
    text = transfer.render(rows, ".jsonl")
    print(
        f"corpus: {count:,} resources, {len(text) / 1e6:.1f} MB of JSON Lines (seed 7, same on every engine)"
    )
    table = Comparison()
    async with engines(args) as found:
        batch_ms: dict[str, list[float]] = {}
        for engine in found:
            await load(engine, text, table, batch_ms)
            # as the bot does in the background after a start or a change (cogs/resources)
            start = time.perf_counter()
            warmed = await searching.warm(engine.db, GUILD)
            table.one_off("warming: most common terms read", "s", engine.name, time.perf_counter() - start)
            table.one_off("warming: postings held", "count", engine.name, warmed)
        table.add(f"import: insert of {transfer.BATCH} resources", batch_ms)

        async def hit_count(session: AsyncSession, i: int) -> int:
            return len((await searching.search(session, GUILD, QUERIES[i], verified=False)).hits)

        if checked := await agreement(found, len(QUERIES), hit_count):
            print(f"search: {checked}")
        await interleaved(found, len(QUERIES), over(QUERIES, find))  # warm the caches
        table.add("search", await interleaved(found, queries, over(QUERIES, find)))
        # each asked once: nothing of them held in memory yet (bot.db.resident), the usual two reads
        novel = novel_queries(queries // 2)
        table.add("search, each query asked once", await interleaved(found, len(novel), over(novel, find)))
        long = [q for q in QUERIES if len(q.split()) >= 4]
        table.add("search, 4-8 word questions", await interleaved(found, queries // 2, over(long, find)))
        table.add("autocomplete", await interleaved(found, queries, over(TYPED, complete)))
        scan_runs = max(len(QUERIES), queries // 10)
        table.add("LIKE '%…%' scan (baseline)", await interleaved(found, scan_runs, over(QUERIES, like_scan)))
        table.add("search (the scan's queries)", await interleaved(found, scan_runs, over(QUERIES, find)))
        corrected: dict[str, object] = {}
        for engine in found:  # the first correction builds a vocabulary where the engine has none
            start = time.perf_counter()
            async with engine.db.sessions() as session:
                corrected[engine.name] = (await find(session, "dosimetery")).corrected  # type: ignore[attr-defined]
            table.one_off("did-you-mean, first call", "ms", engine.name, (time.perf_counter() - start) * 1000)
        typos = ["dosimetery", "portal monitr", "forensix"]
        table.add("did-you-mean (misspelt query)", await interleaved(found, 20, over(typos, find)))
        # what a member waits for in a library that changes while it is searched
        after = await interleaved(found, 2 * len(QUERIES), over(QUERIES, find), before=add_one)
        table.add("search, right after a resource was added", after)
        table.print()

        for engine in found:
            name = engine.name
            scan, matched = (
                table.get("LIKE '%…%' scan (baseline)", name),
                table.get("search (the scan's queries)", name),
            )
            ratio = statistics.mean(scan) / statistics.mean(matched)
            p50_ratio = percentiles(scan)[0] / percentiles(matched)[0]
            p95_ratio = percentiles(scan)[1] / percentiles(matched)[1]
            print(
                f"{name}: search vs scan (same queries): {ratio:.0f}x faster on average, {p50_ratio:.0f}x at "
                f"p50, {p95_ratio:.0f}x at p95; did-you-mean -> {corrected[name]!r}"
            )
            searches = ("search", "search, 4-8 word questions", "search, each query asked once")
            p95s = {kind: percentiles(table.get(kind, name))[1] for kind in searches}
            worst = max(p95s, key=lambda kind: p95s[kind])
            p99c = percentiles(table.get("autocomplete", name))[2]
            print(
                f"{name}: targets: search p95 {p95s[worst]:.2f} <= 10 ms {_ok(p95s[worst] <= 10)} (the worst "
                f"of the three search lines: {worst!r}; 1 to 8 words, ranked over every match); "
                f"autocomplete p99 {p99c:.2f} <= 10 ms {_ok(p99c <= 10)}; >= 50x scan {_ok(ratio >= 50)}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 resources, 200 queries")
    parser.add_argument("--count", type=int)
    parser.add_argument("--queries", type=int)
    add_arguments(parser)
    args = parser.parse_args()
    count = args.count or (5_000 if args.quick else 100_000)
    queries = args.queries or (200 if args.quick else 1_000)
    asyncio.run(main(count, queries, args))
