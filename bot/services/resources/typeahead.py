"""Type-ahead for resources (``/resource`` options): at most 25 visible resources for what is
being typed, matching titles and tags by prefix, newest first (``bot.db.search``); an id typed
finds that resource; nothing yet (or one letter), the most viewed. Statements are built once per
shape (building one costs about as much as running it)."""

from __future__ import annotations

import functools
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.resources import RESOURCES_INDEX, Resource
from bot.db.search import Query, Term, words
from bot.ids import parse_id
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary
from bot.services.resources.searching import HIT_COLUMNS, Hit, page_hit, query_words, seen_here
from bot.services.resources.spelling import dialect_of

AUTOCOMPLETE_LIMIT = 25
AUTOCOMPLETE_WINDOW = 100
TYPING_COLUMNS = ("title", "tags")
# PostgreSQL type-ahead: newest documents looked through first; past them (a match in ~70 or
# rarer), the index is cheaper (~1.5 ms per 1,000 documents looked through in vain at 100,000)
TYPING_RECENT = 2000


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


async def _typed(
    session: AsyncSession, guild_id: int, query: Query, *, verified: bool, limit: int
) -> list[Hit]:
    """Type-ahead: titles and tags of the most recent matches, no relevance to compute. On
    PostgreSQL, first the newest visible matches among the newest documents (reading stops at a
    full page: the GIN index would hand every match of a common prefix to be sorted); only when
    they are fewer than a page, through the index."""
    if not query:
        return []
    dialect = dialect_of(session)
    params = {"guild": guild_id, f"{RESOURCES_INDEX.name}_q": fts.match_value(dialect, query, TYPING_COLUMNS)}
    found: list[Hit] = []
    for recent in (True, False) if dialect == "postgresql" else (False,):
        rows = await session.execute(_typing_statement(dialect, verified, limit, recent), params)
        found = [page_hit(r, 0.0) for r in rows]
        if len(found) == limit:
            break
    return found


@functools.lru_cache(maxsize=64)
def _typing_shortcut(verified: bool, limit: int, *, by_id: bool) -> Select[Any]:
    """Type-ahead without words (bound: ``guild``): the resource of a typed ``id``, or the most
    viewed. Built once per shape (building a statement costs about as much as running it)."""
    statement = select(*HIT_COLUMNS).where(seen_here(verified))
    if by_id:
        statement = statement.where(Resource.id == sa.bindparam("id"))
    return cast("Select[Any]", statement.order_by(Resource.views.desc(), Resource.id.desc()).limit(limit))


_EXAMPLE = Query.all_of([Term(("example",))])  # the value bound in a cached statement (see _typed)


@functools.lru_cache(maxsize=64)
def _typing_statement(dialect: str, verified: bool, limit: int, recent: bool) -> Select[Any]:
    """The page of type-ahead matches a member may see in a server (bound: ``guild`` and the
    query), built once per shape. ``recent`` (PostgreSQL): among the newest documents, each row
    looked up as it comes (LATERAL: a generic plan may not hash-join the whole server instead);
    otherwise the newest matches of the index."""
    visible = seen_here(verified)
    if recent:
        hits = fts.recent_hits(RESOURCES_INDEX, _EXAMPLE, columns=TYPING_COLUMNS, rows=TYPING_RECENT)
        row = select(*HIT_COLUMNS).where(Resource.id == hits.c.id, visible).lateral("row")
        statement = select(row).select_from(hits).join(row, sa.true())
    else:
        hits = fts.hits(
            RESOURCES_INDEX,
            dialect,
            _EXAMPLE,
            window=AUTOCOMPLETE_WINDOW,
            columns=TYPING_COLUMNS,
            rank=False,
            recent_first=False,
        )
        statement = select(*HIT_COLUMNS).join(hits, hits.c.id == Resource.id).where(visible)
    # by the matches' own id, in the order recent_hits reads them, so that reading stops early
    return cast("Select[Any]", statement.order_by(hits.c.id.desc()).limit(limit))


async def autocomplete(
    session: AsyncSession, guild_id: int, current: str, *, verified: bool, limit: int = AUTOCOMPLETE_LIMIT
) -> list[Hit]:
    """At most 25 visible resources for what is being typed: an id, words as prefixes, or (nothing
    typed yet) the most viewed."""
    limit = min(limit, AUTOCOMPLETE_LIMIT)
    typed = (current or "").strip().lstrip("#")
    found: list[Hit] = []
    if (typed_id := parse_id(typed)) is not None:
        rows = await session.execute(
            _typing_shortcut(verified, 1, by_id=True), {"guild": guild_id, "id": typed_id}
        )
        found += [page_hit(r, 0.0) for r in rows]
    if all(len(word) < 2 for word in words(typed)):  # nothing yet, or one letter: the most viewed
        rows = await session.execute(_typing_shortcut(verified, limit, by_id=False), {"guild": guild_id})
        more = [page_hit(r, 0.0) for r in rows]
        return (found + [hit for hit in more if hit.id not in {h.id for h in found}])[:limit]
    glossary = await glossary_service.load(session, guild_id)
    query = build_query(query_words(typed), glossary, prefix_last=True)
    more = await _typed(session, guild_id, query, verified=verified, limit=limit)
    seen = {hit.id for hit in found}
    return (found + [hit for hit in more[:limit] if hit.id not in seen])[:limit]
