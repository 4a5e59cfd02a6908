"""Fresh, migrated databases for tests, on SQLite always and on PostgreSQL when one is available.

``LIAISON_TEST_POSTGRES_URL`` (set by ``scripts/test`` when it could start a throwaway cluster)
names a PostgreSQL database whose server lets this user create databases. Migrations run once per
engine per test session into a template; each test gets a copy (a file copy on SQLite, ``CREATE
DATABASE … TEMPLATE`` on PostgreSQL), so a test costs milliseconds, not a migration run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import Database, migrate

POSTGRES_ENV = "LIAISON_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def engines() -> list[str]:
    """The engines the suite runs on here."""
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


async def migrate_sqlite(path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(database.engine)
    await database.dispose()


class PostgresDatabases:
    """Creates databases on the test server: one migrated template, then copies of it."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"t{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count()

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                for statement in statements:
                    await connection.execute(sa.text(statement))
        finally:
            await engine.dispose()

    async def prepare(self) -> None:
        """Create the migrated template (once per test session)."""
        await self._admin(f'CREATE DATABASE "{self.template}"')
        database = Database(self.url_of(self.template))
        await migrate.upgrade(database.engine)
        await database.dispose()

    async def fresh(self, *, migrated: bool = True) -> str:
        """The URL of a new database: migrated to head (a copy of the template), or empty."""
        name = f"{self.prefix}_{next(self._numbers)}"
        template = f' TEMPLATE "{self.template}"' if migrated else ""
        await self._admin(f'CREATE DATABASE "{name}"{template}')
        return self.url_of(name)

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def drop_all(self) -> None:
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                names = (
                    await connection.execute(
                        sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                        {"p": f"{self.prefix}_%"},
                    )
                ).scalars()
                for name in list(names):
                    await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()


def copy_sqlite(template: Path, folder: Path, name: str = "liaison.db") -> str:
    target = folder / name
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"
