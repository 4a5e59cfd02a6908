"""Relevance of resource search on the relevance set (``bench/relevance/``): a drop fails the suite.

The recorded figures (``bench/relevance/recorded.json``) are those ``bench/bench_relevance.py``
prints for the set alone; overall MRR@10 may not fall more than 0.02 below them, recall@5 not more
than 0.03. On PostgreSQL too when the suite has one: the engines rank alike.
"""

from __future__ import annotations

import json

import pytest

from bench import relevance_eval as rel
from bot.db import Database

pytestmark = pytest.mark.engines  # ranking written per dialect

RECORDED = json.loads((rel.HERE / "recorded.json").read_text(encoding="utf-8"))


async def test_relevance_does_not_drop(db: Database) -> None:
    async with db.transaction() as session:
        await rel.load(session, rel.resources())
    async with db.sessions() as session:
        scores = await rel.evaluate(session)
    mrr, recall, count = scores.overall
    report = "\n".join(scores.lines())
    assert count >= 80
    assert mrr >= RECORDED["mrr10"] - 0.02, report
    assert recall >= RECORDED["recall5"] - 0.03, report


def test_the_set_is_big_enough_and_labelled_consistently() -> None:
    keys = {row["key"] for row in rel.resources()}
    labelled = rel.queries()
    assert len(keys) >= 150 and len(labelled) >= 80
    assert {row["language"] for row in rel.resources()} == {"en", "fr"}
    assert len({q.kind for q in labelled}) == 9
    assert all(q.relevant and set(q.relevant) <= keys for q in labelled)
