"""``/liaison stats``: each feature's service module may offer ``async def stats(session, guild_id)``
returning ``{message_key: number}``; this module gathers them."""

from __future__ import annotations

import importlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry

FEATURE_SERVICES = (
    "bot.services.resources",
    "bot.services.experts",
    "bot.services.events",
    "bot.services.reminders",
    "bot.services.qa",
    "bot.services.exercises",
    "bot.services.learn",
)


async def gather(session: AsyncSession, guild_id: int) -> dict[str, int]:
    figures: dict[str, int] = {}
    for name in FEATURE_SERVICES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        provider = getattr(module, "stats", None)
        if provider is not None:
            figures.update(await provider(session, guild_id))
    figures["stats.audit_entries"] = int(
        await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.guild_id == guild_id)
        )
        or 0
    )
    return figures
