"""``INSERT … ON CONFLICT DO NOTHING``, the one race-free "create if missing" on both engines.

Get-or-create written as "SELECT, then INSERT when missing" is a race once two transactions run
at the same time (PostgreSQL, several bot processes): both see nothing, both insert, one fails on
the unique constraint. Inserting with the conflict ignored, then reading, lets the loser simply
see the winner's row (PostgreSQL makes the second insert wait for the first to commit).
SQLite and PostgreSQL spell it the same, through their own dialect's ``insert``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_missing(
    session: AsyncSession,
    model: type[DeclarativeBase] | Table,
    rows: Sequence[dict[str, Any]],
    unique: Sequence[str],
) -> None:
    """Insert ``rows``, skipping those that collide with an existing row on the ``unique``
    columns (a unique constraint or primary key over exactly those columns)."""
    if not rows:
        return
    table: Table = model if isinstance(model, Table) else model.__table__  # type: ignore[assignment]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise NotImplementedError(f"insert_missing on {dialect}")
    await session.execute(statement.values(list(rows)).on_conflict_do_nothing(index_elements=list(unique)))
