"""Finding resources: ranked full-text search with prefixes, acronyms, typo correction; autocomplete.

The ranking is the database's (BM25 on SQLite, ts_rank on PostgreSQL, see ``bot.db.search``); this
module turns what a person typed into a query: words (prefix-matched as they type), glossary acronyms
and their expansions as alternatives, and, when nothing matches, words corrected against the server's
own vocabulary ("did you mean"). ``/resource search`` and the CLI both call ``search``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.resources import RESOURCES_INDEX, Resource, ResourceTag
from bot.db.search import Query, Term, words
from bot.errors import Invalid
from bot.services import labels
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary

SEARCH_LIMIT = 50
AUTOCOMPLETE_LIMIT = 25
PREFIX_MIN = 4  # words this long also match longer words (detection -> detections)
QUERY_MAX_WORDS = 12
VOCABULARY_TTL = 600.0


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    url: str
    description: str
    tags: str
    language: str
    label: str
    score: float
    views: int

    @classmethod
    def of(cls, row: Resource, score: float) -> Hit:
        return cls(
            row.id, row.title, row.url, row.description, row.tags, row.language, row.label, score, row.views
        )


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    corrected: str | None = None  # set when the hits are for a corrected query ("did you mean")


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _database_key(session: AsyncSession) -> str:
    return str(session.get_bind().engine.url)


def build_query(text: str, glossary: Glossary, *, typing: bool = False) -> Query:
    """Words in order, every one required; a glossary phrase or acronym becomes one group of
    alternatives (the acronym and all its expansions). Words of 4+ letters, and the last word, match
    as prefixes; with ``typing`` (autocomplete) every word does."""
    tokens = words(text)[:QUERY_MAX_WORDS]
    if any(len(t) > 1 for t in tokens):
        tokens = [t for t in tokens if len(t) > 1]  # French elisions (l', d') and stray letters
    phrases = glossary.phrases()
    longest = max((len(p) for p in phrases), default=1)
    groups: list[tuple[Term, ...]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            acronym = phrases.get(tuple(tokens[i : i + size]))
            if acronym is not None:
                groups.append(tuple(Term(alt) for alt in glossary.alternatives(acronym)))
                i += size
                break
        else:
            token = tokens[i]
            last = i == len(tokens) - 1
            groups.append((Term((token,), prefix=typing or last or len(token) >= PREFIX_MIN),))
            i += 1
    return Query(tuple(groups))


def _filtered(
    statement: Select[Any], guild_id: int, verified: bool, tag: str | None, language: str | None
) -> Select[Any]:
    statement = statement.where(Resource.guild_id == guild_id, labels.sql_visible(Resource.label, verified))
    if language:
        statement = statement.where(Resource.language == language)
    if tag:
        statement = statement.where(
            exists().where(ResourceTag.resource_id == Resource.id, ResourceTag.tag == tag)
        )
    return statement


async def _run(
    session: AsyncSession,
    guild_id: int,
    query: Query,
    *,
    verified: bool,
    tag: str | None,
    language: str | None,
    limit: int,
) -> list[Hit]:
    if not query:
        return []
    hits = fts.hits(RESOURCES_INDEX, _dialect(session), query)
    statement = select(Resource, hits.c.score).join(hits, hits.c.id == Resource.id)
    statement = _filtered(statement, guild_id, verified, tag, language)
    rows = await session.execute(statement.order_by(hits.c.score.desc(), Resource.id).limit(limit))
    return [Hit.of(row, float(score)) for row, score in rows]


async def search(
    session: AsyncSession,
    guild_id: int,
    text: str,
    *,
    verified: bool,
    tag: str | None = None,
    language: str | None = None,
    limit: int = SEARCH_LIMIT,
) -> SearchResult:
    """Best first. When nothing matches, retries once with misspelt words corrected."""
    if not words(text):
        raise Invalid("resource.empty_query")
    glossary = await glossary_service.load(session, guild_id)
    options: dict[str, Any] = {"verified": verified, "tag": tag, "language": language, "limit": limit}
    found = await _run(session, guild_id, build_query(text, glossary), **options)
    if found:
        return SearchResult(found)
    corrected = await correct(session, guild_id, text, verified=verified, glossary=glossary)
    if corrected is None:
        return SearchResult([])
    found = await _run(session, guild_id, build_query(corrected, glossary), **options)
    return SearchResult(found, corrected if found else None)


async def autocomplete(
    session: AsyncSession, guild_id: int, current: str, *, verified: bool, limit: int = AUTOCOMPLETE_LIMIT
) -> list[Hit]:
    """At most 25 visible resources for what is being typed: an id, words as prefixes, or (nothing
    typed yet) the most viewed."""
    limit = min(limit, AUTOCOMPLETE_LIMIT)
    typed = (current or "").strip().lstrip("#")
    found: list[Hit] = []
    if typed.isdigit():
        row = await session.scalar(
            _filtered(select(Resource), guild_id, verified, None, None).where(Resource.id == int(typed))
        )
        if row is not None:
            found.append(Hit.of(row, 0.0))
    if not words(typed):
        statement = _filtered(select(Resource), guild_id, verified, None, None)
        rows = await session.scalars(
            statement.order_by(Resource.views.desc(), Resource.id.desc()).limit(limit)
        )
        return [Hit.of(row, 0.0) for row in rows]
    glossary = await glossary_service.load(session, guild_id)
    query = build_query(typed, glossary, typing=True)
    more = await _run(session, guild_id, query, verified=verified, tag=None, language=None, limit=limit)
    seen = {hit.id for hit in found}
    return (found + [hit for hit in more if hit.id not in seen])[:limit]


async def tag_names(
    session: AsyncSession, guild_id: int, *, verified: bool, prefix: str = "", limit: int | None = None
) -> list[tuple[str, int]]:
    """(tag, number of visible resources), most used first; optionally those containing ``prefix``."""
    statement = (
        select(ResourceTag.tag, func.count())
        .join(Resource, Resource.id == ResourceTag.resource_id)
        .where(ResourceTag.guild_id == guild_id, labels.sql_visible(Resource.label, verified))
        .group_by(ResourceTag.tag)
        .order_by(func.count().desc(), ResourceTag.tag)
    )
    typed = " ".join((prefix or "").split()).lower()
    if typed:
        statement = statement.where(ResourceTag.tag.contains(typed, autoescape=True))
    if limit is not None:
        statement = statement.limit(limit)
    return [(tag, int(count)) for tag, count in await session.execute(statement)]


# -- "did you mean" ------------------------------------------------------------------------------
@dataclass
class _Vocabulary:
    stamp: tuple[Any, ...]
    built: float
    counts: Counter[str]
    words: list[str]


_VOCABULARIES: dict[tuple[str, int, bool], _Vocabulary] = {}


def forget_vocabulary(guild_id: int) -> None:
    """Called by every write to a server's library, so corrections know new words at once."""
    for key in [key for key in _VOCABULARIES if key[1] == guild_id]:
        del _VOCABULARIES[key]


async def vocabulary(session: AsyncSession, guild_id: int, verified: bool) -> Counter[str]:
    """Words of the resources this member may see (and of the glossary), with their frequency.

    Cached per database, server and visibility; rebuilt when the library changes (rows added,
    removed or edited, seen through a cheap aggregate) and at least every ten minutes.
    """
    key = (_database_key(session), guild_id, verified)
    visible = labels.sql_visible(Resource.label, verified)
    stamp_row = (
        await session.execute(
            select(func.count(), func.max(Resource.id), func.sum(Resource.revision)).where(
                Resource.guild_id == guild_id, visible
            )
        )
    ).one()
    stamp = tuple(stamp_row)
    cached = _VOCABULARIES.get(key)
    if cached and cached.stamp == stamp and time.monotonic() - cached.built < VOCABULARY_TTL:
        return cached.counts
    counts: Counter[str] = Counter()
    rows = await session.execute(
        select(Resource.title, Resource.tags, Resource.description).where(
            Resource.guild_id == guild_id, visible
        )
    )
    for title, tags, description in rows:
        counts.update(w for w in words(f"{title} {tags} {description}") if len(w) > 2)
    glossary = await glossary_service.load(session, guild_id)
    for acronym, expansions in glossary.entries.items():
        counts.update(w for w in words(" ".join((acronym, *expansions))) if len(w) > 2)
    _VOCABULARIES[key] = _Vocabulary(stamp, time.monotonic(), counts, list(counts))
    return counts


def _max_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def _closest(word: str, counts: Counter[str], choices: list[str]) -> str | None:
    edits = _max_edits(word)
    if edits == 0:
        return None
    candidates = process.extract(word, choices, scorer=Levenshtein.distance, score_cutoff=edits, limit=8)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (c[1], -counts[c[0]], c[0]))
    return str(best[0])


async def correct(
    session: AsyncSession, guild_id: int, text: str, *, verified: bool, glossary: Glossary
) -> str | None:
    """``dosimetery`` -> ``dosimetry``, ``portal monitr`` -> ``portal monitor``; None when every word
    is known (or nothing close enough is)."""
    counts = await vocabulary(session, guild_id, verified)
    key = (_database_key(session), guild_id, verified)
    choices = _VOCABULARIES[key].words if key in _VOCABULARIES else list(counts)
    known_phrases = glossary.phrases()
    out: list[str] = []
    changed = False
    for word in words(text)[:QUERY_MAX_WORDS]:
        if (
            word in counts
            or (word,) in known_phrases
            or any(v.startswith(word) for v in choices if v[:2] == word[:2])
        ):
            out.append(word)
            continue
        replacement = _closest(word, counts, choices)
        changed = changed or replacement is not None
        out.append(replacement or word)
    return " ".join(out) if changed else None
