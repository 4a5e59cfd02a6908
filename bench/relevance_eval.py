"""The relevance set (``bench/relevance/``) loaded into a database and scored: MRR@10 and recall@5.

``resources.jsonl`` holds resources of the field in English and French (key, title, description,
tags, language); ``queries.jsonl`` holds labelled queries (kind, query, the keys of the resources a
practitioner would accept). Each resource is imported as ``liaison resources import`` does, at the
URL ``https://relevance.example.org/<key>``; each query runs through ``searching.search`` as
``/resource search`` does (an unverified member, the first 10 hits).

- MRR@10: the mean over queries of 1 / the rank of the first relevant hit (0 when none is in the 10).
- recall@5: the mean over queries of the share of its relevant resources among the first 5 hits
  (out of at most 5).

``distractors`` generates newer resources that share the field's common words without being about
any labelled subject, to show that ranking over every match keeps the right answers on top.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.resources import searching, transfer

HERE = Path(__file__).resolve().parent / "relevance"
GUILD = 1
NOW = datetime(2026, 12, 1, tzinfo=UTC)
URL = "https://relevance.example.org/"


@dataclass(frozen=True)
class Labelled:
    kind: str
    query: str
    relevant: tuple[str, ...]


@dataclass
class Scores:
    """MRR@10 and recall@5 per kind and overall, and the queries that missed."""

    per_kind: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    overall: tuple[float, float, int] = (0.0, 0.0, 0)
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def lines(self) -> list[str]:
        rows = [f"{'kind':<11} {'queries':>7} {'MRR@10':>7} {'recall@5':>9}"]
        for kind, (mrr, recall, n) in sorted(self.per_kind.items()):
            rows.append(f"{kind:<11} {n:>7} {mrr:>7.3f} {recall:>9.3f}")
        mrr, recall, n = self.overall
        rows.append(f"{'overall':<11} {n:>7} {mrr:>7.3f} {recall:>9.3f}")
        return rows


def resources() -> list[dict[str, Any]]:
    with (HERE / "resources.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def queries() -> list[Labelled]:
    with (HERE / "queries.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Labelled(r["kind"], r["query"], tuple(r["relevant"])) for r in rows]


def _record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": row["title"],
        "url": URL + row["key"],
        "description": row["description"],
        "tags": row["tags"],
        "language": row["language"],
        "label": "TLP:CLEAR",
    }


async def load(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    records = list(transfer.read_records(transfer.render([_record(r) for r in rows], ".jsonl"), ".jsonl"))
    await transfer.import_records(session, GUILD, records, now=NOW)


_GENERIC = [
    "nuclear",
    "security",
    "radiation",
    "detection",
    "response",
    "border",
    "training",
    "agency",
    "national",
    "regional",
    "meeting",
    "report",
    "cooperation",
    "material",
    "safety",
    "support",
    "programme",
    "plan",
    "officers",
    "equipment",
    "review",
    "annual",
    "workshop",
    "international",
    "network",
    "project",
    "update",
    "staff",
    "management",
    "information",
    "operations",
    "sécurité",
    "nucléaire",
    "formation",
    "rapport",
    "réunion",
    "coopération",
    "programme",
    "agence",
    "nationale",
    "régionale",
]
_KINDS = [
    "Regional workshop",
    "Annual report",
    "Newsletter",
    "Meeting minutes",
    "Project update",
    "Réunion régionale",
    "Rapport annuel",
    "Bulletin",
    "Country profile",
    "Webinar recording",
]
_PLACES = ["Africa", "Asia", "Europe", "Latin America", "Pacific", "Middle East", "Caribbean", "Sahel"]


def distractors(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """Newer resources on no labelled subject, made of the field's common words."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        kind, place = rng.choice(_KINDS), rng.choice(_PLACES)
        words = " ".join(rng.choice(_GENERIC) for _ in range(rng.randint(12, 30)))
        rows.append(
            {
                "key": f"distractor-{i}",
                "title": f"{kind} {place} {2000 + i % 26} no. {i}: {' '.join(rng.sample(_GENERIC, 3))}",
                "description": words,
                "tags": ", ".join(rng.sample(_GENERIC, 2)),
                "language": "fr" if "é" in kind or rng.random() < 0.2 else "en",
            }
        )
    return rows


async def evaluate(session: AsyncSession, labelled: list[Labelled] | None = None) -> Scores:
    """Run every labelled query; MRR@10 and recall@5 per kind and overall."""
    labelled = labelled if labelled is not None else queries()
    per_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    scores = Scores()
    for item in labelled:
        result = await searching.search(session, GUILD, item.query, verified=False, limit=10)
        keys = [hit.url.removeprefix(URL) for hit in result.hits]
        relevant = set(item.relevant)
        rank = next((i + 1 for i, key in enumerate(keys) if key in relevant), None)
        mrr = 1.0 / rank if rank else 0.0
        recall = len(relevant & set(keys[:5])) / min(len(relevant), 5)
        per_kind[item.kind].append((mrr, recall))
        if rank != 1 or recall < 1:
            scores.misses.append((item.kind, item.query, keys[:5]))
    every = [pair for pairs in per_kind.values() for pair in pairs]
    for kind, pairs in per_kind.items():
        scores.per_kind[kind] = (_mean(p[0] for p in pairs), _mean(p[1] for p in pairs), len(pairs))
    scores.overall = (_mean(p[0] for p in every), _mean(p[1] for p in every), len(every))
    return scores


def _mean(values: Any) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0
