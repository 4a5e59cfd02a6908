"""What only shows when transactions really run at the same time (PostgreSQL, several processes):
members registering at once in a new server, and text the engines store differently."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import AuditEntry
from bot.db.models.experts import ExpertDirectoryState, ExpertiseArea
from bot.services import audit, experts
from bot.services.experts import ProfileInput

GUILD = 7


async def test_members_registering_at_once_share_new_areas(db: Database, clock: FrozenClock) -> None:
    """The first writes of a server seed its areas and directory state; every member here also
    names the same new area. Each registration runs on its own connection, at the same time."""
    databases = [Database(db.url) for _ in range(4)]

    async def register(user_id: int) -> None:
        database = databases[user_id % len(databases)]
        async with database.transaction() as session:
            data = ProfileInput("CNSC", "CA", "Transport security, RIID operation", "en, fr")
            await experts.register(session, GUILD, user_id, data, consent_text="ok", now=clock.now())

    try:
        await asyncio.gather(*(register(user_id) for user_id in range(100, 124)))
    finally:
        for database in databases:
            await database.dispose()
    async with db.transaction() as session:
        transport = await session.scalar(
            select(func.count()).where(
                ExpertiseArea.guild_id == GUILD, ExpertiseArea.key == "transport security"
            )
        )
        states = await session.scalar(select(func.count()).select_from(ExpertDirectoryState))
        page = await experts.find(
            session, GUILD, expertise="transport security", viewer_verified=False, now=clock.now()
        )
    assert (transport, states) == (1, 1)
    assert page.total == 24


async def test_nul_characters_are_dropped_on_every_engine(db: Database) -> None:
    async with db.transaction() as session:
        await audit.record(session, GUILD, 1, "test.nul", "por\x00tal", {"note": "a"})
    async with db.transaction() as session:
        target = await session.scalar(select(AuditEntry.target).where(AuditEntry.action == "test.nul"))
    assert target == "portal"
