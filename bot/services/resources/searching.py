"""Finding resources: ranked search over every match, in both languages.

What a person typed becomes weighted terms (``bot.services.resources.planning``: words, pairs of
neighbouring words, the last word's completions, the glossary's equivalents in either language).
Every resource holding any of them is a match, ranked by ``bot.db.ranking`` (the same arithmetic on
SQLite and PostgreSQL, and in memory, ``bot.db.resident``): resources holding more of the
question's concepts, the rarer words, in the title, side by side, come first. A word the library
does not know is corrected ("did you mean") when a close known word finds visible resources of
this server. ``/resource search`` and the CLI both call ``search``, so they rank identically.
Type-ahead is ``bot.services.resources.typeahead``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import analysis, ranking, resident
from bot.db.models.resources import Resource, ResourceTag
from bot.db.search import words
from bot.db.unit import unit_of_work
from bot.errors import Invalid
from bot.services import labels
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary
from bot.services.resources.planning import QUERY_MAX_WORDS, Plan, asked, plan, scored_from
from bot.services.resources.spelling import Visible, corrections
from bot.services.values import copied

SEARCH_LIMIT = 25
CAPPED_POSTINGS = 1500  # postings read per query at most (beyond a page per term) before pruning
# Postings per term read first, per resource of the page: at 100k resources, 2 proves most pages;
# reading deeper for a better floor cost more than the pruning it saved (see _capped).
CAPPED_FIRST = 2


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
        return copied(cls, row, score=score)


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


def seen_here(verified: bool) -> sa.ColumnElement[bool]:
    """This server's resources the member may see (bound: ``guild``), for statements built once."""
    return sa.and_(Resource.guild_id == sa.bindparam("guild"), labels.sql_visible(Resource.label, verified))


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


async def _ranked(
    session: AsyncSession,
    guild_id: int,
    scored: list[ranking.Scored],
    *,
    verified: bool,
    tag: str | None,
    language: str | None,
    limit: int,
    memory: resident.View | None = None,
) -> list[Hit]:
    """Every visible match of this server, best first: the ``limit`` best. From the arrays held
    in memory (``bot.db.resident``) when there is no filter; otherwise in SQL, where filters (tag,
    language) leave the floor unknown in advance: every match is scored then."""
    if not scored:
        return []
    if memory is not None and not tag and not language:
        held = await _resident_page(session, guild_id, scored, memory, verified=verified, limit=limit)
        if held is not None:
            return held
    floor: float | None = None
    if not tag and not language:
        capped, floor = await _capped(session, guild_id, scored, verified=verified, limit=limit)
        if capped is not None:
            return capped
    pruned = limit if not tag and not language else None
    sql, params = ranking.ranked_statement(scored, verified, pruned, floor)
    hits = ranking.hits(sql, {**params, "guild": guild_id})
    statement = select(*HIT_COLUMNS, hits.c.score).join(hits, hits.c.id == Resource.id)
    statement = _filtered(statement, guild_id, verified, tag, language)
    rows = await session.execute(statement.order_by(hits.c.score.desc(), Resource.id.desc()).limit(limit))
    return [_hit(r) for r in rows]


async def _resident_page(
    session: AsyncSession,
    guild_id: int,
    scored: list[ranking.Scored],
    memory: resident.View,
    *,
    verified: bool,
    limit: int,
) -> list[Hit] | None:
    """The page scored in memory, its rows read with the visibility rule; None (score it in SQL)
    if any of them is not there to be seen."""
    page = await memory.page([(s.term, s.factor, s.concept) for s in scored], verified, limit)
    if not page:
        return []
    return await _page_read(session, guild_id, page, verified)


async def _page_read(
    session: AsyncSession,
    guild_id: int,
    page: list[tuple[int, float]],
    verified: bool,
    token: int | None = None,
) -> list[Hit] | None:
    """The rows of a page scored in memory, read with the visibility rule (and with ``token``, the
    library's token in the same statement); None if any may not be shown (or the token is not
    ``token``)."""
    params = {"guild": guild_id, **{f"id{k}": i for k, (i, _score) in enumerate(page)}}
    statement = _page_rows(len(page), verified, confirmed=token is not None)
    rows = {r.id: r for r in await session.execute(statement, params)}
    if len(rows) != len(page) or not all(r.allowed for r in rows.values()):
        return None
    if token is not None and any(int(r.token) != token for r in rows.values()):
        return None
    return [page_hit(rows[i], score) for i, score in page]


def page_hit(r: Any, score: float) -> Hit:
    return Hit(r.id, r.title, r.url, r.description, r.tags, r.language, r.label, round(score, 6), r.views)


@functools.lru_cache(maxsize=256)
def _page_rows(count: int, verified: bool, *, confirmed: bool = False) -> Select[Any]:
    """The rows of a page scored in memory, with whether the caller may see each, by primary key
    (a WHERE on the server would have SQLite walk the server's index instead). One statement per
    page size, with one bound value per id: SQLAlchemy renders an expanding IN anew at every
    execution (about 1 ms a search)."""
    allowed = seen_here(verified)
    ids: list[sa.BindParameter[int]] = [sa.bindparam(f"id{k}") for k in range(count)]
    token = [resident.TOKEN.label("token")] if confirmed else []
    statement = select(*HIT_COLUMNS, allowed.label("allowed"), *token).where(Resource.id.in_(ids))
    return cast("Select[Any]", statement)


def _hit(r: Any) -> Hit:
    return Hit(
        r.id, r.title, r.url, r.description, r.tags, r.language, r.label, round(float(r.score), 6), r.views
    )


async def _capped(
    session: AsyncSession, guild_id: int, scored: list[ranking.Scored], *, verified: bool, limit: int
) -> tuple[list[Hit] | None, float | None]:
    """The page from the best postings of each term (twice a page of each), when their bound proves
    it exact; otherwise (many resources alike near the top) None and the score its last hit reached,
    a floor for scoring every candidate that may beat it."""
    depth = max(limit + 1, min(CAPPED_FIRST * limit, CAPPED_POSTINGS // len(scored)))
    sql, params = ranking.capped_statement(scored, verified, limit, depth)
    hits = ranking.hits(sql, {**params, "guild": guild_id}, bound=True)
    statement = select(*HIT_COLUMNS, hits.c.score, hits.c.bound, hits.c.beyond)
    statement = _filtered(statement.join(hits, hits.c.id == Resource.id), guild_id, verified, None, None)
    rows = list(await session.execute(statement.order_by(hits.c.score.desc(), Resource.id.desc())))
    bound = float(rows[0].bound) if rows else 0.0
    if bound <= 0:
        return [_hit(r) for r in rows], None
    if len(rows) < limit:
        return None, None
    last = float(rows[-1].score)
    if last > bound + 1e-9 or (last >= bound - 1e-9 and rows[-1].id > int(rows[0].beyond)):
        return [_hit(r) for r in rows], None
    return None, last


async def _scored(session: AsyncSession, found: Plan) -> tuple[list[ranking.Scored], list[str]]:
    """The plan's terms the library holds (with the unfinished last word's completions), and the
    typed words it does not know at all. One round trip."""
    scored, unknown, _token = await _scored_at(session, found, token=False)
    return scored, unknown


async def _scored_at(
    session: AsyncSession, found: Plan, *, token: bool
) -> tuple[list[ranking.Scored], list[str], int | None]:
    """``_scored``, and with ``token`` the library's (``bot.db.resident``), in the same round trip."""
    counts, held = await _statistics(session, found, token=token)
    return (*scored_from(found, counts), held)


async def _statistics(
    session: AsyncSession, found: Plan, *, token: bool
) -> tuple[dict[str, tuple[int, float]], int | None]:
    """The term statistics the plan needs, and with ``token`` the library's token. One round trip."""
    also = resident.TOKEN_ROW if token else ""
    rows = await session.execute(ranking.statistics_statement(asked(found), found.last_prefix, also))
    counts = {str(term): (int(docs), float(top)) for term, docs, top in rows}
    held = counts.pop(resident.TOKEN_TERM, None)
    return counts, None if held is None else held[0]


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
    """Best first, over every match. A typed word the library does not know is corrected ("did you
    mean") when the correction finds visible resources of this server on its own; the ranking
    never depends on ``limit`` (every caller gets the same order, cut at its own length)."""
    if not query_words(text):
        raise Invalid("resource.empty_query")
    glossary = await glossary_service.load(session, guild_id)
    options: dict[str, Any] = {"verified": verified, "tag": tag, "language": language}
    page = max(limit, SEARCH_LIMIT)
    found = plan(text, glossary)
    if not tag and not language and (held := await _held_page(session, guild_id, found, verified, page)):
        return SearchResult(held[:limit])
    counts, token = await _statistics(session, found, token=True)
    scored, unknown = scored_from(found, counts)
    options["memory"] = memory = resident.view_at(session, guild_id, token)
    if memory is not None:
        memory.state.learn(asked(found), counts, ranking.range_low(found.last_prefix))
        if not tag and not language and not unknown:  # one read for the check below and the page
            await memory.postings([s.term for s in scored])
    suspects = {*unknown, *await _hidden(session, guild_id, found, scored, options)}
    if suspects:
        corrected = await _corrected(session, guild_id, found, glossary, options, page, suspects)
        if corrected is not None:
            return SearchResult(corrected.hits[:limit], corrected.corrected)
    hits = await _ranked(session, guild_id, scored, limit=page, **options)
    return SearchResult(hits[:limit])


def _own_terms(found: Plan, scored: list[ranking.Scored]) -> list[tuple[str, list[ranking.Scored]]]:
    """Each typed word outside a glossary phrase (digits aside) with its scored terms: its stem,
    and for the unfinished last word its completions (the terms nobody else asked for)."""
    planned = {t.term for t in found.terms}
    owned = []
    for stem, word in found.lone.items():
        if word.isdigit():
            continue
        last = found.last_prefix is not None and analysis.normalize(word) == found.last_prefix
        own = [s for s in scored if s.term == stem or (last and s.term not in planned)]
        if own:
            owned.append((analysis.normalize(word), own))
    return owned


async def _hidden(
    session: AsyncSession, guild_id: int, found: Plan, scored: list[ranking.Scored], options: dict[str, Any]
) -> list[str]:
    """The typed words that the index holds but that find nothing this member may see here.

    The index holds every server's words, AMBER material's too. Such a word is treated exactly as
    a word that exists nowhere (a correction is tried, from what the member may see), so that the
    answer never hints at AMBER material or another server's library.
    """
    unfiltered = {**options, "tag": None, "language": None}
    owned = _own_terms(found, scored)
    return [word for word, own in owned if not await _matches(session, guild_id, own, **unfiltered)]


async def _held_page(
    session: AsyncSession, guild_id: int, found: Plan, verified: bool, limit: int
) -> list[Hit] | None:
    """The page from what memory already holds (statistics and postings read under the last token
    seen), confirmed by one statement that reads the page's rows with the visibility rule and the
    library's token: when the token is not the one they were read under, or anything is missing,
    a word finds nothing the member may see, or a row may not be shown, None (the usual way)."""
    memory = resident.unconfirmed(session, guild_id)
    if memory is None:
        return None
    counts = memory.state.recall(asked(found), ranking.range_low(found.last_prefix))
    if counts is None:
        return None
    scored, unknown = scored_from(found, counts)
    postings = memory.held([s.term for s in scored])
    if unknown or not scored or postings is None:
        return None
    for _word, own in _own_terms(found, scored):
        if not any(postings[s.term].visible(verified) for s in own):
            return None
    page = memory.held_page([(s.term, s.factor, s.concept) for s in scored], verified, limit)
    if not page:
        return None
    return await _page_read(session, guild_id, page, verified, token=memory.state.token)


async def _matches(
    session: AsyncSession,
    guild_id: int,
    scored: list[ranking.Scored],
    *,
    verified: bool,
    tag: str | None,
    language: str | None,
    memory: resident.View | None = None,
) -> bool:
    """Does any of ``scored`` find a resource of this server the member may see (with the
    filters)? What ``_ranked`` would answer non-empty for, without ranking anything."""
    if not scored:
        return False
    if memory is not None and not tag and not language:
        return await memory.any_visible([s.term for s in scored], verified)
    sql, params = ranking.exists_statement(scored, verified)
    if tag or language:
        hits = ranking.hits(sql, {**params, "guild": guild_id}, scored=False)
        statement = select(Resource.id).join(hits, hits.c.id == Resource.id)
        statement = _filtered(statement, guild_id, verified, tag, language).limit(1)
        return await session.scalar(statement) is not None
    return await session.scalar(sa.text(f"{sql} LIMIT 1").bindparams(**params, guild=guild_id)) is not None


async def _corrected(
    session: AsyncSession,
    guild_id: int,
    found: Plan,
    glossary: Glossary,
    options: dict[str, Any],
    page: int,
    suspects: set[str],
) -> SearchResult | None:
    """The first correction of the ``suspects`` (typed words that find nothing the member may see)
    whose corrected words, on their own, find visible resources of this server (so that no word
    of another server, or of material the member may not see, is ever suggested)."""
    visible = Visible(guild_id, options["verified"])  # only what the member may see here
    attempts = await corrections(
        session, found.words, glossary=glossary, visible=visible, suspects=suspects, memory=options["memory"]
    )
    for attempt in attempts:
        changed = [new for new, old in zip(attempt, found.words, strict=True) if new != old]
        alone, _unknown = await _scored(session, plan(" ".join(changed), glossary))
        if not await _matches(session, guild_id, alone, **options):
            continue
        again = plan(" ".join(attempt), glossary)
        scored, _unknown = await _scored(session, again)
        hits = await _ranked(session, guild_id, scored, limit=page, **options)
        if hits:
            return SearchResult(hits, " ".join(attempt))
    return None


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


@unit_of_work
async def warm(session: AsyncSession, guild_id: int) -> int:
    """Hold the library's most common terms in memory for this server (``bot.db.resident.warm``),
    once per state of the library: run in the background, so that the first search of a common
    word after a start or a change does not read its postings. Returns postings read."""
    return await resident.warm(session, guild_id)
