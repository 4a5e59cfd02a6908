"""Import benchmark: ``liaison resources import`` of N generated resources, and what it filed.

Imports the corpus of ``bench_resources`` (default 100,000 resources, seed 7) into a fresh database
through the service the CLI uses (one transaction), on SQLite and, when one is at hand, PostgreSQL
(``bench/engines.py``). Prints per engine the import's wall-clock and CPU time (of this process,
which on SQLite includes the engine; on PostgreSQL also of the server's backend, read from /proc:
on a shared machine CPU time says more than wall-clock time), the time the text analysis takes
alone (``bot.db.analysis``, on the same rows), and the row count and SHA-256 of the ranked-search
index (``resource_terms``, ``resource_term_stats``), read in primary key order and hashed as
``bot.db.transfer`` hashes: the figures compare across engines and versions of the code (the index
must come out identical). ``--save FILE`` writes these digests as JSON; ``--compare FILE`` checks
them against a saved run of the same corpus.

    .venv/bin/python bench/bench_import.py [--count N] [--save FILE] [--compare FILE]
                                           [--postgres URL | --sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bench.bench_resources import GUILD, NOW, corpus
from bench.engines import Engine, add_arguments, engines
from bot.db import transfer as db_transfer
from bot.services.resources import transfer


async def digests(engine: Engine) -> dict[str, list[object]]:
    """Rows and SHA-256 of each ranked-search table, as ``bot.db.transfer`` computes them."""
    found: dict[str, list[object]] = {}
    async with engine.db.engine.connect() as connection:
        for derived in db_transfer.DERIVED[:2]:
            digest = await db_transfer._read_table(connection, derived.table, db_transfer.BATCH_SIZE)
            found[digest.table] = [digest.rows, digest.sha256]
    return found


async def backend_cpu(session: AsyncSession) -> float:
    """CPU seconds used so far by the PostgreSQL backend serving ``session`` (a local server)."""
    pid = await session.scalar(sa.text("SELECT pg_backend_pid()"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # noqa: ASYNC240
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(engine: Engine, text: str) -> dict[str, list[object]]:
    records = list(transfer.read_records(text, ".jsonl"))
    start, cpu = time.perf_counter(), time.process_time()
    async with engine.db.transaction() as session:
        server = await backend_cpu(session) if engine.postgres else None
        report = await transfer.import_records(session, GUILD, records, now=NOW)
        server_s = await backend_cpu(session) - server if server is not None else None
    elapsed, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    on_server = f", PostgreSQL's backend {server_s:.2f} s" if server_s is not None else ""
    print(
        f"{engine.name}: import of {report.added:,} resources in {elapsed:.2f} s "
        f"= {report.added / elapsed:,.0f} resources/s; CPU: this process {cpu_s:.2f} s{on_server}"
    )
    found = await digests(engine)
    for table, (rows, sha) in found.items():
        print(f"{engine.name}: {table}: {rows:,} rows, sha256 {sha}")
    return found


def analysis_seconds(rows: list[dict[str, object]]) -> float:
    """CPU seconds of the text analysis alone (cold caches, as a fresh process has)."""
    from bot.db import analysis

    for cached in (analysis.stem, analysis.is_stop, analysis._counts):
        cached.cache_clear()
    for table in ("_TERMS", "_IMPACTS", "_IMPACT_TEXT"):  # the caches of a faster analysis, if any
        getattr(analysis, table, {}).clear()
    start = time.process_time()
    for row in rows:
        tags = ", ".join(row["tags"])  # type: ignore[arg-type]
        analysis.document_json(row["title"], tags, row["description"])  # type: ignore[arg-type]
    return time.process_time() - start


Digests = dict[str, dict[str, list[object]]]


async def measure(args: argparse.Namespace, rows: list[dict[str, object]]) -> Digests:
    text = transfer.render(rows, ".jsonl")
    results: Digests = {}
    async with engines(args) as found:
        for engine in found:
            results[engine.name] = await load(engine, text)
    return results


def main(args: argparse.Namespace) -> int:
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load_avg}")
    rows = corpus(args.count)
    print(f"corpus: {args.count:,} resources (seed 7)")
    results = asyncio.run(measure(args, rows))
    print(f"analysis alone (document_json of every row, cold cache): {analysis_seconds(rows):.2f} s CPU")
    if len(results) > 1:
        first, *others = results.values()
        print(f"index identical on every engine: {all(other == first for other in others)}")
    status = 0
    if args.compare:
        saved = json.loads(Path(args.compare).read_text())
        for name, digest in results.items():
            same = saved.get(name) == digest
            status |= not same
            print(f"{name}: index identical to {args.compare}: {same}")
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return status


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--save", metavar="FILE", help="write the index digests (JSON)")
    parser.add_argument("--compare", metavar="FILE", help="compare the index digests with a saved run")
    add_arguments(parser)
    sys.exit(main(parser.parse_args()))
