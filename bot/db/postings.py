# ruff: noqa: S608  (SQL is built from fixed names; every value is bound)
"""The table of postings that ranked search reads (``bot.db.ranking``), the same on SQLite and
PostgreSQL: its tables, the triggers that keep it, and an import's filing in bulk.

``resources.search_terms`` holds the (term, impact) pairs that ``bot.db.analysis`` computed for the
row. Triggers (one set per engine, created by migration 0013) file them in ``resource_terms``
(one row per resource and term, with the server and whether the row is AMBER) and count them in
``resource_term_stats`` (per term: in how many resources, and the highest impact ever filed; the
term ``''`` counts the resources). Nothing else maintains either table, but an import, which
files its new rows itself a batch at a time, the same postings and counts (``filing_in_bulk``,
migration 0018).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

TERMS = "resource_terms"
STATS = "resource_term_stats"
DEFERRED = "resource_terms_deferred"  # 0018: while a writer's transaction holds a row, see ``Filing``
RESTRICTED = ("TLP:AMBER", "TLP:AMBER+STRICT")  # labels.RESTRICTED (a test keeps them equal)
# The statistics of single words, not of pairs ("a b", half of the terms): the terms an unfinished
# word may be are read in a range of these (``ranking.statistics_statement``), through a partial
# index (0019), which a statement uses only when its WHERE holds this very expression.
WORD_ONLY = "term NOT LIKE '% %'"
WORDS_INDEX = f"ix_{STATS}_words"
_RESTRICTED_SQL = ", ".join(f"'{label}'" for label in RESTRICTED)


# -- DDL -------------------------------------------------------------------------------------------
def create_statements(dialect: str) -> list[str]:
    """Tables, indexes and triggers; fill them from the rows' ``search_terms``."""
    rowid = " WITHOUT ROWID" if dialect == "sqlite" else ""  # SQLite: one B-tree less per posting
    tables = [
        f"CREATE TABLE {TERMS} (resource_id INTEGER NOT NULL, term VARCHAR(200) NOT NULL, "
        "guild_id BIGINT NOT NULL, restricted SMALLINT NOT NULL, impact FLOAT NOT NULL, "
        f"PRIMARY KEY (resource_id, term)){rowid}",
        # as 0013 made it; 0015 puts resource_id before restricted (a term's best postings in order)
        f"CREATE INDEX ix_{TERMS}_lookup ON {TERMS} (guild_id, term, impact, restricted, resource_id)",
        f"CREATE TABLE {STATS} (term VARCHAR(200) PRIMARY KEY, docs INTEGER NOT NULL, top FLOAT NOT NULL)"
        f"{rowid}",
    ]
    if dialect == "sqlite":
        return tables + _sqlite_triggers() + fill_statements(dialect)
    if dialect == "postgresql":
        return tables + _postgres_triggers() + fill_statements(dialect)
    raise NotImplementedError(f"ranked search on {dialect}")


def words_index_statements() -> list[str]:
    """Migration 0019: single words' statistics in term order, without the pairs between them
    (a range such as ``stand``..``stane`` held one word and 8,338 pairs at 100,000 resources)."""
    return [f"CREATE INDEX {WORDS_INDEX} ON {STATS} (term) WHERE {WORD_ONLY}"]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        triggers = [f"DROP TRIGGER IF EXISTS {TERMS}_{event}" for event in ("ai", "au", "ad")]
    elif dialect == "postgresql":
        triggers = [f"DROP TRIGGER IF EXISTS {TERMS}_{event} ON resources" for event in ("ai", "au", "ad")]
        triggers.append(f"DROP FUNCTION IF EXISTS {TERMS}_sync()")
    else:
        raise NotImplementedError(f"ranked search on {dialect}")
    return [*triggers, f"DROP TABLE IF EXISTS {TERMS}", f"DROP TABLE IF EXISTS {STATS}"]


def fill_statements(dialect: str) -> list[str]:
    """Refile every row's terms (after ``search_terms`` was written with the triggers absent)."""
    if dialect == "sqlite":
        each = "json_each(r.search_terms) j"
        term, impact = "json_extract(j.value, '$[0]')", "json_extract(j.value, '$[1]')"
    else:
        each = "jsonb_array_elements(r.search_terms::jsonb) j(value)"
        term, impact = "(j.value->>0)", "(j.value->>1)::float8"
    return [
        f"DELETE FROM {TERMS}",
        f"DELETE FROM {STATS}",
        f"INSERT INTO {TERMS} (resource_id, term, guild_id, restricted, impact) "
        f"SELECT r.id, {term}, r.guild_id, CASE WHEN r.label IN ({_RESTRICTED_SQL}) THEN 1 ELSE 0 END, "
        f"{impact} FROM resources r, {each}",
        f"INSERT INTO {STATS} (term, docs, top) "
        f"SELECT term, count(*), max(impact) FROM {TERMS} GROUP BY term",
        f"INSERT INTO {STATS} (term, docs, top) SELECT '', count(*), 0 FROM resources",
    ]


def _sqlite_triggers(gated: bool = False) -> list[str]:
    """The three triggers; ``gated``: the insert trigger as 0018 makes it (see ``gated_statements``)."""

    def file(row: str) -> str:
        each = f"json_each({row}.search_terms) j"
        term, impact = "json_extract(j.value, '$[0]')", "json_extract(j.value, '$[1]')"
        return (
            f"INSERT INTO {TERMS} (resource_id, term, guild_id, restricted, impact) "
            f"SELECT {row}.id, {term}, {row}.guild_id, "
            f"CASE WHEN {row}.label IN ({_RESTRICTED_SQL}) THEN 1 ELSE 0 END, {impact} FROM {each}; "
            f"INSERT INTO {STATS} (term, docs, top) SELECT term, 1, impact FROM {TERMS} "
            f"WHERE resource_id = {row}.id UNION ALL SELECT '', 1, 0 "
            "WHERE true ON CONFLICT (term) DO UPDATE SET docs = docs + 1, top = max(top, excluded.top);"
        )

    def unfile(row: str) -> str:
        return (
            f"UPDATE {STATS} SET docs = docs - 1 WHERE term IN "
            f"(SELECT term FROM {TERMS} WHERE resource_id = {row}.id UNION ALL SELECT ''); "
            f"DELETE FROM {TERMS} WHERE resource_id = {row}.id;"
        )

    when = f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED}) " if gated else ""
    return [
        f"CREATE TRIGGER {TERMS}_ai AFTER INSERT ON resources {when}BEGIN {file('new')} END",
        f"CREATE TRIGGER {TERMS}_au AFTER UPDATE OF search_terms, label, guild_id ON resources "
        f"BEGIN {unfile('old')} {file('new')} END",
        f"CREATE TRIGGER {TERMS}_ad AFTER DELETE ON resources BEGIN {unfile('old')} END",
    ]


def _postgres_triggers() -> list[str]:
    """Statement-level: a batch insert files its rows with two statements; counts are applied in
    term order, so that concurrent writers lock terms in the same order and never deadlock."""

    def file(rows: str) -> str:
        each = f"{rows} n, jsonb_array_elements(n.search_terms::jsonb) j(value)"
        return (
            f"INSERT INTO {TERMS} (resource_id, term, guild_id, restricted, impact) "
            f"SELECT n.id, j.value->>0, n.guild_id, "
            f"CASE WHEN n.label IN ({_RESTRICTED_SQL}) THEN 1 ELSE 0 END, "
            f"(j.value->>1)::float8 FROM {each}; "
            f"INSERT INTO {STATS} AS s (term, docs, top) SELECT term, count(*), max(top) FROM ("
            f"SELECT j.value->>0 AS term, (j.value->>1)::float8 AS top FROM {each} "
            f"UNION ALL SELECT '', 0 FROM {rows} n) d GROUP BY term ORDER BY term "
            "ON CONFLICT (term) DO UPDATE SET docs = s.docs + EXCLUDED.docs, "
            "top = greatest(s.top, EXCLUDED.top);"
        )

    def unfile(rows: str) -> str:
        return (
            f"DELETE FROM {TERMS} t USING {rows} o WHERE t.resource_id = o.id; "
            f"UPDATE {STATS} s SET docs = s.docs - d.n FROM (SELECT term, count(*) AS n FROM ("
            f"SELECT j.value->>0 AS term FROM {rows} o, jsonb_array_elements(o.search_terms::jsonb) j(value) "
            f"UNION ALL SELECT '' FROM {rows} o) x GROUP BY term ORDER BY term) d WHERE s.term = d.term;"
        )

    changed = (
        "(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.search_terms IS DISTINCT FROM "
        "o.search_terms OR n.label IS DISTINCT FROM o.label OR n.guild_id IS DISTINCT FROM o.guild_id)"
    )
    changed_new = (
        "(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.search_terms IS DISTINCT FROM "
        "o.search_terms OR n.label IS DISTINCT FROM o.label OR n.guild_id IS DISTINCT FROM o.guild_id)"
    )
    body = (
        f"IF TG_OP = 'INSERT' THEN {file('new_rows')} "
        f"ELSIF TG_OP = 'UPDATE' THEN {unfile(changed)} {file(changed_new)} "
        f"ELSE {unfile('old_rows')} END IF; RETURN NULL;"
    )
    each = "FOR EACH STATEMENT EXECUTE FUNCTION"
    return [
        f"CREATE FUNCTION {TERMS}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
        f"CREATE TRIGGER {TERMS}_ai AFTER INSERT ON resources REFERENCING NEW TABLE AS new_rows "
        f"{each} {TERMS}_sync()",
        f"CREATE TRIGGER {TERMS}_au AFTER UPDATE ON resources "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {each} {TERMS}_sync()",
        f"CREATE TRIGGER {TERMS}_ad AFTER DELETE ON resources REFERENCING OLD TABLE AS old_rows "
        f"{each} {TERMS}_sync()",
    ]


# -- filing in bulk (0018) -------------------------------------------------------------------------
# A row per insert trigger a dozen B-tree writes per term of the resource, and per term an upsert of
# its count: 38 terms a resource, 100,000 resources an import. An import instead files each batch
# of new resources with one statement for the postings (in index order) and one for the counts:
# while its transaction holds a row in ``resource_terms_deferred``, SQLite's insert trigger stands
# aside (its WHEN); PostgreSQL's triggers already run once per statement. Updates and deletes are
# always filed by the triggers. The row is never seen by another transaction (it is removed before
# the commit, or rolled back with the rest), and every new row is filed before anything reads it.
def gated_statements(dialect: str) -> list[str]:
    """0018's upgrade: the table that defers filing, and SQLite's insert trigger gated on it."""
    table = f"CREATE TABLE {DEFERRED} (writer INTEGER NOT NULL)"
    if dialect == "sqlite":
        return [table, f"DROP TRIGGER {TERMS}_ai", _sqlite_triggers(gated=True)[0]]
    if dialect == "postgresql":
        return [table]
    raise NotImplementedError(f"ranked search on {dialect}")


def ungated_statements(dialect: str) -> list[str]:
    """0018's downgrade."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER {TERMS}_ai", _sqlite_triggers()[0], f"DROP TABLE {DEFERRED}"]
    if dialect == "postgresql":
        return [f"DROP TABLE {DEFERRED}"]
    raise NotImplementedError(f"ranked search on {dialect}")


SQLITE_BULK_CACHE_KIB = 256_000  # SQLite's page cache while filing in bulk (default: 2 MB)


class Filing:
    """Files new resources' postings and counts, a batch at a time, in the writer's transaction
    (``filing_in_bulk``): ``file(ids)`` right after inserting the rows ``ids``."""

    def __init__(self, session: AsyncSession | AsyncConnection, dialect: str) -> None:
        self.session = session
        self.sqlite = dialect == "sqlite"
        self.indexed = True  # False while the secondary indexes are dropped: postings in key order

    async def file(self, ids: Sequence[int]) -> None:
        if not self.sqlite or not ids:  # PostgreSQL's statement triggers have filed them
            return
        params = {"ids": json.dumps(list(ids)), "n": len(ids)}
        for statement in _sqlite_filing(self.indexed):
            await self.session.execute(sa.text(statement), params)


def _sqlite_filing(indexed: bool) -> list[str]:
    """The insert trigger's two statements for many rows at once (the rows ``:ids``, ``:n`` of
    them): the same postings (inserted in the lookup index's order, or in the primary key's while
    that index is dropped) and the same counts."""
    term, impact = "json_extract(j.value, '$[0]')", "json_extract(j.value, '$[1]')"
    batch = "(SELECT value FROM json_each(:ids))"
    return [
        f"INSERT INTO {TERMS} (resource_id, term, guild_id, restricted, impact) "
        f"SELECT r.id, {term}, r.guild_id, CASE WHEN r.label IN ({_RESTRICTED_SQL}) THEN 1 ELSE 0 END, "
        f"{impact} FROM resources r, json_each(r.search_terms) j WHERE r.id IN {batch} "
        f"ORDER BY {'3, 2, 5, 1' if indexed else '1, 2'}",
        f"INSERT INTO {STATS} (term, docs, top) SELECT term, count(*), max(impact) FROM {TERMS} "
        f"WHERE resource_id IN {batch} GROUP BY term UNION ALL SELECT '', :n, 0 WHERE true "
        "ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs, top = max(top, excluded.top)",
    ]


@asynccontextmanager
async def filing_in_bulk(session: AsyncSession | AsyncConnection, adding: int = 0) -> AsyncIterator[Filing]:
    """Inside ``session``'s transaction: new resources are filed by ``Filing.file``, not by the
    insert trigger, until the block ends. On SQLite, with a larger page cache meanwhile; and when
    ``adding`` resources are at least as many as the library holds, the postings' secondary
    indexes are dropped and built again at the end, as written in the schema (sorting every
    posting once costs less than inserting each new one in place; readers still see the committed
    index meanwhile, and a rollback restores it)."""
    connection = session if isinstance(session, AsyncConnection) else await session.connection()
    filing = Filing(session, connection.dialect.name)
    if not filing.sqlite:
        yield filing
        return
    cache = await session.scalar(sa.text("PRAGMA cache_size"))
    await session.execute(sa.text(f"INSERT INTO {DEFERRED} (writer) VALUES (1)"))
    await session.execute(sa.text(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
    rebuilt: list[str] = []
    try:
        held = await session.scalar(sa.text("SELECT count(*) FROM resources"))
        if adding and adding >= (held or 0):
            rebuilt = await _drop_indexes(session)
            filing.indexed = not rebuilt
        yield filing
    except BaseException:
        with contextlib.suppress(Exception):  # the transaction is being rolled back anyway
            await _undefer(session, cache)
        raise
    for statement in rebuilt:
        await session.execute(sa.text(statement))
    await _undefer(session, cache)


async def _drop_indexes(session: AsyncSession | AsyncConnection) -> list[str]:
    """Drop the postings' secondary indexes; returns the statements that create them again."""
    found = await session.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
        ),
        {"t": TERMS},
    )
    indexes = [(str(name), str(sql)) for name, sql in found]
    for name, _sql in indexes:
        await session.execute(sa.text(f'DROP INDEX "{name}"'))
    return [sql for _name, sql in indexes]


async def _undefer(session: AsyncSession | AsyncConnection, cache: int) -> None:
    await session.execute(sa.text(f"DELETE FROM {DEFERRED}"))
    await session.execute(sa.text(f"PRAGMA cache_size = {int(cache)}"))
