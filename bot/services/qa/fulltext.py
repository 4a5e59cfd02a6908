"""Search of solved questions (question + accepted answer) and the similar-questions check.

The index (``QA_INDEX``) is created by migration 0005 through ``bot.db.search``; it covers every
question row, and queries keep only solved ones the viewer may see.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.qa import SOLVED, Question
from bot.errors import Invalid
from bot.services import labels
from bot.services.qa import _frequency
from bot.services.qa._text import STOPWORDS
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary

QA_INDEX = fts.FullTextIndex(
    name="qa_fts",
    table="qa_questions",
    columns=("title", "topic", "details", "accepted_text"),
    weights=(4.0, 3.0, 1.0, 2.0),
)
SEARCH_LIMIT = 25
SIMILAR_LIMIT = 3
CANDIDATE_TERMS = 10  # significant words of a new question considered for the similar check
SIMILAR_TERMS = 4  # of which the rarest are matched
MAX_WORDS = 8
QUERY_MAX = 200
ANSWER_EXCERPT = 500
WINDOW = 500  # most recent matches ranked by bm25


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


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


# A query that matches nothing: statements are built once around it, and each call binds the
# real match expression to the index's parameter. Were that parameter renamed, every search would
# come back empty, which the tests catch at once.
_PLACEHOLDER = fts.Query.all_of([fts.Term(("qaplaceholdernevermatches",))])
_MATCH_PARAM = f"{QA_INDEX.name}_q"


@functools.cache
def _ranked_statement(dialect: str, *, verified: bool, limit: int, windowed: bool) -> Select[Any]:
    """Solved, visible questions of a server matching the bound query, best bm25 score first.

    bm25 costs a few microseconds per matching row, so a query on a very common word would score
    tens of thousands of rows. ``windowed`` ranks only the ``WINDOW`` most recent matches (newer
    answers first is a fair tie-breaker for such words); the window's lower id is a subquery of
    the same statement, so it costs no extra round trip. Statements are built once (building and
    keying them costs more than the query itself).
    """
    matched = fts.hits(QA_INDEX, dialect, _PLACEHOLDER)
    floor: ColumnElement[Any] = literal(0)
    if windowed:
        latest = select(matched.c.id).order_by(matched.c.id.desc()).offset(WINDOW - 1).limit(1)
        floor = func.coalesce(latest.correlate(None).scalar_subquery(), 0)
    statement = (
        select(
            Question.id,
            Question.thread_id,
            Question.title,
            Question.topic,
            func.substr(Question.accepted_text, 1, ANSWER_EXCERPT),
            Question.label,
            Question.solved_at,
            matched.c.score,
            floor,
        )
        .join(matched, matched.c.id == Question.id)
        .where(
            Question.guild_id == bindparam("qa_guild_id"),
            Question.state == SOLVED,
            labels.sql_visible(Question.label, verified),
        )
        .order_by(matched.c.score.desc(), Question.id.desc())
        .limit(limit)
    )
    if windowed:
        statement = statement.where(matched.c.id >= floor)
    return statement


async def _ranked(
    session: AsyncSession, guild_id: int, query: fts.Query, *, verified: bool, limit: int, windowed: bool
) -> list[Any]:
    dialect = _dialect(session)
    statement = _ranked_statement(dialect, verified=verified, limit=limit, windowed=windowed)
    match = fts.fts5_match(query) if dialect == "sqlite" else fts.tsquery(query)
    result = await session.execute(statement, {_MATCH_PARAM: match, "qa_guild_id": guild_id})
    return list(result.all())


async def _run(
    session: AsyncSession,
    guild_id: int,
    query: fts.Query,
    *,
    verified: bool,
    limit: int,
    exhaustive: bool = True,
) -> list[Hit]:
    """Best matches within the recency window; the whole index when the window comes out short
    (another server's recent questions, or labels, may have filtered most of it out).

    Not ``exhaustive``: an empty window is taken as no match (the caller has a broader query).
    """
    rows = await _ranked(session, guild_id, query, verified=verified, limit=limit, windowed=True)
    window_cut = rows[0][8] > 0 if rows else exhaustive  # with no row, the floor is unknown
    if len(rows) < limit and window_cut:
        rows = await _ranked(session, guild_id, query, verified=verified, limit=limit, windowed=False)
    return [Hit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(r[7])) for r in rows]


async def search(
    session: AsyncSession, guild_id: int, text: str, *, verified: bool, limit: int = SEARCH_LIMIT
) -> list[Hit]:
    """Every word must match (a single word may also be unfinished: a prefix); failing that, any
    word, the last one possibly unfinished. Best first. The exact words are tried first because a
    prefix merges every word it begins, which costs more and ranks worse."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) > QUERY_MAX:
        raise Invalid("error.too_long", field="query", limit=QUERY_MAX)
    words = fts.words(cleaned)[:MAX_WORDS]
    if not words:
        raise Invalid("qa.error.empty_query")
    glossary = await glossary_service.load(session, guild_id)
    groups = _glossary_groups(words, glossary)
    exact = fts.Query(tuple(groups))
    found = await _run(session, guild_id, exact, verified=verified, limit=limit, exhaustive=False)
    if found:
        return found
    last = fts.Term((words[-1],), prefix=True)
    if len(words) == 1:
        return await _run(session, guild_id, fts.Query(((*groups[0], last),)), verified=verified, limit=limit)
    # bm25's IDF already favours the rarer words; no need to count them first.
    others = [word for word in _significant(" ".join(words[:-1])) if word != words[-1]]
    phrases = [term for group in groups for term in group if len(group) > 1]
    any_of = fts.Query(((*(fts.Term((word,)) for word in others), *phrases, last),))
    return await _run(session, guild_id, any_of, verified=verified, limit=limit)


def _glossary_groups(words: list[str], glossary: Glossary) -> list[tuple[fts.Term, ...]]:
    """Each word, or each glossary phrase (acronym or term) with its equivalents in both languages
    as alternatives: the same glossary as resource search."""
    longest = glossary.longest_spelt
    groups: list[tuple[fts.Term, ...]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            equivalents = glossary.spelt_group_of(tuple(words[i : i + size]))
            if equivalents is not None:
                groups.append(tuple(fts.Term(phrase) for phrase in equivalents))
                i += size
                break
        else:
            groups.append((fts.Term((words[i],)),))
            i += 1
    return groups


async def _rarest(session: AsyncSession, words: list[str], keep: int) -> list[str]:
    """The ``keep`` most telling words: present in the index, the rarest first (as bm25's IDF)."""
    counts = await _frequency.frequencies(session, QA_INDEX, words)
    present = sorted((counts[word], position, word) for position, word in enumerate(words) if counts[word])
    return [word for _count, _position, word in present[:keep]]


async def similar(
    session: AsyncSession,
    guild_id: int,
    question: str,
    topic: str | None = None,
    *,
    verified: bool,
    limit: int = SIMILAR_LIMIT,
) -> list[Hit]:
    """Solved questions sharing the most telling words of a new one (for the /ask check)."""
    significant = _significant(f"{topic or ''} {question}")[:CANDIDATE_TERMS]
    rare = await _rarest(session, significant, SIMILAR_TERMS)
    glossary = await glossary_service.load(session, guild_id)
    phrases = [
        term
        for group in _glossary_groups(fts.words(f"{topic or ''} {question}"), glossary)
        if len(group) > 1 and (len(group[0].words) > 1 or group[0].words[0] in rare)
        for term in group
    ]
    if not rare and not phrases:
        return []
    any_of = fts.Query(((*(fts.Term((word,)) for word in rare), *phrases),))
    return await _run(session, guild_id, any_of, verified=verified, limit=limit)
