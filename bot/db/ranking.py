# ruff: noqa: S608  (SQL is built from fixed names; every value is bound)
"""Ranked search over every match, the same on SQLite and PostgreSQL, from the table of postings
(``bot.db.postings``: per resource and term, its impact; per term, in how many resources).

A query is a set of weighted terms, each for one of the query's concepts (a typed word, or a glossary
phrase with its equivalents; a pair of neighbouring words is for none). A resource's score is
``sum(weight * idf(term) * impact)`` over the query's terms it holds, times the share of the query's
concepts it holds (a resource answering more of the question ranks higher, however common the
words it holds many of), the same arithmetic on both engines, so both rank alike. The share is at
most 1, so the bounds below, made of sums, still bound every score. Every match is
ranked, without scoring every match: a first statement scores the best few resources of the most
telling terms, which gives a score ``floor`` the last of a page must reach; a resource can only
reach it if it holds one of the terms whose highest possible contributions, added up from the
smallest, exceed what the others can add (MaxScore), with an impact at least what the floor needs;
only those candidates are scored. With filters the floor is not known in advance, and every
match is scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.db.postings import STATS, TERMS, WORD_ONLY

PROBE_TERMS = 3  # terms whose best resources give the first floor
SCORE_ALL_BELOW = 3000  # matches (postings of the query's terms) cheaper to score than to prune


# -- queries ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Weighted:
    """One query term and how much it counts (1 for a typed word; less for a pair, a prefix's
    completion, or each word of a long glossary phrase)."""

    term: str
    weight: float
    concept: int | None = None  # the query's concept it is for (None: a pair of typed words)


@dataclass(frozen=True)
class Scored:
    """A query term with what the library says of it."""

    term: str
    factor: float  # weight * idf
    top: float  # highest impact filed
    docs: int = 0  # resources holding it (every server)
    concept: int | None = None  # see ``Weighted``

    @property
    def most(self) -> float:
        return self.factor * self.top


def idf(docs: int, total: int) -> float:
    return math.log(1 + (total - docs + 0.5) / (docs + 0.5))


def range_low(prefix: str | None) -> str | None:
    """Where the single-word terms read beside an unfinished word begin (``statistics_statement``)."""
    return prefix[: max(3, len(prefix) - 3)] if prefix else None


def statistics_statement(terms: Sequence[str], prefix: str | None, also: str = "") -> sa.TextClause:
    """(term, docs, top) of ``terms`` and of ``''`` (the number of resources); with ``prefix``,
    also of the single-word terms near it (see ``completions``); and the rows of the statement
    ``also`` (same columns). One round trip."""
    sql = f"SELECT term, docs, top FROM {STATS} WHERE term IN :terms AND docs > 0"
    params: dict[str, Any] = {}
    if low := range_low(prefix):
        sql += (
            f" UNION SELECT term, docs, top FROM {STATS} WHERE term >= :lo AND term < :hi "
            f"AND docs > 0 AND {WORD_ONLY}"
        )
        params = {"lo": low, "hi": low[:-1] + chr(ord(low[-1]) + 1)}
    names = sorted({*terms, ""})
    if also:
        sql += f" UNION ALL {also}"
    # one named value per term, not an expanding IN (which SQLAlchemy renders anew at every execution)
    listed = ", ".join(f":t{i}" for i in range(len(names)))
    params.update({f"t{i}": name for i, name in enumerate(names)})
    return sa.text(sql.replace(":terms", f"({listed})")).bindparams(**params)


def completions(prefix: str, found: dict[str, tuple[int, float]], limit: int) -> list[str]:
    """The terms an unfinished word may be, most used first: those it begins (``spectro`` ->
    ``spectrometri``); failing any, those it continues by at most 3 letters (``vulnerab`` ->
    ``vulner``, the stem of ``vulnerability``)."""
    begun = [(docs, term) for term, (docs, _top) in found.items() if term and term.startswith(prefix)]
    if not begun:
        begun = [
            (docs, term)
            for term, (docs, _top) in found.items()
            if term and prefix.startswith(term) and len(term) >= max(4, len(prefix) - 3)
        ]
    return [term for _docs, term in sorted(begun, key=lambda item: (-item[0], item[1]))[:limit]]


def scored(terms: Sequence[Weighted], found: dict[str, tuple[int, float]]) -> list[Scored]:
    """The query's terms found in the library (any server), each with its factor and bound."""
    total = found.get("", (0, 0.0))[0]
    weights: dict[str, Weighted] = {}
    for t in terms:
        if t.term and t.term in found and t.weight > getattr(weights.get(t.term), "weight", 0.0):
            weights[t.term] = t
    scored = []
    for term, t in sorted(weights.items()):
        docs, top = found[term]
        scored.append(Scored(term, round(t.weight * idf(docs, total), 6), top, docs, t.concept))
    return scored


def concepts(of: Iterable[int | None]) -> int:
    """How many concepts the query's terms (``of``: the concept of each, None for a pair) are
    for: a score's share is out of these (in SQL here, in memory ``bot.db.arrays``)."""
    return len({concept for concept in of if concept is not None})


def _where(verified: bool) -> str:
    return "p.guild_id = :guild" + ("" if verified else " AND p.restricted = 0")


def _score_case(terms: Sequence[Scored], params: dict[str, Any]) -> str:
    """A resource's score over its postings ``p`` of ``terms`` (grouped by resource): the sum,
    times the share of the query's concepts held (the ``count(DISTINCT …)`` of theirs among its
    terms; an empty CASE, when no term is for a concept, is not valid SQL: the share is 1 then)."""
    held = [f"WHEN :t{i} THEN {int(t.concept)}" for i, t in enumerate(terms) if t.concept is not None]
    if total := concepts(t.concept for t in terms):
        params["concepts"] = float(total)
    share = f" * count(DISTINCT CASE p.term {' '.join(held)} END) / :concepts" if total else ""
    return _sum(terms, params, "t") + share


def _sum(terms: Sequence[Scored], params: dict[str, Any], name: str) -> str:
    """``sum(factor * impact)`` over postings ``p`` of ``terms`` (bound as ``:{name}0``…, their
    factors as ``:{name}f0``…)."""
    whens = []
    for i, t in enumerate(terms):
        params[f"{name}{i}"], params[f"{name}f{i}"] = t.term, t.factor
        whens.append(f"WHEN :{name}{i} THEN :{name}f{i}")
    return f"sum(p.impact * CASE p.term {' '.join(whens)} ELSE 0 END)"


def _probe(terms: Sequence[Scored], page: int, verified: bool, params: dict[str, Any]) -> str:
    """The ``page``-th best score among the best resources of the most telling terms: a floor
    that the last resource of a page reaches (NULL when they are fewer than a page)."""
    probes = sorted(terms, key=lambda t: (-t.most, t.term))[:PROBE_TERMS]
    arms = []
    for i, t in enumerate(probes):
        params[f"p{i}"] = t.term
        arms.append(
            f"SELECT resource_id FROM (SELECT p.resource_id FROM {TERMS} p WHERE {_where(verified)} "
            f"AND p.term = :p{i} ORDER BY p.impact DESC LIMIT {int(page)}) a{i}"
        )
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    return (
        f"SELECT score FROM (SELECT {_score_case(terms, params)} AS score FROM "
        f"({' UNION '.join(arms)}) c JOIN {TERMS} p ON p.resource_id = c.resource_id "
        f"AND p.term IN ({names}) GROUP BY p.resource_id) s ORDER BY score DESC "
        f"LIMIT 1 OFFSET {int(page) - 1}"
    )


def ranked_statement(
    terms: Sequence[Scored], verified: bool, page: int | None, floor: float | None = None
) -> tuple[str, dict[str, Any]]:
    """SQL of ``(id, score)`` rows: join it to ``resources`` and order by score. Without ``page``,
    every resource of the server holding a term is scored. With it, only those that may reach the
    floor of a ``page`` of results (see the module's docstring): for each term, taken from the one
    that can add the least, resources holding it are candidates once the terms so far could add up
    to the floor, if they hold it with the impact the floor then requires; the floor is probed
    from the best resources of the most telling terms. With ``floor`` (known to be reached), see
    ``_split_statement``."""
    params: dict[str, Any] = {}
    case = _score_case(terms, params)
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    if page is None or sum(t.docs for t in terms) < SCORE_ALL_BELOW:
        sql = (
            f"SELECT p.resource_id AS id, {case} AS score FROM {TERMS} p WHERE {_where(verified)} "
            f"AND p.term IN ({names}) GROUP BY p.resource_id"
        )
        if page is not None:  # no filter left to apply: the page is cut here
            sql += f" ORDER BY score DESC, p.resource_id DESC LIMIT {int(page)}"
        return sql, params
    if floor is not None:  # a score the page is known to reach (the threshold algorithm's last hit)
        return _split_statement(terms, verified, page, floor)
    first = f"coalesce(({_probe(terms, page, verified, params)}), 0.0)"
    total = sum(t.most for t in terms)
    ordered = sorted(terms, key=lambda t: (t.most, t.term))
    arms, so_far = [], 0.0
    for i, t in enumerate(ordered):
        so_far += t.most
        params[f"n{i}"], params[f"c{i}"] = t.term, so_far + 1e-9
        params[f"r{i}"], params[f"d{i}"] = total - t.most + 1e-9, t.factor
        arms.append(
            f"SELECT p.resource_id FROM {TERMS} p, fl WHERE {_where(verified)} AND p.term = :n{i} "
            f"AND :c{i} >= fl.v AND p.impact >= (fl.v - :r{i}) / :d{i}"
        )
    sql = (
        f"WITH fl AS MATERIALIZED (SELECT {first} AS v), "
        f"c AS MATERIALIZED ({' UNION '.join(arms)}) "
        f"SELECT p.resource_id AS id, {case} AS score FROM {TERMS} p "
        f"WHERE p.resource_id IN (SELECT resource_id FROM c) AND p.term IN ({names}) GROUP BY p.resource_id "
        f"ORDER BY score DESC, p.resource_id DESC LIMIT {int(page)}"
    )
    return sql, params


def _split_statement(
    terms: Sequence[Scored], verified: bool, page: int, floor: float
) -> tuple[str, dict[str, Any]]:
    """SQL of the ``page`` best ``(id, score)`` when the page is known to reach ``floor``
    (MaxScore): the terms that can add the least, together short of the floor, are "optional"; a
    resource reaching the floor holds some of the others ("essential") with a part of its sum
    that the optional ones can complete. Every posting of the essential terms is read (their part
    of each resource's sum, no lookup); only the resources whose essential part, completed by the
    most the optional terms can add, reaches the floor are scored (their postings looked up)."""
    ordered = sorted(terms, key=lambda t: (t.most, t.term))
    optional: list[Scored] = []
    so_far = 0.0
    for t in ordered:
        if so_far + t.most >= floor - 1e-9:
            break
        so_far += t.most
        optional.append(t)
    essential = ordered[len(optional) :]
    params: dict[str, Any] = {"need": floor - so_far - 1e-9}
    part = _sum(essential, params, "e")
    essentials = ", ".join(f":e{i}" for i in range(len(essential)))
    score = _score_case(terms, params)
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    sql = (
        f"WITH e AS MATERIALIZED (SELECT p.resource_id AS id FROM {TERMS} p "
        f"WHERE {_where(verified)} AND p.term IN ({essentials}) GROUP BY p.resource_id "
        f"HAVING {part} >= :need) "
        f"SELECT e.id AS id, (SELECT {score} FROM {TERMS} p WHERE p.resource_id = e.id "
        f"AND p.term IN ({names})) AS score FROM e ORDER BY score DESC, e.id DESC LIMIT {int(page)}"
    )
    return sql, params


def capped_statement(
    terms: Sequence[Scored], verified: bool, page: int, depth: int
) -> tuple[str, dict[str, Any]]:
    """SQL of the ``page`` best ``(id, score, bound)`` among the resources in the ``depth`` best
    postings of each term (the threshold algorithm's sorted access, in one statement). ``bound``
    is the most any other resource can score (each term's impact just past that depth), ``beyond``
    the oldest of the terms' next postings (past that depth): when the last of a full page scores
    more than ``bound`` (or as much, and is newer than ``beyond``: an equal score goes to the
    newest), or no term has more postings than ``depth``, the page is exact. A resource that none
    of the best postings hold scores ``bound`` only if it holds every term with the impact just
    past the depth, so sits past the depth in every term's order (impact, then newest first): it
    is no newer than any term's next posting, hence than ``beyond``."""
    params: dict[str, Any] = {}
    case = _score_case(terms, params)
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    arms, bounds, newest = [], [], []
    for i in range(len(terms)):
        arms.append(
            f"SELECT resource_id FROM (SELECT p.resource_id FROM {TERMS} p WHERE {_where(verified)} "
            f"AND p.term = :t{i} ORDER BY p.impact DESC, p.resource_id DESC LIMIT {int(depth)}) a{i}"
        )
        beyond = (
            f"FROM {TERMS} p WHERE {_where(verified)} AND p.term = :t{i} "
            f"ORDER BY p.impact DESC, p.resource_id DESC LIMIT 1 OFFSET {int(depth)}"
        )
        bounds.append(f":tf{i} * coalesce((SELECT p.impact {beyond}), 0)")
        newest.append(f"(SELECT p.resource_id {beyond})")
    sql = (
        f"WITH c AS MATERIALIZED ({' UNION '.join(arms)}), "
        f"s AS MATERIALIZED (SELECT p.resource_id AS id, {case} AS score FROM {TERMS} p "
        f"WHERE p.resource_id IN (SELECT resource_id FROM c) AND p.term IN ({names}) "
        f"GROUP BY p.resource_id ORDER BY score DESC, p.resource_id DESC LIMIT {int(page)}), "
        f"b AS MATERIALIZED (SELECT ({' + '.join(bounds)}) AS bound, "
        f"coalesce((SELECT min(n) FROM ({' UNION ALL '.join(f'SELECT {x} AS n' for x in newest)}) x), 0) "
        "AS beyond) "
        "SELECT s.id, s.score, b.bound, b.beyond FROM s, b"
    )
    return sql, params


def exists_statement(terms: Sequence[Scored], verified: bool) -> tuple[str, dict[str, Any]]:
    """SQL of the ``id`` of resources of the server holding any of ``terms`` (visible to the
    member; filters, if any, are applied by joining it to ``resources``): ``_ranked``'s matches,
    unranked, for asking whether there is any."""
    params = {f"t{i}": t.term for i, t in enumerate(terms)}
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    sql = f"SELECT p.resource_id AS id FROM {TERMS} p WHERE {_where(verified)} AND p.term IN ({names})"
    return sql, params


def hits(
    sql: str, params: dict[str, Any], name: str = "ranked", *, bound: bool = False, scored: bool = True
) -> sa.Subquery:
    statement = sa.text(sql).bindparams(**params)
    columns = [sa.column("id", sa.Integer)] + ([sa.column("score", sa.Float)] if scored else [])
    if bound:
        columns += [sa.column("bound", sa.Float), sa.column("beyond", sa.Integer)]
    return statement.columns(*columns).subquery(name)
