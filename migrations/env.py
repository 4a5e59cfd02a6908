"""Alembic environment: async engines, batch mode on SQLite, the app's own connection when given.

``bot.db.migrate`` passes an open connection in ``config.attributes["connection"]`` so that the bot
migrates with the engine it owns; the ``alembic`` command line builds its own async engine from
``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.engine import make_engine
from bot.db.migrate import include_object
from bot.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # SQLite's Python driver runs DDL outside any transaction (it begins one only before
        # INSERT/UPDATE/DELETE): begin explicitly, so that an upgrade that fails midway leaves
        # nothing half done, as on PostgreSQL.
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.config import load_settings

        url = load_settings().database_url
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
