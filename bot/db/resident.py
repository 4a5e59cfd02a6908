# ruff: noqa: S608  (SQL is built from fixed names; every value is bound)
"""Ranked search from the bot's memory: each server's postings of a term as two arrays (resource
ids, impacts), read once from ``resource_terms`` (``bot.db.postings``) and scored with numpy, with
the same arithmetic as the SQL statements (``sum(factor * impact)`` over the query's terms times
the share of the query's concepts held, ``bot.db.ranking``; best first, then newest first), so the
same page on every engine.

Exactly fresh, in every process: migration 0017 adds ``search_generation``, one row holding a random
``token`` that triggers on ``resources`` replace whenever a row is inserted or deleted or its
``search_terms``, ``label`` or ``guild_id`` change (what the postings are filed from). Each search
reads the token through the caller's session (one primary-key read, which sees the caller's own
uncommitted changes too); when it is not the token the arrays were read under, they are all
dropped, and read again as queries ask for them. A token is never reused (63 random bits), so
arrays read under a state that was rolled back are never taken for another state's. The page found
here is then read from ``resources`` with the caller's visibility rule (``labels.sql_visible``) and
server: a resource the caller may not see is never shown, even if the arrays were wrong.

Memory: 6 bytes per posting held (int32 id, uint16 impact: impacts are stored rounded to 4
decimals, ``bot.db.analysis``; a term whose impacts are not is held as float64, 12 bytes), and
about 1 kB per term, at most ``BUDGET`` bytes (least recently used terms dropped first; they are
read again when asked for). The vocabulary slices that did-you-mean reads (``View.words``) are held
under the same token and budget. At 100,000 resources every posting (3.9 million, 200,000 terms) would
take 25 MB of arrays and 200 MB of objects: the budget keeps the most used terms.

Caveat for later migrations: on SQLite a batch ("move and copy") migration of ``resources`` drops
its triggers; re-run ``create_statements`` after it.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.postings import STATS, TERMS

TABLE = "search_generation"
BUDGET = 40_000_000  # bytes held per database, at most (arrays, and TERM_COST per term)
TERM_COST = 1_000  # bytes of Python objects around one term's arrays
_SCALE = 10_000.0  # impacts are rounded to 4 decimals
_COLUMNS = ("search_terms", "label", "guild_id")


# -- DDL -------------------------------------------------------------------------------------------
def create_statements(dialect: str) -> list[str]:
    """The token's table (one row) and the triggers that replace it."""
    table = f"CREATE TABLE {TABLE} (id SMALLINT PRIMARY KEY, token BIGINT NOT NULL)"
    if dialect == "sqlite":
        bump = f"UPDATE {TABLE} SET token = random();"
        return [
            table,
            f"INSERT INTO {TABLE} (id, token) VALUES (1, random())",
            f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON resources BEGIN {bump} END",
            f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF {', '.join(_COLUMNS)} ON resources BEGIN {bump} END",
            f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON resources BEGIN {bump} END",
        ]
    if dialect == "postgresql":
        token = "floor((random() - 0.5) * 1.8e19)::bigint"
        return [
            table,
            f"INSERT INTO {TABLE} (id, token) VALUES (1, {token})",
            f"CREATE FUNCTION {TABLE}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {TABLE} SET token = {token}; RETURN NULL; END $$",
            f"CREATE TRIGGER {TABLE}_change AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_COLUMNS)} "
            f"ON resources FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_bump()",
        ]
    raise NotImplementedError(f"resident search on {dialect}")


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        triggers = [f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("ai", "au", "ad")]
    elif dialect == "postgresql":
        triggers = [
            f"DROP TRIGGER IF EXISTS {TABLE}_change ON resources",
            f"DROP FUNCTION IF EXISTS {TABLE}_bump()",
        ]
    else:
        raise NotImplementedError(f"resident search on {dialect}")
    return [*triggers, f"DROP TABLE IF EXISTS {TABLE}"]


# -- the arrays ------------------------------------------------------------------------------------
TOP = 100  # a term's best postings scored first (at least a page), whose page gives the floor
DENSE = 3  # a term held by at least one id in DENSE of its range is also held by position


@dataclass(frozen=True)
class Segment:
    """Postings of one term in one server, all restricted or none: ids in increasing order, their
    impacts, and where its ``TOP`` best are."""

    ids: np.ndarray[Any, Any]  # int32 (int64 past 2**31)
    impacts: np.ndarray[Any, Any]  # uint16 (impact * 10,000) or float64
    best: np.ndarray[Any, Any]  # indexes of the TOP highest impacts
    top: float  # the highest impact
    # a common term's impacts also by id, from ids[0] to ids[-1] (uint16, 0: not held): a lookup
    # by position instead of a binary search, for at most 2 bytes per id of the range
    dense: np.ndarray[Any, Any] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def base(self) -> int:
        """The id at ``dense[0]``."""
        return int(self.ids[0])

    @property
    def nbytes(self) -> int:
        extra = 0 if self.dense is None else self.dense.nbytes
        return self.ids.nbytes + self.impacts.nbytes + self.best.nbytes + extra

    def values(self, at: np.ndarray[Any, Any] | slice) -> np.ndarray[Any, Any]:
        """The impacts at ``at`` as float64, exactly the stored ones."""
        found = self.impacts[at]
        return found if found.dtype == np.float64 else found / _SCALE


def _segment(ids: np.ndarray[Any, Any], impacts: np.ndarray[Any, Any]) -> Segment:
    order = np.argsort(ids, kind="stable")
    ids, impacts = ids[order], impacts[order]
    best = np.argsort(-impacts, kind="stable")[:TOP] if len(ids) > TOP else np.arange(len(ids))
    top = float(impacts.max()) if len(impacts) else 0.0
    scaled = np.rint(impacts * _SCALE)
    compact: np.ndarray[Any, Any] = impacts
    if len(ids) and scaled.min() >= 0 and scaled.max() < 65536 and np.array_equal(scaled / _SCALE, impacts):
        compact = scaled.astype(np.uint16)
    narrow = ids.astype(np.int32) if len(ids) and ids.max() < 2**31 else ids
    dense = None
    if compact.dtype == np.uint16 and compact.min() > 0 and DENSE * len(ids) >= ids[-1] - ids[0] + 1:
        dense = np.zeros(int(ids[-1] - ids[0]) + 1, dtype=np.uint16)
        dense[ids - ids[0]] = compact
    return Segment(narrow, compact, best.astype(np.int32), top, dense)


@dataclass(frozen=True)
class Postings:
    """One server's postings of one term: those anyone may see, and the restricted ones."""

    open: Segment
    restricted: Segment

    def __len__(self) -> int:
        return len(self.open) + len(self.restricted)

    @property
    def cost(self) -> int:
        """Bytes held, roughly."""
        return TERM_COST + self.open.nbytes + self.restricted.nbytes

    def visible(self, verified: bool) -> list[Segment]:
        return [s for s in ((self.open, self.restricted) if verified else (self.open,)) if len(s)]


def _postings_statement(
    session: AsyncSession, terms: Sequence[str], guild_id: int
) -> tuple[sa.TextClause, dict[str, Any]]:
    """Terms' postings in a server, one row per term holding its ids, and its impacts and
    restrictions, as text lists of integers (the database joins them, numpy reads them: a row
    instead of thousands; one part per term, read in the index's order, with nothing to sort).
    Each impact and restriction is one integer, ``impact * 10,000 * 2 + restricted``: impacts are
    stored rounded to 4 decimals (``bot.db.analysis``), and integers are written and read about
    twice as fast as floats (70,000 postings: 21 ms instead of 49 on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        lists = [
            "string_agg(resource_id::text, ',')",
            "string_agg((round(impact * 10000)::bigint * 2 + restricted)::text, ',')",
        ]
    else:
        lists = [
            "group_concat(resource_id, ',')",
            "group_concat(CAST(round(impact * 10000) AS INTEGER) * 2 + restricted, ',')",
        ]
    parts = [
        f"SELECT :t{i} AS term, {', '.join(lists)} FROM {TERMS} WHERE guild_id = :guild AND term = :t{i}"
        for i in range(len(terms))
    ]
    params = {"guild": guild_id, **{f"t{i}": term for i, term in enumerate(terms)}}
    return sa.text(" UNION ALL ".join(parts)), params


def _parsed(ids: str | None, coded: str | None) -> Postings:
    """A term's postings from a row of ``_postings_statement``."""
    if not ids or not coded:
        empty = _segment(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        return Postings(empty, empty)
    found = np.fromstring(ids, dtype=np.int64, sep=",")
    codes = np.fromstring(coded, dtype=np.int64, sep=",")
    values, closed = (codes >> 1) / _SCALE, (codes & 1).astype(np.bool_)
    return Postings(_segment(found[~closed], values[~closed]), _segment(found[closed], values[closed]))


Factor = tuple[str, float, int | None]  # a query term, its factor, and the concept it is for


@dataclass(frozen=True)
class _Term:
    """A query term's visible postings with its factor: a score adds ``factor * impact``; and the
    query's concept it is for (``bot.db.ranking.Weighted``)."""

    segments: list[Segment]
    factor: float
    concept: int | None = None

    @functools.cached_property
    def most(self) -> float:
        return self.factor * max(s.top for s in self.segments)

    def add(
        self, scores: np.ndarray[Any, Any], candidates: np.ndarray[Any, Any], holds: np.ndarray[Any, Any]
    ) -> None:
        """Adds to ``scores`` (of ``candidates``, in increasing order) what this term gives each, and
        sets ``holds`` where it holds one."""
        for segment in self.segments:
            if segment.dense is not None:  # scores of ids it does not hold get + 0.0: unchanged
                lo, hi = np.searchsorted(candidates, (segment.base, segment.base + len(segment.dense)))
                found = segment.dense[candidates[lo:hi] - segment.base]
                scores[lo:hi] += found / _SCALE * self.factor
                holds[lo:hi] |= found > 0
                continue
            ids = segment.ids
            at = np.searchsorted(ids, candidates.astype(ids.dtype, copy=False))  # same type: no copy
            np.minimum(at, len(ids) - 1, out=at)
            held = ids[at] == candidates
            scores[held] += segment.values(at[held]) * self.factor
            holds |= held


def _scores(terms: Sequence[_Term], candidates: np.ndarray[Any, Any], concepts: int) -> np.ndarray[Any, Any]:
    """Exact scores of ``candidates`` (in increasing order): the terms added in the query's order,
    whoever asks, so that two resources holding the same terms alike score exactly alike; times
    the share of the query's ``concepts`` each holds, as SQL computes it (sum * held / concepts)."""
    scores = np.zeros(len(candidates), dtype=np.float64)
    held = np.zeros(len(candidates), dtype=np.uint16)
    bits = _concept_bits(terms)
    for term in terms:
        holds = np.zeros(len(candidates), dtype=np.bool_)
        term.add(scores, candidates, holds)
        held[holds] |= _bit(term, bits)
    return _shared(scores, held, concepts)


def _best(
    candidates: np.ndarray[Any, Any], scores: np.ndarray[Any, Any], limit: int
) -> list[tuple[int, float]]:
    """The ``limit`` best, equal scores newest (highest id) first."""
    if len(candidates) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= cut
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((-candidates.astype(np.int64), -scores))[:limit]
    return [(int(candidates[i]), float(scores[i])) for i in order]


_SCRATCH: list[np.ndarray[Any, Any]] = [np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.uint16)]
HELD = 1  # in ``_scratch``'s flags: the resource holds one of the terms summed; the other 15 bits,
# the query's concepts it holds (a query has at most 12: ``planning.QUERY_MAX_WORDS``)
_ONES = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1).astype(np.uint8)


def _scratch(size: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Two arrays of at least ``size`` zeros (sums and flags per resource id), kept between
    searches (fresh ones cost a page fault per 4 kB), to be left zero after use."""
    if len(_SCRATCH[0]) < size:
        grown = max(size, 2 * len(_SCRATCH[0]))
        _SCRATCH[:] = [np.zeros(grown, dtype=np.float64), np.zeros(grown, dtype=np.uint16)]
    return _SCRATCH[0], _SCRATCH[1]


def _concept_bits(terms: Sequence[_Term]) -> dict[int, int]:
    """A flag bit per concept of the query (after ``HELD``)."""
    found = sorted({t.concept for t in terms if t.concept is not None})
    if len(found) > 15:
        raise ValueError(f"{len(found)} concepts: at most 15 (a query has at most 12 words)")
    return {concept: 2 << i for i, concept in enumerate(found)}


def _bit(term: _Term, bits: dict[int, int]) -> np.uint16:
    """The flag of the concept ``term`` is for (0: none)."""
    return np.uint16(0 if term.concept is None else bits[term.concept])


def _shared(sums: np.ndarray[Any, Any], flags: np.ndarray[Any, Any], concepts: int) -> np.ndarray[Any, Any]:
    """Scores from sums and the concepts flagged, as SQL computes them (sum * held / concepts)."""
    if not concepts:
        return sums
    held = flags & ~np.uint16(HELD)
    return sums * (_ONES[held & 0xFF] + _ONES[held >> 8]) / float(concepts)


def best_page(terms: Sequence[_Term], limit: int, concepts: int) -> list[tuple[int, float]]:
    """The ``limit`` best resources holding any of ``terms``, exactly as scoring every one, without
    scoring every one (MaxScore): the resources among each term's ``TOP`` best postings are scored
    first; the ``limit``-th best of them is a floor the page reaches. The terms that can add the
    least, together short of the floor, are optional: a resource reaching the floor holds one of
    the others (essential). Every posting of the essential terms is summed per resource, and the
    concepts it holds flagged; only the resources whose sum, with the most the optional terms can
    add, reaches the floor are scored (a score is its sum times the share of the query's
    ``concepts`` it holds, at most 1)."""
    terms = [t for t in terms if t.segments]
    if not terms:
        return []
    first = np.unique(np.concatenate([s.ids[s.best] for t in terms for s in t.segments]))
    scores = _scores(terms, first, concepts)
    if all(len(s) <= TOP for t in terms for s in t.segments):  # every match was in the first read
        return _best(first, scores, limit)
    bits = _concept_bits(terms)
    floor = (
        float(np.partition(scores, len(scores) - limit)[len(scores) - limit]) if len(first) >= limit else 0.0
    )
    ordered = sorted(terms, key=lambda t: t.most)
    optional, reach = 0, 0.0
    while optional < len(ordered) and reach + ordered[optional].most < floor - 1e-9:
        reach += ordered[optional].most
        optional += 1
    essential = ordered[optional:]
    low = min(s.base for t in essential for s in t.segments)
    size = max(int(s.ids[-1]) for t in essential for s in t.segments) + 1
    sums, flags = _scratch(size)
    for term in essential:
        flag = np.uint16(HELD | _bit(term, bits))
        for segment in term.segments:
            if segment.dense is not None:  # + 0.0 where it holds nothing: unchanged
                at = slice(segment.base, segment.base + len(segment.dense))
                sums[at] += segment.dense / _SCALE * term.factor
                np.bitwise_or(flags[at], flag, out=flags[at], where=segment.dense > 0)
            else:
                sums[segment.ids] += segment.values(slice(None)) * term.factor
                flags[segment.ids] |= flag
    candidates = low + np.flatnonzero((flags[low:size] != 0) & (sums[low:size] + reach >= floor - 1e-9))
    part, held = sums[candidates], flags[candidates]
    sums[low:size], flags[low:size] = 0.0, 0  # left as found
    for i in range(optional - 1, -1, -1):  # the optional terms, the most telling first
        holds = np.zeros(len(candidates), dtype=np.bool_)
        ordered[i].add(part, candidates, holds)
        held[holds] |= _bit(ordered[i], bits)
        rest = sum(t.most for t in ordered[:i])
        keep = part + rest >= floor - 1e-9
        candidates, part, held = candidates[keep], part[keep], held[keep]
    return _best(candidates, _shared(part, held, concepts), limit)


@dataclass(frozen=True)
class Words:
    """Words of the library with how many resources hold each (a vocabulary's slice, every
    server's), held under the token like the arrays (``View.words``)."""

    counts: dict[str, int]

    @property
    def cost(self) -> int:
        return TERM_COST + WORD_COST * len(self.counts)


WORD_COST = 120  # bytes of a held word and its count, roughly
STATISTICS_HELD = 50_000  # terms' statistics kept per token, at most (cleared when full)
_WORDS = -1  # the "server" of held vocabularies' keys (server ids are positive)


@dataclass
class _State:
    """The arrays (and vocabularies) read under one token, least recently used first."""

    token: int
    terms: OrderedDict[tuple[int, str], Postings | Words] = field(default_factory=OrderedDict)
    held: int = 0  # bytes
    # what the term statistics said under the token: term -> (docs, top), (0, 0.0) when absent;
    # and for an unfinished word's range (``ranking.statistics_statement``), the terms in it
    statistics: dict[str, tuple[int, float]] = field(default_factory=dict)
    ranges: dict[str, frozenset[str]] = field(default_factory=dict)
    warmed: set[int] = field(default_factory=set)  # servers ``warm`` has read for

    def keep(self, key: tuple[int, str], value: Postings | Words) -> None:
        if key in self.terms:
            return
        self.terms[key] = value
        self.held += value.cost
        while self.held > BUDGET and len(self.terms) > 1:
            _key, dropped = self.terms.popitem(last=False)
            self.held -= dropped.cost

    def learn(self, asked: Sequence[str], counts: dict[str, tuple[int, float]], low: str | None) -> None:
        """Keep what one read of the term statistics said (``asked``: the terms it asked for,
        ``low``: the range it read, see ``ranking.statistics_statement``)."""
        if len(self.statistics) + len(counts) + len(asked) > STATISTICS_HELD:
            self.statistics.clear()
            self.ranges.clear()
        self.statistics.update(dict.fromkeys(asked, (0, 0.0)))
        self.statistics.update(counts)
        if low is not None:
            high = low[:-1] + chr(ord(low[-1]) + 1)
            self.ranges[low] = frozenset(t for t in counts if low <= t < high and " " not in t)

    def recall(self, asked: Sequence[str], low: str | None) -> dict[str, tuple[int, float]] | None:
        """What ``learn`` kept for the same read, in its shape (present terms only); None when
        part of it was never read under this token."""
        terms = list(asked)
        if low is not None:
            if low not in self.ranges:
                return None
            terms += self.ranges[low]
        found = {}
        for term in terms:
            known = self.statistics.get(term)
            if known is None:
                return None
            if known[0] > 0:
                found[term] = known
        return found

    def get(self, key: tuple[int, str]) -> Postings | Words | None:
        found = self.terms.get(key)
        if found is not None:
            self.terms.move_to_end(key)
        return found


class _Resident:
    def __init__(self) -> None:
        self.state: _State | None = None


_RESIDENT: weakref.WeakKeyDictionary[Any, _Resident] = weakref.WeakKeyDictionary()


def _resident(session: AsyncSession) -> _Resident:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    found = _RESIDENT.get(engine)
    if found is None:
        found = _RESIDENT[engine] = _Resident()
    return found


@dataclass
class View:
    """The arrays of one server, valid for the caller's session as it is now (one search)."""

    session: AsyncSession
    guild_id: int
    state: _State

    async def postings(self, terms: Sequence[str]) -> dict[str, Postings]:
        """Each term's postings in this server (read from the database once, then held)."""
        state, found = self.state, {}
        missing = []
        for term in dict.fromkeys(terms):
            held = state.get((self.guild_id, term))
            if isinstance(held, Postings):
                found[term] = held
            else:
                missing.append(term)
        if missing:
            read = await self.session.execute(*_postings_statement(self.session, missing, self.guild_id))
            for term, ids, coded in read:
                found[str(term)] = _parsed(ids, coded)
                state.keep((self.guild_id, str(term)), found[str(term)])
        return found

    async def words(self, name: str, statement: sa.TextClause, keep: Callable[[str], bool]) -> dict[str, int]:
        """The (word, count) rows of ``statement`` whose word ``keep`` keeps, read once under this
        token and held as ``name``. For what changes with the library's postings: a vocabulary
        slice of the full-text index, which the token follows closely but not exactly (an edit
        changing a word's spelling but not its stem keeps the token), so its words are candidates
        to check, never an answer (``bot.services.resources.spelling``)."""
        key = (_WORDS, name)
        held = self.state.get(key)
        if isinstance(held, Words):
            return held.counts
        rows = await self.session.execute(statement)
        counts = {str(word): int(docs) for word, docs in rows if keep(str(word))}
        self.state.keep(key, Words(counts))
        return counts

    async def any_visible(self, terms: Sequence[str], verified: bool) -> bool:
        """Does any of ``terms`` find a resource of this server the member may see?"""
        found = await self.postings(terms)
        return any(p.visible(verified) for p in found.values())

    async def page(self, factors: Sequence[Factor], verified: bool, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best ``(id, score)`` of every resource holding one of the terms, a
        score being ``sum(factor * impact)`` times the share of the query's concepts held (see
        ``bot.db.ranking``); equal scores newest (highest id) first."""
        found = await self.postings([term for term, _factor, _concept in factors])
        return _page_of(found, factors, verified, limit)

    def held(self, terms: Sequence[str]) -> dict[str, Postings] | None:
        """Each term's postings if all are held (no read), else None."""
        found = {}
        for term in dict.fromkeys(terms):
            postings = self.state.get((self.guild_id, term))
            if not isinstance(postings, Postings):
                return None
            found[term] = postings
        return found

    def held_page(
        self, factors: Sequence[Factor], verified: bool, limit: int
    ) -> list[tuple[int, float]] | None:
        """``page`` from the postings held, without reading any; None when one is not held."""
        found = self.held([term for term, _factor, _concept in factors])
        return None if found is None else _page_of(found, factors, verified, limit)


def _page_of(
    found: dict[str, Postings], factors: Sequence[Factor], verified: bool, limit: int
) -> list[tuple[int, float]]:
    concepts = len({concept for _term, _factor, concept in factors if concept is not None})
    terms = [_Term(found[term].visible(verified), factor, concept) for term, factor, concept in factors]
    return best_page(terms, limit, concepts)


TOKEN_TERM = "#token"  # never a term (terms are words): the token as a row of term statistics
TOKEN_ROW = f"SELECT '{TOKEN_TERM}', token, 0 FROM {TABLE} WHERE id = 1"
TOKEN: sa.ColumnClause[int] = sa.literal_column(
    f"(SELECT token FROM {TABLE} WHERE id = 1)"
)  # read beside a page's rows


async def view(session: AsyncSession, guild_id: int) -> View | None:
    """The arrays for this server as the caller's session sees the library (None: no token table)."""
    token = await session.scalar(sa.text(f"SELECT token FROM {TABLE} WHERE id = 1"))
    return view_at(session, guild_id, None if token is None else int(token))


def view_at(session: AsyncSession, guild_id: int, token: int | None) -> View | None:
    """``view`` with the token already read (``TOKEN_ROW``, in the caller's session)."""
    if token is None:
        return None
    resident = _resident(session)
    state = resident.state
    if state is None or state.token != int(token):
        state = resident.state = _State(int(token))
    return View(session, guild_id, state)


def unconfirmed(session: AsyncSession, guild_id: int) -> View | None:
    """The arrays as last read, without reading the token: what is found there is only good once
    the token is read, equal to ``View.state.token``, by the same statement as the rows shown
    (same snapshot). Nothing may be read into it (``View.held`` only): the token is unknown."""
    state = _resident(session).state
    return None if state is None else View(session, guild_id, state)


WARM_SHARE = 0.75  # of BUDGET that warming may fill
WARM_STEP = 60_000  # postings read per step (then the event loop runs other work)
WARM_TERMS = 2000  # the most common terms considered
WARM_STEP_TERMS = 100  # terms read per step at most (SQLite joins at most 500 SELECTs in one)


async def warm(session: AsyncSession, guild_id: int, *, share: float = WARM_SHARE) -> int:
    """Read the postings and statistics of the library's most common terms into memory for this
    server, if not done under the current token yet: the first search of a common word after a
    change then reads nothing but its page (a 70,000-posting term costs ~20 ms to read). Steps of
    at most ``WARM_STEP`` postings, the event loop free between them. Returns the postings read, as
    the term statistics count them (every server's: an upper bound of this server's)."""
    held = await view(session, guild_id)  # one primary-key read when there is nothing to do
    if held is None or guild_id in held.state.warmed:
        return 0
    common = f"SELECT term, docs, top FROM {STATS} WHERE docs > 0 ORDER BY docs DESC LIMIT {WARM_TERMS}"
    rows = await session.execute(sa.text(f"SELECT * FROM ({common}) c UNION ALL {TOKEN_ROW}"))
    counts = {str(term): (int(docs), float(top)) for term, docs, top in rows}  # token: same snapshot
    token = counts.pop(TOKEN_TERM, None)
    found = view_at(session, guild_id, None if token is None else token[0])
    if found is None:
        return 0
    found.state.warmed.add(guild_id)
    budget, read, step, in_step = int(BUDGET * share) // 8, 0, [], 0  # ~8 bytes a posting held
    for term, (docs, _top) in counts.items():
        if term == "" or read + docs > budget:
            continue
        step.append(term)
        read, in_step = read + docs, in_step + docs
        if len(step) >= WARM_STEP_TERMS or in_step >= WARM_STEP:
            await found.postings(step)
            step, in_step = [], 0
            await asyncio.sleep(0)
    if step:
        await found.postings(step)
    found.state.learn(list(counts), counts, None)
    return read
