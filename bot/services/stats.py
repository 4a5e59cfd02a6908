"""``/liaison stats``: each feature's service module may offer ``async def stats(session, guild_id)``
returning ``{message_key: number}``; this module gathers them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry
from bot.db.unit import unit_of_work
from bot.services.features import FEATURES


@unit_of_work
async def gather(session: AsyncSession, guild_id: int) -> dict[str, int]:
    figures: dict[str, int] = {}
    for _name, module in FEATURES:
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
