"""Finding resources: ranked full-text search with prefixes, acronyms, typo correction; autocomplete.

The ranking is the database's (BM25 on SQLite, ts_rank on PostgreSQL, see ``bot.db.search``); this
module turns what a person typed into a query: words (prefix-matched as they type), glossary acronyms
and their expansions as alternatives, and, when nothing matches, misspelt words corrected
(``spelling``). ``/resource search`` and the CLI both call ``search``, so they rank identically.

Ranking is BM25 over the ``SEARCH_WINDOW`` most recent matches of a query (every match when there are
fewer, or when filters leave less than a page): the cost per query stays bounded however common the
words are in a very large library. Type-ahead (``autocomplete``) matches titles and tags, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.resources import RESOURCES_INDEX, Resource, ResourceTag
from bot.db.search import Query, Term, words
from bot.errors import Invalid
from bot.ids import parse_id
from bot.services import labels
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary
from bot.services.resources.spelling import Visible, corrections, dialect_of

SEARCH_LIMIT = 25
AUTOCOMPLETE_LIMIT = 25
SEARCH_WINDOW = 200  # most recent matches scored per query (see bot.db.search.hits)
WIDE_WINDOW = 5000  # second pass, when filters left too few hits in the first window
AUTOCOMPLETE_WINDOW = 100
TYPING_COLUMNS = ("title", "tags")
QUERY_MAX_WORDS = 12
EXPANSIONS_MAX = 16


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
    widen: bool = True,
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
    if widen and len(found) < enough:
        total = await session.scalar(fts.match_count(RESOURCES_INDEX, dialect_of(session), query)) or 0
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
            RESOURCES_INDEX, dialect_of(session), query, window=window, columns=TYPING_COLUMNS, rank=False
        )
    else:
        hits = fts.hits(RESOURCES_INDEX, dialect_of(session), query, window=window)
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
    unfinished = build_query(tokens, glossary, prefix_last=True) != exact
    # When a prefix pass may follow (it finds a superset), only it widens the window.
    found = await _run(session, guild_id, exact, widen=not unfinished, **options)
    if unfinished and len(found) < SEARCH_LIMIT:
        prefixed = await _unfinished(session, tokens, glossary)
        if prefixed is not None:
            found = await _run(session, guild_id, prefixed, **options)
        elif found:
            found = await _run(session, guild_id, exact, **options)
    if found:
        return SearchResult(found[:limit])
    visible = Visible(guild_id, verified)  # did-you-mean reads only what the member may see here
    for attempt in await corrections(session, tokens, glossary=glossary, visible=visible):
        found = await _run(session, guild_id, build_query(attempt, glossary, prefix_last=False), **options)
        if found:
            return SearchResult(found[:limit], " ".join(attempt))
    return SearchResult([])


async def _unfinished(session: AsyncSession, tokens: list[str], glossary: Glossary) -> Query | None:
    """The query with its last word taken as unfinished: the indexed words it starts (when they are
    few: cheaper than a prefix query), a prefix query otherwise; None when no word starts so."""
    clause = fts.indexed_terms(RESOURCES_INDEX, dialect_of(session), tokens[-1], limit=EXPANSIONS_MAX + 1)
    if clause is None:
        return build_query(tokens, glossary, prefix_last=True)
    terms = [str(term) for term, _count in await session.execute(clause)]
    if not terms:
        return None
    if len(terms) > EXPANSIONS_MAX:
        return build_query(tokens, glossary, prefix_last=True)
    head = build_query(tokens[:-1], glossary, prefix_last=False) if len(tokens) > 1 else Query()
    return Query((*head.groups, tuple(Term((term,)) for term in terms)))


async def autocomplete(
    session: AsyncSession, guild_id: int, current: str, *, verified: bool, limit: int = AUTOCOMPLETE_LIMIT
) -> list[Hit]:
    """At most 25 visible resources for what is being typed: an id, words as prefixes, or (nothing
    typed yet) the most viewed."""
    limit = min(limit, AUTOCOMPLETE_LIMIT)
    typed = (current or "").strip().lstrip("#")
    found: list[Hit] = []
    if (typed_id := parse_id(typed)) is not None:
        row = await session.scalar(
            _filtered(select(Resource), guild_id, verified, None, None).where(Resource.id == typed_id)
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
