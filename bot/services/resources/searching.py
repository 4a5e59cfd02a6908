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

SEARCH_LIMIT = 25
AUTOCOMPLETE_LIMIT = 25
SEARCH_WINDOW = 200  # most recent matches scored per query (see bot.db.search.hits)
WIDE_WINDOW = 5000  # second pass, when filters left too few hits in the first window
AUTOCOMPLETE_WINDOW = 100
TYPING_COLUMNS = ("title", "tags")
QUERY_MAX_WORDS = 12
CORRECTION_ATTEMPTS = 4
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


HIT_COLUMNS = (
    Resource.id,
    Resource.title,
    Resource.url,
    Resource.description,
    Resource.tags,
    Resource.language,
    Resource.label,
    Resource.views,
)


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    corrected: str | None = None  # set when the hits are for a corrected query ("did you mean")


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _database_key(session: AsyncSession) -> str:
    return str(session.get_bind().engine.url)


def query_words(text: str) -> list[str]:
    """The words that count: at most 12, without stray single letters (French l', d')."""
    tokens = words(text)[:QUERY_MAX_WORDS]
    if any(len(t) > 1 for t in tokens):
        tokens = [t for t in tokens if len(t) > 1]
    return tokens


def build_query(tokens: list[str], glossary: Glossary, *, prefix_last: bool) -> Query:
    """Words in order, every one required; a glossary phrase or acronym becomes one group of
    alternatives (the acronym and all its expansions). With ``prefix_last`` the last word may be
    unfinished (``dosim`` finds ``dosimetry``)."""
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
            last = i == len(tokens) - 1
            groups.append((Term((tokens[i],), prefix=prefix_last and last),))
            i += 1
    return Query(tuple(groups))


async def indexed(session: AsyncSession, word: str) -> bool:
    """Is ``word`` itself a term of the index (in any server)? One cheap index probe."""
    probe = fts.any_match(RESOURCES_INDEX, _dialect(session), Query.all_of([Term((word,))]))
    return (await session.scalar(probe)) is not None


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
    typing: bool = False,
) -> list[Hit]:
    """Ranked hits. The window keeps the cost bounded; when it cut matches off and yields fewer than
    ``enough`` visible hits of this server (filters, other servers, AMBER), a wider one is scored.

    Whether to widen depends on the query, never on ``limit``, so that every caller (the slash
    command, the CLI with any ``--limit``) gets the same ranking, cut at its own length. Returns
    up to ``max(limit, SEARCH_LIMIT)`` hits: the caller cuts."""
    if not query:
        return []
    window = AUTOCOMPLETE_WINDOW if typing else SEARCH_WINDOW
    enough = limit if typing else SEARCH_LIMIT
    fetch = max(limit, enough)
    found = await _ranked(session, guild_id, query, verified, tag, language, fetch, window, typing)
    if len(found) < enough:
        total = await session.scalar(fts.match_count(RESOURCES_INDEX, _dialect(session), query)) or 0
        if total > window:
            wider = None if total <= WIDE_WINDOW else WIDE_WINDOW
            found = await _ranked(session, guild_id, query, verified, tag, language, fetch, wider, typing)
    return found


async def _ranked(
    session: AsyncSession,
    guild_id: int,
    query: Query,
    verified: bool,
    tag: str | None,
    language: str | None,
    limit: int,
    window: int | None,
    typing: bool = False,
) -> list[Hit]:
    if typing:  # type-ahead: titles and tags, most recent first, no relevance to compute
        hits = fts.hits(
            RESOURCES_INDEX, _dialect(session), query, window=window, columns=TYPING_COLUMNS, rank=False
        )
    else:
        hits = fts.hits(RESOURCES_INDEX, _dialect(session), query, window=window)
    statement = select(*HIT_COLUMNS, hits.c.score).join(hits, hits.c.id == Resource.id)
    statement = _filtered(statement, guild_id, verified, tag, language)
    rows = await session.execute(statement.order_by(hits.c.score.desc(), Resource.id.desc()).limit(limit))
    return [
        Hit(r.id, r.title, r.url, r.description, r.tags, r.language, r.label, float(r.score), r.views)
        for r in rows
    ]


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
    """Best first. Whole words first; when they find fewer than a page of hits, the last word is
    also taken as a prefix (``dosim`` -> ``dosimetry``); when nothing matches, misspelt words are
    corrected ("did you mean"). Each decision depends on the query, never on ``limit``."""
    tokens = query_words(text)
    if not tokens:
        raise Invalid("resource.empty_query")
    glossary = await glossary_service.load(session, guild_id)
    options: dict[str, Any] = {"verified": verified, "tag": tag, "language": language, "limit": limit}
    exact = build_query(tokens, glossary, prefix_last=False)
    found = await _run(session, guild_id, exact, **options)
    prefixed = build_query(tokens, glossary, prefix_last=True)
    if len(found) < SEARCH_LIMIT and prefixed != exact:
        found = await _run(session, guild_id, prefixed, **options)
    if found:
        return SearchResult(found[:limit])
    for attempt in await corrections(session, guild_id, tokens, verified=verified, glossary=glossary):
        found = await _run(session, guild_id, build_query(attempt, glossary, prefix_last=False), **options)
        if found:
            return SearchResult(found[:limit], " ".join(attempt))
    return SearchResult([])


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
    if all(len(word) < 2 for word in words(typed)):  # nothing yet, or one letter: the most viewed
        statement = _filtered(select(Resource), guild_id, verified, None, None)
        rows = await session.scalars(
            statement.order_by(Resource.views.desc(), Resource.id.desc()).limit(limit)
        )
        more = [Hit.of(row, 0.0) for row in rows]
        return (found + [hit for hit in more if hit.id not in {h.id for h in found}])[:limit]
    glossary = await glossary_service.load(session, guild_id)
    query = build_query(query_words(typed), glossary, prefix_last=True)
    more = await _run(
        session,
        guild_id,
        query,
        verified=verified,
        tag=None,
        language=None,
        limit=limit,
        typing=True,
    )
    seen = {hit.id for hit in found}
    return (found + [hit for hit in more[:limit] if hit.id not in seen])[:limit]


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


async def _candidates(session: AsyncSession, guild_id: int, word: str, verified: bool) -> list[str]:
    """Known words within 1 edit (4-6 letters) or 2 edits (7+), closest and most frequent first.

    On SQLite the index's own vocabulary (terms with the same first letter) is read; elsewhere a
    vocabulary of the server's visible resources kept in memory. Either way a correction is only
    offered once it finds visible resources of this server (see ``search``)."""
    edits = _max_edits(word)
    if edits == 0:
        return []
    clause = fts.indexed_terms(RESOURCES_INDEX, _dialect(session), word[0])
    if clause is not None:
        counts: Counter[str] = Counter(
            {str(term): int(doc) for term, doc in await session.execute(clause) if str(term).isalpha()}
        )
    else:
        counts = await vocabulary(session, guild_id, verified)
    found = process.extract(word, list(counts), scorer=Levenshtein.distance, score_cutoff=edits, limit=8)
    ranked = sorted(found, key=lambda c: (c[1], -counts[c[0]], c[0]))
    return [str(c[0]) for c in ranked[:3]]


async def corrections(
    session: AsyncSession, guild_id: int, tokens: list[str], *, verified: bool, glossary: Glossary
) -> list[list[str]]:
    """Corrected versions of ``tokens`` to try, most likely first (``dosimetery`` -> ``dosimetry``,
    ``portal monitr`` -> ``portal monitor``); empty when every word is known or nothing is close."""
    known_phrases = glossary.phrases()
    options: list[list[str]] = []
    for word in tokens:
        if (word,) in known_phrases or await indexed(session, word):
            options.append([word])
            continue
        options.append(await _candidates(session, guild_id, word, verified) or [word])
    if all(len(choices) == 1 and choices[0] == word for choices, word in zip(options, tokens, strict=True)):
        return []
    attempts = [[choices[0] for choices in options]]
    for position, choices in enumerate(options):
        for alternative in choices[1:]:
            attempt = list(attempts[0])
            attempt[position] = alternative
            attempts.append(attempt)
    return attempts[:CORRECTION_ATTEMPTS]
