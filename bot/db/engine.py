"""The async engine and session factory, owned by the bot (or by a CLI command) and closed by it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # What is deleted is overwritten with zeros, not left in free pages: ``/me delete`` erases.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


NUL = "\x00"


def _without_nul(parameters: Any) -> Any:
    """The parameters of one statement, with NUL characters removed from strings."""
    if isinstance(parameters, dict):
        if any(isinstance(v, str) and NUL in v for v in parameters.values()):
            return {k: v.replace(NUL, "") if isinstance(v, str) else v for k, v in parameters.items()}
        return parameters
    if isinstance(parameters, (list, tuple)) and any(isinstance(v, str) and NUL in v for v in parameters):
        return type(parameters)(v.replace(NUL, "") if isinstance(v, str) else v for v in parameters)
    return parameters


def _strip_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
) -> tuple[str, Any]:
    """PostgreSQL refuses NUL in text ("invalid byte sequence"), SQLite keeps it: a member who
    pastes one would get an error on one engine only. NUL never means anything in what people
    type, so it is dropped from every bound string, on both engines, in this one place."""
    if executemany and isinstance(parameters, list):
        return statement, [_without_nul(p) for p in parameters]
    return statement, _without_nul(parameters)


class _CancelledResetIsExpected(logging.Filter):
    """A task cancelled inside a transaction (the bot shutting down, a test's loop closing)
    leaves the pool unable to roll its connection back: SQLAlchemy logs that at ERROR, yet the
    transaction is lost as it should be (never committed). Log it as a warning instead; any
    other pool error stays an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno >= logging.ERROR and isinstance(error, asyncio.CancelledError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_POOL_FILTER = _CancelledResetIsExpected()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine with SQLite set up for a bot: WAL, foreign keys, a busy timeout."""
    engine = create_async_engine(url, **kwargs)
    pool_logger = logging.getLogger(f"sqlalchemy.pool.impl.{type(engine.sync_engine.pool).__name__}")
    if _POOL_FILTER not in pool_logger.filters:
        pool_logger.addFilter(_POOL_FILTER)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "before_cursor_execute", _strip_nul, retval=True)
    return engine


class Database:
    """The engine plus its session factory. ``transaction()`` is the one way to write."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and empty it, so that the
        previous versions of pages rewritten by an erasure are gone from both files (with
        ``secure_delete``, freed space is zeroed). A no-op elsewhere; a busy log is left as it is
        and emptied by a later checkpoint."""
        if self.dialect != "sqlite":
            return
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def dispose(self) -> None:
        await self.engine.dispose()
