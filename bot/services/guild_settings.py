"""Per-server settings (``/liaison setup``) and per-member preferences (``/me settings``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildSettings, MemberSettings
from bot.db.upsert import insert_missing
from bot.errors import Invalid
from bot.i18n import LANGUAGES
from bot.services import audit
from bot.timeutil import format_offsets, parse_offsets, parse_timezone


@dataclass(frozen=True)
class SetupChange:
    """What ``/liaison setup`` may change; None means 'leave as it is'."""

    qa_channel_id: int | None = None
    events_channel_id: int | None = None
    review_channel_id: int | None = None
    moderator_role_id: int | None = None
    language: str | None = None
    timezone: str | None = None
    reminders: str | None = None
    exercises_channel_id: int | None = None


async def get(session: AsyncSession, guild_id: int) -> GuildSettings:
    """The server's settings; defaults (not yet saved) for a server never set up."""
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        row = GuildSettings(guild_id=guild_id)
        for column in GuildSettings.__table__.columns:
            if getattr(row, column.key) is None and column.default is not None:
                default = column.default.arg  # type: ignore[attr-defined]
                if not callable(default):
                    setattr(row, column.key, default)
    return row


async def get_or_create(session: AsyncSession, guild_id: int) -> GuildSettings:
    """The server's saved settings row, created with the defaults if missing (race-free)."""
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        await insert_missing(session, GuildSettings, [{"guild_id": guild_id}], ("guild_id",))
        row = await session.get(GuildSettings, guild_id)
        assert row is not None
    return row


def _validated(change: SetupChange) -> dict[str, Any]:
    values = {f.name: getattr(change, f.name) for f in fields(change)}
    if change.language is not None:
        language = change.language.strip().lower()
        if language not in LANGUAGES:
            raise Invalid("error.bad_language", value=change.language[:20])
        values["language"] = language
    if change.timezone is not None:
        values["timezone"] = parse_timezone(change.timezone).key
    if change.reminders is not None:
        values["reminder_offsets"] = format_offsets(parse_offsets(change.reminders))
    values.pop("reminders")
    return {key: value for key, value in values.items() if value is not None}


async def update(session: AsyncSession, guild_id: int, actor_id: int, change: SetupChange) -> GuildSettings:
    """Validate every value first, then save them all together and audit the change."""
    values = _validated(change)
    row = await get_or_create(session, guild_id)
    for key, value in values.items():
        setattr(row, key, value)
    if values:
        await audit.record(
            session, guild_id, actor_id, "settings.update", details={k: str(v) for k, v in values.items()}
        )
    return row


async def member(session: AsyncSession, guild_id: int, user_id: int) -> MemberSettings | None:
    return await session.get(MemberSettings, (guild_id, user_id))


async def member_language(session: AsyncSession, guild_id: int | None, user_id: int) -> str | None:
    if guild_id is None:
        return await session.scalar(
            select(MemberSettings.language)
            .where(MemberSettings.user_id == user_id, MemberSettings.language.is_not(None))
            .order_by(MemberSettings.updated_at.desc())
            .limit(1)
        )
    row = await member(session, guild_id, user_id)
    return row.language if row else None
