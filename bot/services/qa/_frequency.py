"""How many indexed questions hold each word (counted up to a ceiling), in one round trip.

Used to pick the rarest — most telling — words of a new question for the similar-questions
check. ``bot.db.search.hits`` binds one fixed parameter name, so it cannot appear several times in
one statement; the counts are therefore written here with the index's own match syntax
(``fts5_match`` / ``tsquery``), one bound parameter per word.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts

CEILING = 500  # beyond this a word is simply "common"
TTL_SECONDS = 600.0
CACHE_SIZE = 20_000
_cache: dict[tuple[str, str], tuple[int, float]] = {}


def _count_sql(index: fts.FullTextIndex, dialect: str, position: int) -> str:
    """A bounded count of the rows matching ``:w<position>``; identifiers come from the index."""
    if dialect == "sqlite":
        inner = f"SELECT 1 FROM {index.name} WHERE {index.name} MATCH :w{position} LIMIT {CEILING + 1}"  # noqa: S608
    elif dialect == "postgresql":
        inner = (
            f"SELECT 1 FROM {index.name} f WHERE f.document @@ to_tsquery('simple', :w{position}) "  # noqa: S608
            f"LIMIT {CEILING + 1}"
        )
    else:
        raise NotImplementedError(f"full-text search on {dialect}")
    return f"SELECT {position} AS position, (SELECT count(*) FROM ({inner}) AS c) AS held"  # noqa: S608


def _match_value(dialect: str, word: str) -> str:
    query = fts.Query.all_of([fts.Term((word,))])
    return fts.fts5_match(query) if dialect == "sqlite" else fts.tsquery(query)


async def frequencies(
    session: AsyncSession, index: fts.FullTextIndex, words: Sequence[str]
) -> dict[str, int]:
    """``{word: rows holding it, at most CEILING + 1}``; recent counts come from a cache.

    An absent word (0) is never cached: it may be indexed the next minute. A slightly stale count
    only changes which rare words are matched first.
    """
    bind = session.get_bind()
    database, dialect, now = str(bind.engine.url), bind.dialect.name, time.monotonic()
    found: dict[str, int] = {}
    missing: list[str] = []
    for word in dict.fromkeys(words):
        cached = _cache.get((database, word))
        if cached is not None and now - cached[1] < TTL_SECONDS:
            found[word] = cached[0]
        else:
            missing.append(word)
    if missing:
        statement = text(" UNION ALL ".join(_count_sql(index, dialect, i) for i in range(len(missing))))
        values = {f"w{i}": _match_value(dialect, word) for i, word in enumerate(missing)}
        for position, held in (await session.execute(statement, values)).all():
            word = missing[int(position)]
            found[word] = int(held)
            if held:
                if len(_cache) >= CACHE_SIZE:
                    _cache.clear()
                _cache[(database, word)] = (int(held), now)
    return found
