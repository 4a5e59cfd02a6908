"""Shared fixtures: a fresh, migrated database per test (on every engine available) and a
controllable clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from tests.databases import PostgresDatabases, copy_sqlite, engines, migrate_sqlite, postgres_url

START = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SQLite migrations run once per test session; each test gets a copy of the result."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    asyncio.run(migrate_sqlite(path))
    return path


def _run_aside(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion on its own loop, in a thread: session fixtures may be first
    requested from inside a test's running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """The PostgreSQL test server (skips the test when there is none)."""
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server (LIAISON_TEST_POSTGRES_URL is not set)")
    databases = PostgresDatabases(url)
    _run_aside(databases.prepare())
    yield databases
    _run_aside(databases.drop_all())


@pytest.fixture(params=engines())
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> AsyncIterator[str]:
    """The URL of a fresh database at the head revision, private to the test, on each engine."""
    if request.param == "sqlite":
        yield copy_sqlite(migrated_template, tmp_path)
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh()
    yield url
    await databases.drop(url)


@pytest.fixture(params=engines())
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database (no migration run), on each engine."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh(migrated=False)
    yield url
    await databases.drop(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A real database at the head revision, private to the test (SQLite, and PostgreSQL when
    the suite has one)."""
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)
