"""The audit log: every moderator action, written in the same transaction as the action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry
from bot.db.unit import unit_of_work

TARGET_LIMIT = 200


async def record(
    session: AsyncSession,
    guild_id: int,
    actor_id: int | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            guild_id=guild_id,
            actor_id=actor_id,
            action=action,
            target=target[:TARGET_LIMIT] if target else None,
            details=details,
        )
    )


@dataclass(frozen=True)
class AuditLine:
    created_at: datetime
    actor_id: int | None
    action: str
    target: str | None
    details: dict[str, Any] | None


@unit_of_work
async def recent(
    session: AsyncSession, guild_id: int, *, actor_id: int | None = None, limit: int = 200
) -> list[AuditLine]:
    """Newest first; optionally only what one member did."""
    query = select(AuditEntry).where(AuditEntry.guild_id == guild_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    rows = await session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    )
    return [AuditLine(r.created_at, r.actor_id, r.action, r.target, r.details) for r in rows]
