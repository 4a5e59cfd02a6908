"""``unit_of_work``: called with the database a service runs in a transaction of its own (committed
on success, rolled back on error); called with a session it joins that session's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.db.models import GuildSettings
from bot.db.unit import unit_of_work

pytestmark = pytest.mark.engines  # commit and rollback semantics of each engine


@unit_of_work
async def add_settings(session: AsyncSession, guild_id: int, *, fail: bool = False) -> int:
    session.add(GuildSettings(guild_id=guild_id))
    await session.flush()
    if fail:
        raise ValueError("refused")
    return guild_id


async def count(db: Database, guild_id: int) -> int:
    async with db.transaction() as session:
        result = await session.execute(
            text("SELECT COUNT(*) FROM guild_settings WHERE guild_id = :g"), {"g": guild_id}
        )
        return int(result.scalar_one())


async def test_with_the_database_commits_its_own_transaction(db: Database) -> None:
    assert await add_settings(db, 1) == 1
    assert await count(db, 1) == 1


async def test_with_the_database_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(ValueError):
        await add_settings(db, 2, fail=True)
    assert await count(db, 2) == 0


async def test_with_a_session_joins_the_callers_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await add_settings(session, 3)
            raise RuntimeError("the caller fails after the service")
    assert await count(db, 3) == 0
