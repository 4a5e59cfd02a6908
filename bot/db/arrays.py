# ruff: noqa: S608  (SQL is built from fixed names; every value is bound)
"""A term's postings in one server as numpy arrays, and the best page of a query scored over them:
the same arithmetic as the SQL statements of ``bot.db.ranking`` (``sum(factor * impact)`` over the
query's terms, times the share of the query's concepts held; best first, then newest first), so
the same page on every engine and from memory. ``bot.db.resident`` holds the arrays, reads them
(``postings_statement``) and keeps them fresh.

6 bytes per posting (int32 id, uint16 impact: impacts are stored rounded to 4 decimals,
``bot.db.analysis``; were one not, its term would be held as float64, 12 bytes).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import ranking
from bot.db.postings import TERMS

_SCALE = 10_000.0  # impacts are rounded to 4 decimals
TERM_COST = 1_000  # bytes of Python objects around one term's arrays
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


def postings_statement(
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


def parsed(ids: str | None, coded: str | None) -> Postings:
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
# the query's concepts it holds (a query has at most 12: ``bot.services.resources.planning.QUERY_MAX_WORDS``)
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


def page_of(
    found: dict[str, Postings], factors: Sequence[Factor], verified: bool, limit: int
) -> list[tuple[int, float]]:
    concepts = ranking.concepts(concept for _term, _factor, concept in factors)
    terms = [_Term(found[term].visible(verified), factor, concept) for term, factor, concept in factors]
    return best_page(terms, limit, concepts)
