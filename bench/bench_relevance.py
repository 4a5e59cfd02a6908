"""Relevance of resource search: MRR@10 and recall@5 per kind of query and overall, on each engine.

Loads the relevance set (``bench/relevance/``, see ``bench/relevance_eval.py``) into a fresh database
per engine (SQLite always; PostgreSQL beside it when one is at hand, see ``bench/engines.py``),
runs every labelled query, prints the figures; then adds ``--distractors`` (default 20,000)
generated newer resources and prints them again with the drop. ``--misses`` lists the queries whose
first hit is not relevant or whose relevant resources are not all in the first 5.

    .venv/bin/python bench/bench_relevance.py [--distractors N] [--misses]
                                              [--postgres URL | --sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import relevance_eval as rel
from bench.engines import add_arguments, engines

TARGET_MRR, TARGET_RECALL, TARGET_KIND, TARGET_DROP = 0.95, 0.90, 0.85, 0.03


def report(name: str, scores: rel.Scores, misses: bool) -> None:
    print(f"\n{name}")
    for line in scores.lines():
        print("  " + line)
    if misses:
        for kind, query, keys in scores.misses:
            print(f"  miss [{kind}] {query!r}: {keys}")


async def main(args: argparse.Namespace) -> None:
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load_avg}")
    rows, labelled = rel.resources(), rel.queries()
    print(f"relevance set: {len(rows)} resources, {len(labelled)} labelled queries")
    figures: dict[str, list[rel.Scores]] = {}
    async with engines(args) as found:
        for engine in found:
            async with engine.db.transaction() as session:
                await rel.load(session, rows)
            await engine.settle()
            async with engine.db.sessions() as session:
                scores = await rel.evaluate(session, labelled)
            figures[engine.name] = [scores]
            report(f"{engine.name}: the set alone", scores, args.misses)
        if args.distractors:
            extra = rel.distractors(args.distractors)
            for engine in found:
                start = time.perf_counter()
                async with engine.db.transaction() as session:
                    await rel.load(session, extra)
                await engine.settle()
                loaded = time.perf_counter() - start
                async with engine.db.sessions() as session:
                    scores = await rel.evaluate(session, labelled)
                figures[engine.name].append(scores)
                report(
                    f"{engine.name}: with {len(extra):,} newer distractors (loaded in {loaded:.1f} s)",
                    scores,
                    args.misses,
                )
    print()
    for name, runs in figures.items():
        mrr, recall, _n = runs[0].overall
        worst = min(m for m, _r, _n in runs[0].per_kind.values())
        worst_recall, kind = min((r, k) for k, (_m, r, _n) in runs[0].per_kind.items())
        ok = mrr >= TARGET_MRR and recall >= TARGET_RECALL and worst >= TARGET_KIND
        line = (
            f"{name}: MRR@10 {mrr:.3f} (>= {TARGET_MRR}), recall@5 {recall:.3f} (>= {TARGET_RECALL}), "
            f"worst kind MRR {worst:.3f} (>= {TARGET_KIND}): {'OK' if ok else 'MISSED'}; "
            f"worst kind recall@5 {worst_recall:.3f} ({kind}; >= {TARGET_KIND}: "
            f"{'OK' if worst_recall >= TARGET_KIND else 'MISSED'})"
        )
        if len(runs) > 1:
            drop = mrr - runs[1].overall[0]
            verdict = "OK" if drop <= TARGET_DROP else "MISSED"
            line += f"; drop with distractors {drop:.3f} (<= {TARGET_DROP}): {verdict}"
        print(line)
    if len(figures) == 2:
        a, b = (runs[0].overall[0] for runs in figures.values())
        verdict = "OK" if abs(a - b) <= 0.02 else "MISSED"
        print(f"engines agree within 0.02 on MRR@10: {verdict} ({abs(a - b):.3f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=20_000)
    parser.add_argument("--misses", action="store_true", help="list the queries that missed")
    add_arguments(parser)
    asyncio.run(main(parser.parse_args()))
