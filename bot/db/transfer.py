"""Copy a whole Liaison database into another (typically SQLite -> PostgreSQL), and prove it.

``transfer`` copies every table of ``Base.metadata`` into an empty target in one transaction, then
compares each table's row count and SHA-256 of its content, computed the same way on both sides from
the values the models' column types give (never from how each engine stores them). The target's
schema comes from the migrations, never ``create_all``: the full-text index tables and the triggers
that fill them as rows arrive exist only there. Those of the index tables that both engines hold
alike are checked too (``DERIVED``); the counts among them, which remember what was removed, are
copied from the source. The functions below say why each step is needed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import bot.db.models  # noqa: F401  (registers every model on Base.metadata)
from bot.db import migrate, postings
from bot.db.base import Base
from bot.db.engine import make_engine
from bot.db.models.resources import RESOURCES_INDEX
from bot.errors import Conflict

BATCH_SIZE = 1000
_NULL_FLAG = "__is_sql_null_"


# -- errors ----------------------------------------------------------------------------------------
class TransferError(Conflict):
    """A transfer refused or failed; the target holds no copied row. Keys: ``transfer.unavailable``
    (role, reason), ``transfer.source_not_at_head`` (revision, head), ``transfer.target_schema``
    (reason), ``transfer.target_not_empty`` (tables), ``transfer.copy_failed`` (table, reason)."""


# -- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableDigest:
    """What one side holds in one table: its row count and the SHA-256 of its content."""

    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class TableCheck:
    source: TableDigest
    target: TableDigest

    @property
    def ok(self) -> bool:
        return self.source == self.target  # same table, rows and hash


@dataclass(frozen=True)
class Report:
    """One check per table, in copy order, then one per ``DERIVED`` table the two engines both hold;
    ``seconds`` the transfer took (0 when only comparing)."""

    checks: tuple[TableCheck, ...]
    seconds: float = 0.0
    derived: tuple[TableCheck, ...] = ()

    @property
    def ok(self) -> bool:
        return all(check.ok for check in (*self.checks, *self.derived))

    @property
    def rows(self) -> int:
        return sum(check.source.rows for check in self.checks)


def tables() -> list[sa.Table]:
    """Every table of the models, parents before children (foreign-key order)."""
    return list(Base.metadata.sorted_tables)


# -- tables the triggers fill ----------------------------------------------------------------------
@dataclass(frozen=True)
class Derived:
    """A table that no model maps: the migrations create it on ``engines`` and triggers on the
    models' tables fill it as rows arrive. ``kept`` when its rows also depend on the past (counts
    that keep a term whose last resource was removed, at 0, and the highest impact ever filed):
    the triggers cannot rebuild those from the copied rows, so they are copied from the source."""

    table: sa.Table
    engines: frozenset[str]
    kept: bool


_DERIVED_METADATA = sa.MetaData()
_BOTH = frozenset({"sqlite", "postgresql"})
DERIVED = (
    Derived(  # the ranked search's postings: exactly what the copied resources file
        sa.Table(
            postings.TERMS,
            _DERIVED_METADATA,
            sa.Column("resource_id", sa.Integer, primary_key=True),
            sa.Column("term", sa.String(200), primary_key=True),
            sa.Column("guild_id", sa.BigInteger),
            sa.Column("restricted", sa.SmallInteger),
            sa.Column("impact", sa.Float),
        ),
        _BOTH,
        kept=False,
    ),
    Derived(  # per term: how many resources hold it, the highest impact ever filed
        sa.Table(
            postings.STATS,
            _DERIVED_METADATA,
            sa.Column("term", sa.String(200), primary_key=True),
            sa.Column("docs", sa.Integer),
            sa.Column("top", sa.Float),
        ),
        _BOTH,
        kept=True,
    ),
    Derived(  # PostgreSQL's vocabulary for "did you mean" (SQLite's is computed by fts5vocab)
        sa.Table(
            f"{RESOURCES_INDEX.name}_terms",
            _DERIVED_METADATA,
            sa.Column("term", sa.Text, primary_key=True),
            sa.Column("docs", sa.Integer),
        ),
        frozenset({"postgresql"}),
        kept=True,
    ),
)


def derived(source: AsyncEngine | AsyncConnection, target: AsyncEngine | AsyncConnection) -> list[Derived]:
    """The ``DERIVED`` tables that both sides hold (by their engines), to copy or compare."""
    engines = {source.dialect.name, target.dialect.name}
    return [d for d in DERIVED if engines <= d.engines]


# -- the two commands ------------------------------------------------------------------------------
async def transfer(source_url: str, target_url: str, *, batch_size: int = BATCH_SIZE) -> Report:
    """Copy every table of ``source_url`` into the empty database ``target_url``, then compare: the
    source side is hashed from the very rows copied, the target side read back after the commit."""
    started = time.monotonic()
    async with _engine(source_url, "source", must_exist=True) as source:
        revision = await migrate.current(source)
        if revision != migrate.head():  # the two sides must have the same tables and columns
            raise TransferError(
                "transfer.source_not_at_head", revision=revision or "base", head=migrate.head()
            )
        async with _engine(target_url, "target") as target:
            await _migrate_target(target)
            shared = derived(source, target)
            copied = await _copy_all(source, target, shared, batch_size)
            checks = await _compare(copied, target, shared)
    return _report(checks, time.monotonic() - started)


async def verify(source_url: str, target_url: str) -> Report:
    """Compare two databases table by table (nothing is written): after a transfer, or later."""
    async with (
        _engine(source_url, "source", must_exist=True) as source,
        _engine(target_url, "target", must_exist=True) as target,
    ):
        shared = derived(source, target)
        return _report(await _compare(await digests(source, "source", shared), target, shared))


async def digests(
    engine: AsyncEngine, role: str = "database", extra: Sequence[Derived] = ()
) -> list[TableDigest]:
    """Row count and content hash of every table (then of the ``extra`` derived ones), in one
    snapshot."""
    async with engine.connect() as conn:
        await _snapshot(conn)
        try:
            return [await _read_table(conn, table, BATCH_SIZE) for table in _all(extra)]
        except DBAPIError as exc:  # not a Liaison database at the head revision: a table is missing
            raise TransferError("transfer.unavailable", role=role, reason=_reason(exc)) from exc


def _all(extra: Sequence[Derived]) -> list[sa.Table]:
    return tables() + [d.table for d in extra]


async def _compare(
    source: list[TableDigest], target: AsyncEngine, shared: list[Derived]
) -> tuple[TableCheck, ...]:
    target_digests = await digests(target, "target", shared)
    return tuple(TableCheck(s, t) for s, t in zip(source, target_digests, strict=True))


def _report(checks: tuple[TableCheck, ...], seconds: float = 0.0) -> Report:
    models = len(tables())
    return Report(checks[:models], seconds, checks[models:])


# -- opening and checking --------------------------------------------------------------------------
@asynccontextmanager
async def _engine(url: str, role: str, *, must_exist: bool = False) -> AsyncIterator[AsyncEngine]:
    """An engine that has connected once; an absent SQLite file is refused, not created empty."""
    parsed = make_url(url)
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if must_exist and path and path != ":memory:" and not Path(path).is_file():  # noqa: ASYNC240
        raise TransferError("transfer.unavailable", role=role, reason=f"no database file {path}")
    engine = make_engine(url)
    try:
        try:
            async with engine.connect():
                pass
        except (OSError, DBAPIError) as exc:
            raise TransferError("transfer.unavailable", role=role, reason=_reason(exc)) from exc
        yield engine
    finally:
        await engine.dispose()


async def _migrate_target(target: AsyncEngine) -> None:
    """The target's schema is the migrations' (index tables and triggers included)."""
    try:
        await migrate.upgrade(target)
    except (CommandError, DBAPIError) as exc:
        raise TransferError("transfer.target_schema", reason=_reason(exc)) from exc


async def _non_empty(conn: AsyncConnection) -> list[str]:
    probe = sa.select(sa.literal(1)).limit(1)
    return [table.name for table in tables() if (await conn.execute(probe.select_from(table))).first()]


async def _snapshot(conn: AsyncConnection) -> None:
    """Every read of ``conn`` sees one state of the database, even if the bot writes meanwhile:
    a repeatable-read transaction on PostgreSQL; on SQLite (WAL) an explicit BEGIN, as the driver
    opens no transaction for reads."""
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("BEGIN")
    else:
        await conn.execution_options(isolation_level="REPEATABLE READ")


# -- copying ---------------------------------------------------------------------------------------
async def _copy_all(
    source: AsyncEngine, target: AsyncEngine, shared: list[Derived], batch_size: int
) -> list[TableDigest]:
    """Copy table after table in ONE target transaction that first checks the target is empty: a
    transfer never mixes two communities, and a failure leaves the target as empty as it was.
    Then the ``shared`` derived tables: the triggers filled them as the rows arrived; the ``kept``
    ones are replaced by the source's. Returns the digests of the rows read."""
    async with source.connect() as reading, target.begin() as writing:
        await _snapshot(reading)
        occupied = await _non_empty(writing)
        if occupied:
            raise TransferError("transfer.target_not_empty", tables=", ".join(occupied))
        async with postings.filing_in_bulk(writing) as filing:  # resources: postings a batch at a time
            copied = [await _read_table(reading, table, batch_size, writing, filing) for table in tables()]
        for index in shared:
            if index.kept:
                await writing.execute(sa.delete(index.table))
            copied.append(
                await _read_table(reading, index.table, batch_size, writing if index.kept else None)
            )
        if writing.dialect.name == "postgresql":
            await _reset_sequences(writing)
    return copied


async def _read_table(
    reading: AsyncConnection,
    table: sa.Table,
    batch_size: int,
    writing: AsyncConnection | None = None,
    filing: postings.Filing | None = None,
) -> TableDigest:
    """Hash every row of ``table``, copying each batch into ``writing`` when given (new resources
    filed for ranked search by ``filing``)."""
    rows, digest, insert = 0, hashlib.sha256(), _insert(table)
    json_names = _json_names(table)
    async for batch in _batches(reading, table, batch_size):
        rows += len(batch)
        for row in batch:
            digest.update(_line(table, row, json_names))
        try:
            if writing is not None:
                await writing.execute(insert, batch)
                if filing is not None and table.name == "resources":
                    await filing.file([row["id"] for row in batch])
        except DBAPIError as exc:
            raise TransferError("transfer.copy_failed", table=table.name, reason=_reason(exc)) from exc
    return TableDigest(table.name, rows, digest.hexdigest())


def _json_names(table: sa.Table) -> list[str]:
    return [column.name for column in table.columns if isinstance(column.type, sa.JSON)]


def _insert(table: sa.Table) -> sa.Insert:
    """An INSERT whose JSON parameters tell SQL NULL (None) from JSON null (``JSON.NULL``)."""
    exact = {name: sa.bindparam(name, type_=sa.JSON(none_as_null=True)) for name in _json_names(table)}
    return sa.insert(table).values(exact) if exact else sa.insert(table)


async def _reset_sequences(conn: AsyncConnection) -> None:
    """Explicit ids do not advance PostgreSQL's serial sequences: move each past the largest id
    copied, or the next insert would collide (SQLite takes the largest rowid + 1 by itself)."""
    for table in tables():
        if (column := table.autoincrement_column) is not None:
            sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
            next_id = sa.func.coalesce(sa.func.max(column), 0) + 1
            await conn.execute(sa.select(sa.func.setval(sequence, next_id, sa.false())).select_from(table))


# -- reading and hashing ---------------------------------------------------------------------------
async def _batches(
    conn: AsyncConnection, table: sa.Table, batch_size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of ``table`` in primary-key order, as column-name dicts, ``batch_size`` at a time."""
    json_names = _json_names(table)
    flags = [table.c[name].is_(None).label(_NULL_FLAG + name) for name in json_names]
    statement = sa.select(*table.columns, *flags).order_by(*_order(table, conn.dialect.name))
    result = await conn.stream(statement)
    async for partition in result.mappings().partitions(batch_size):
        yield [_row(row, json_names) for row in partition]


def _row(row: Any, json_names: list[str]) -> dict[str, Any]:
    """The row's values by column name, where a JSON null (not an SQL NULL) is ``JSON.NULL``."""
    values = {name: value for name, value in row.items() if not name.startswith(_NULL_FLAG)}
    values.update({n: sa.JSON.NULL for n in json_names if values[n] is None and not row[_NULL_FLAG + n]})
    return values


def _order(table: sa.Table, dialect: str) -> list[sa.ColumnElement[Any]]:
    """Primary key order, with text compared byte by byte on both engines (SQLite's BINARY order
    equals PostgreSQL's "C" collation, whatever the database's locale)."""
    byte_order = dialect == "postgresql"
    columns = list(table.primary_key.columns) or list(table.columns)
    return [c.collate("C") if byte_order and isinstance(c.type, sa.String) else c for c in columns]


def _line(table: sa.Table, row: dict[str, Any], json_names: list[str]) -> bytes:
    """What a row adds to its table's hash: its normalized values as one line of compact JSON."""
    values = [normalize(row[c.name], is_json=c.name in json_names) for c in table.columns]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def normalize(value: Any, *, is_json: bool = False) -> Any:
    """One value as both engines agree on it, tagged so that ``1``, ``"1"`` and ``1.0`` differ. A JSON
    document as canonical text (sorted keys, as ``json`` keeps them verbatim); SQL NULL != JSON null."""
    if value is None:
        return None
    if is_json:
        document = None if value is sa.JSON.NULL else value
        return ["json", json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))]
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite may hand back naive
        return ["datetime", aware.astimezone(UTC).isoformat()]
    return [type(value).__name__, str(value)]  # float: str is repr; date: ISO; Decimal: exact


def _reason(exc: BaseException) -> str:
    """The first line of the driver's message, for a one-line report."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0][:300]
