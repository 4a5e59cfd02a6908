"""Permissions Liaison found missing at run time, kept so the moderators are told once per
channel and permission (not at every refused post), and forgotten once the permission is back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.permissions import MissingPermission
from bot.db.unit import unit_of_work
from bot.services import guild_settings
from bot.services.guild_settings import ServerSettings


async def record(
    session: AsyncSession, guild_id: int, channel_id: int, missing: Mapping[str, str], now: datetime
) -> list[str]:
    """Note ``missing`` (permission -> the feature that needed it); returns the permissions not
    already noted, the ones the moderators have not been told about yet."""
    known = set(
        await session.scalars(
            select(MissingPermission.permission).where(
                MissingPermission.guild_id == guild_id, MissingPermission.channel_id == channel_id
            )
        )
    )
    new = []
    for permission, feature in missing.items():
        if permission in known:
            continue
        try:
            async with session.begin_nested():  # another process may note it at the same moment
                session.add(
                    MissingPermission(
                        guild_id=guild_id,
                        channel_id=channel_id,
                        permission=permission,
                        feature=feature,
                        found_at=now,
                    )
                )
        except IntegrityError:
            continue
        new.append(permission)
    return new


async def clear(session: AsyncSession, guild_id: int, channel_id: int, present: Iterable[str]) -> int:
    """Forget the permissions that are back in the channel; returns how many were forgotten."""
    present = list(present)
    if not present:
        return 0
    result = await session.execute(
        delete(MissingPermission).where(
            MissingPermission.guild_id == guild_id,
            MissingPermission.channel_id == channel_id,
            MissingPermission.permission.in_(present),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Noted:
    """What ``note`` found: the permissions not told yet, and the settings to tell them with."""

    new: tuple[str, ...]
    settings: ServerSettings


@unit_of_work
async def note(
    session: AsyncSession, guild_id: int, channel_id: int, missing: Mapping[str, str], now: datetime
) -> Noted:
    """``record``, with the server's settings (its language, review channel) to tell the
    moderators in: one unit of work."""
    new = await record(session, guild_id, channel_id, missing, now)
    return Noted(tuple(new), await guild_settings.current(session, guild_id))


@unit_of_work
async def forget_back(
    session: AsyncSession, guild_id: int, present: Iterable[tuple[int, Iterable[str]]]
) -> None:
    """``clear`` for each (channel or role id, permissions back there)."""
    for channel_id, permissions in present:
        await clear(session, guild_id, channel_id, permissions)


async def noted(session: AsyncSession, guild_id: int) -> list[tuple[int, str]]:
    """(channel id, permission) of everything noted for the server."""
    rows = await session.execute(
        select(MissingPermission.channel_id, MissingPermission.permission)
        .where(MissingPermission.guild_id == guild_id)
        .order_by(MissingPermission.id)
    )
    return [(int(c), str(p)) for c, p in rows]
