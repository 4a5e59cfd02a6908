# ruff: noqa: S608  (SQL is built from fixed names; every value is bound)
"""Ranked search from the bot's memory: each server's postings of a term as arrays
(``bot.db.arrays``), read once from ``resource_terms`` (``bot.db.postings``) and scored with numpy,
with the same arithmetic as the SQL statements (``bot.db.ranking``), so the same page on every
engine.

Exactly fresh, in every process: migration 0017 adds ``search_generation``, one row holding a random
``token`` that triggers on ``resources`` replace whenever a row is inserted or deleted or its
``search_terms``, ``label`` or ``guild_id`` change (what the postings are filed from). Each search
reads the token through the caller's session (one primary-key read, which sees the caller's own
uncommitted changes too); when it is not the token the arrays were read under, they are all
dropped, and read again as queries ask for them. A token is never reused (63 random bits), so
arrays read under a state that was rolled back are never taken for another state's. The page found
here is then read from ``resources`` with the caller's visibility rule (``labels.sql_visible``) and
server: a resource the caller may not see is never shown, even if the arrays were wrong.

Memory: 6 bytes per posting held (``bot.db.arrays``), and about 1 kB per term, at most ``BUDGET``
bytes (least recently used terms dropped first; they are read again when asked for). The
vocabulary slices that did-you-mean reads (``View.words``) are held under the same token and
budget. At 100,000 resources every posting (3.9 million, 200,000 terms) would take 25 MB of arrays
and 200 MB of objects: the budget keeps the most used terms.

Caveat for later migrations: on SQLite a batch ("move and copy") migration of ``resources`` drops
its triggers; re-run ``create_statements`` after it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.arrays import TERM_COST, Factor, Postings, page_of, parsed, postings_statement
from bot.db.postings import STATS

TABLE = "search_generation"
BUDGET = 40_000_000  # bytes held per database, at most (arrays, and TERM_COST per term)
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
            read = await self.session.execute(*postings_statement(self.session, missing, self.guild_id))
            for term, ids, coded in read:
                found[str(term)] = parsed(ids, coded)
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
        return page_of(found, factors, verified, limit)

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
        return None if found is None else page_of(found, factors, verified, limit)


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
