"""Shared fixtures: a fresh, migrated SQLite database per test and a controllable clock."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.db import Database, migrate

START = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


async def _migrated_template(path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(database.engine)
    await database.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations run once per test session; each test gets a copy of the result."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    asyncio.run(_migrated_template(path))
    return path


@pytest.fixture
async def db(tmp_path: Path, migrated_template: Path) -> AsyncIterator[Database]:
    """A real SQLite database at the head revision, private to the test."""
    target = tmp_path / "liaison.db"
    shutil.copyfile(migrated_template, target)
    database = Database(f"sqlite+aiosqlite:///{target}")
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)
