"""The ``sandbox`` fixture: a fresh sandbox server, a fresh database and the real bot, started.

A test fails if the bot logged an error (an unhandled exception) or called a route that the
sandbox does not know.

The sandbox's database is SQLite; PostgreSQL too for a test marked ``engines`` (the rule is in
``tests/conftest.py``). A test timed against a window, or starting processes of its own, is
marked ``serial``: ``scripts/test`` runs it alone, after the rest.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.sandbox.harness import LiaisonSandbox, start_liaison_sandbox
from tests.sandbox import schema


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_log() -> AsyncIterator[ErrorLog]:  # type: ignore[misc]
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


async def _sandbox(
    database_url: str, error_log: ErrorLog, *, configure: bool
) -> AsyncIterator[LiaisonSandbox]:
    sandbox = await start_liaison_sandbox(database_url, configure=configure, body_check=schema.problems)
    try:
        yield sandbox
    finally:
        await sandbox.close()
    errors = [f"{r.name}: {r.getMessage()}" for r in error_log.records]
    assert errors == [], f"the bot logged errors: {errors}"
    assert sandbox.unknown_routes == [], f"unknown routes called: {sandbox.unknown_routes}"
    bad = sandbox.server.schema_errors
    assert bad == [], f"request bodies Discord's API description refuses: {bad}"


@pytest.fixture
async def sandbox(database_url: str, error_log: ErrorLog) -> AsyncIterator[LiaisonSandbox]:
    """Liaison connected to a seeded sandbox, with the server set up (moderator role = Moderators,
    Q&A forum = #qa, events = #events, review = #review)."""
    async for sb in _sandbox(database_url, error_log, configure=True):
        yield sb


@pytest.fixture
async def bare_sandbox(database_url: str, error_log: ErrorLog) -> AsyncIterator[LiaisonSandbox]:
    """Liaison connected to a seeded sandbox whose server was never set up."""
    async for sb in _sandbox(database_url, error_log, configure=False):
        yield sb
