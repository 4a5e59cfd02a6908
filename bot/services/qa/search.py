"""Search of solved questions (question + accepted answer) and the similar-questions check.

The index (``QA_INDEX``) is created by migration 0005 through ``bot.db.search``; it covers every
question row, and queries keep only solved ones the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.qa import SOLVED, Question
from bot.errors import Invalid
from bot.services import labels
from bot.services.qa._text import STOPWORDS

QA_INDEX = fts.FullTextIndex(
    name="qa_fts",
    table="qa_questions",
    columns=("title", "topic", "details", "accepted_text"),
    weights=(4.0, 3.0, 1.0, 2.0),
)
SEARCH_LIMIT = 25
SIMILAR_LIMIT = 3
SIMILAR_TERMS = 8
QUERY_MAX = 200


@dataclass(frozen=True)
class Hit:
    question_id: int
    thread_id: int
    title: str
    topic: str | None
    answer: str | None
    label: str
    solved_at: datetime | None
    score: float


_STOPWORDS = frozenset(fts.normalize(word) for word in STOPWORDS)


def _significant(text: str) -> list[str]:
    found: list[str] = []
    for word in fts.words(text):
        if len(word) >= 2 and word not in _STOPWORDS and word not in found:
            found.append(word)
    return found


async def _run(
    session: AsyncSession, guild_id: int, query: fts.Query, *, verified: bool, limit: int
) -> list[Hit]:
    dialect = session.get_bind().dialect.name
    matched = fts.hits(QA_INDEX, dialect, query)
    rows = await session.execute(
        select(Question, matched.c.score)
        .join(matched, matched.c.id == Question.id)
        .where(
            Question.guild_id == guild_id,
            Question.state == SOLVED,
            labels.sql_visible(Question.label, verified),
        )
        .order_by(matched.c.score.desc(), Question.id.desc())
        .limit(limit)
    )
    return [
        Hit(q.id, q.thread_id, q.title, q.topic, q.accepted_text, q.label, q.solved_at, float(score))
        for q, score in rows.all()
    ]


async def search(
    session: AsyncSession, guild_id: int, text: str, *, verified: bool, limit: int = SEARCH_LIMIT
) -> list[Hit]:
    """Every word must match (the last one as a prefix); failing that, any word, best first."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) > QUERY_MAX:
        raise Invalid("error.too_long", field="query", limit=QUERY_MAX)
    words = fts.words(cleaned)
    if not words:
        raise Invalid("qa.error.empty_query")
    terms = [fts.Term((word,), prefix=i == len(words) - 1) for i, word in enumerate(words)]
    found = await _run(session, guild_id, fts.Query.all_of(terms), verified=verified, limit=limit)
    if found or len(terms) == 1:
        return found
    significant = _significant(cleaned) or words
    any_of = fts.Query((tuple(fts.Term((word,)) for word in significant),))
    return await _run(session, guild_id, any_of, verified=verified, limit=limit)


async def similar(
    session: AsyncSession,
    guild_id: int,
    question: str,
    topic: str | None = None,
    *,
    verified: bool,
    limit: int = SIMILAR_LIMIT,
) -> list[Hit]:
    """Solved questions sharing the most significant words with a new one (for the /ask check)."""
    significant = _significant(f"{topic or ''} {question}")[:SIMILAR_TERMS]
    if not significant:
        return []
    any_of = fts.Query((tuple(fts.Term((word,)) for word in significant),))
    return await _run(session, guild_id, any_of, verified=verified, limit=limit)
