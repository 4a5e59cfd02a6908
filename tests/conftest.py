"""Shared fixtures: a fresh, migrated database per test and a controllable clock.

Which engines a test runs on (the rule the README states beside the test command): every test using a
database (``db``, ``database_url``, ``empty_database_url``, or the e2e ``sandbox``) runs on SQLite;
it runs on PostgreSQL too (when the suite has a server) only if it is marked
``@pytest.mark.engines``, or its module says ``pytestmark = pytest.mark.engines``. Mark a test
where the engine matters to what it proves: SQL written per dialect (full-text search and
ranking, upserts, time buckets), migrations, transfer and backup, transactions that really run
at the same time (concurrency, locking and claiming of reminders and injects, several
processes), erasure down to what the engine stores. The rest of the bot is plain SQLAlchemy
that both engines run alike, and runs once, on SQLite: the suite stays near 10 minutes.
"""

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


ENGINE_FIXTURES = ("database_url", "empty_database_url")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "engines: run on every engine the suite has (SQLite and PostgreSQL), not on SQLite only: "
        "the engine matters to what the test proves",
    )
    config.addinivalue_line(
        "markers",
        "serial: timed against a window, or starting processes of its own: scripts/test runs it "
        "alone, after the rest of the suite (which runs on several workers)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test using a database runs on SQLite, and on PostgreSQL too when marked ``engines``."""
    marked = metafunc.definition.get_closest_marker("engines") is not None
    for name in ENGINE_FIXTURES:
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, engines() if marked else ["sqlite"], indirect=True)


@pytest.fixture
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> AsyncIterator[str]:
    """The URL of a fresh database at the head revision, private to the test, on the engine of
    the test's parameter (see ``pytest_generate_tests``)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield copy_sqlite(migrated_template, tmp_path)
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh()
    yield url
    await databases.drop(url)


@pytest.fixture
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database (no migration run), on the engine of the test's
    parameter."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh(migrated=False)
    yield url
    await databases.drop(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A real database at the head revision, private to the test (SQLite; PostgreSQL too for a
    test marked ``engines`` when the suite has a server)."""
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)
