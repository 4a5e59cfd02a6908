"""Migrations: head and base on a fresh database, and models identical to what they build."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection

from bot.db import Database, migrate
from bot.db.migrate import include_object
from bot.db.models import Base

pytestmark = pytest.mark.engines  # migrations are DDL per dialect


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object, "compare_type": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_to_head_then_downgrade_to_base(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        assert await migrate.upgrade(database.engine) == migrate.head()
        async with database.engine.connect() as conn:
            tables = await conn.run_sync(_tables)
        assert set(Base.metadata.tables) <= tables
        assert await migrate.downgrade(database.engine, "base") is None
        async with database.engine.connect() as conn:
            assert await conn.run_sync(_tables) <= {"alembic_version"}
        assert await migrate.upgrade(database.engine) == migrate.head()
    finally:
        await database.dispose()


async def test_models_match_migrations(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_each_step_downgrades(empty_database_url: str) -> None:
    """Every revision can be stepped down one at a time without error."""
    database = Database(empty_database_url)
    try:
        await migrate.upgrade(database.engine)
        while (current := await migrate.current(database.engine)) is not None:
            after = await migrate.downgrade(database.engine, "-1")
            assert after != current
    finally:
        await database.dispose()


async def test_a_migration_that_fails_midway_leaves_nothing_half_done(empty_database_url: str) -> None:
    """A migration is one transaction on both engines: when one of its statements fails (a
    crash, a disk full), the database stays at the previous revision with none of its tables
    (SQLite's driver would otherwise run each CREATE on its own and leave them behind)."""
    database = Database(empty_database_url)

    def fail_on_the_third_table(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("CREATE TABLE RESOURCE_SUGGESTIONS"):
            raise RuntimeError("disk full")

    try:
        assert await migrate.upgrade(database.engine, "0001") == "0001"
        event.listen(database.engine.sync_engine, "before_cursor_execute", fail_on_the_third_table)
        with pytest.raises(Exception, match="disk full"):
            await migrate.upgrade(database.engine)
        event.remove(database.engine.sync_engine, "before_cursor_execute", fail_on_the_third_table)
        assert await migrate.current(database.engine) == "0001"
        async with database.engine.connect() as conn:
            tables = await conn.run_sync(_tables)
        assert not {"resources", "resource_tags"} & tables
        assert await migrate.upgrade(database.engine) == migrate.head()  # and it can be run again
    finally:
        await database.dispose()


async def test_ranked_search_migration_reindexes_existing_resources(empty_database_url: str) -> None:
    """0013 computes every existing resource's terms and files them: search finds what was there."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from bot.services import resources

    database = Database(empty_database_url)
    try:
        assert await migrate.upgrade(database.engine, "0008") == "0008"
        now = datetime(2026, 12, 1, tzinfo=UTC)
        async with database.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO resources (guild_id, title, url, description, tags, language, label, views, "
                    "revision, created_at, updated_at, verified_at) VALUES "
                    "(1, 'Orphan sources in scrap metal', 'https://o.example', "
                    "'Detecting sources at recycling facilities', 'scrap', 'en', "
                    "'TLP:GREEN', 0, 1, :now, :now, :now)"
                ),
                {"now": now},
            )
        assert await migrate.upgrade(database.engine) == migrate.head()
        async with database.transaction() as session:
            found = await resources.search(session, 1, "source orpheline ferraille", verified=False)
        assert [hit.title for hit in found.hits] == ["Orphan sources in scrap metal"]
    finally:
        await database.dispose()
