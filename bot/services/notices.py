"""Notices a member could not get by DM, handed over the next time they use the bot."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Notice
from bot.db.unit import unit_of_work


@unit_of_work
async def leave(session: AsyncSession, guild_id: int, user_id: int, key: str, **params: Any) -> None:
    session.add(Notice(guild_id=guild_id, user_id=user_id, key=key, params=params))


@unit_of_work
async def leave_all(
    session: AsyncSession, guild_id: int, user_id: int, pending: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    """Leave each (key, params) of ``pending`` again: notices taken but not handed over."""
    for key, params in pending:
        await leave(session, guild_id, user_id, key, **params)


@unit_of_work
async def take(session: AsyncSession, guild_id: int, user_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Every pending notice of the member, oldest first, removed as they are returned."""
    rows = list(
        await session.scalars(
            select(Notice).where(Notice.guild_id == guild_id, Notice.user_id == user_id).order_by(Notice.id)
        )
    )
    if rows:
        await session.execute(delete(Notice).where(Notice.id.in_([r.id for r in rows])))
    return [(r.key, dict(r.params or {})) for r in rows]
