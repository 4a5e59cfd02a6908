"""What only shows when transactions really run at the same time (PostgreSQL, several processes):
members registering at once in a new server, and text the engines store differently."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import AuditEntry
from bot.db.models.experts import ExpertDirectoryState, ExpertiseArea
from bot.services import audit, experts, guild_settings, member_prefs
from bot.services.experts import ProfileInput
from bot.services.member_prefs import PrefsChange

pytestmark = pytest.mark.engines  # transactions really running at the same time

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


async def test_double_clicks_on_settings_create_one_row(db: Database) -> None:
    """A member's preferences and a server's settings saved twice at once: both succeed."""
    databases = [Database(db.url) for _ in range(2)]

    async def save(database: Database, zone: str) -> None:
        async with database.transaction() as session:
            await member_prefs.update(session, GUILD, 5, PrefsChange(timezone=zone))
            await guild_settings.get_or_create(session, GUILD)

    try:
        await asyncio.gather(save(databases[0], "Europe/Vienna"), save(databases[1], "Africa/Nairobi"))
    finally:
        for database in databases:
            await database.dispose()
    async with db.transaction() as session:
        prefs = await member_prefs.get(session, GUILD, 5)
        assert (await guild_settings.get_or_create(session, GUILD)).guild_id == GUILD
    assert prefs.timezone in ("Europe/Vienna", "Africa/Nairobi") and prefs.dm_reminders
