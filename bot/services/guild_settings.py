"""Per-server settings (``/liaison setup``) and per-member preferences (``/me settings``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildSettings, MemberSettings
from bot.db.unit import unit_of_work
from bot.db.upsert import insert_missing
from bot.errors import Invalid
from bot.i18n import LANGUAGES
from bot.services import audit
from bot.services.values import copied
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
    verified_role_id: int | None = None
    restricted_channel_id: int | None = None
    exercises_channel_id: int | None = None
    # Whether @everyone can view the chosen restricted channel (as Discord computes it from the
    # channel's permission overwrites): such a channel is refused.
    restricted_channel_public: bool = False

    @property
    def empty(self) -> bool:
        return all(
            getattr(self, f.name) is None for f in fields(self) if f.name != "restricted_channel_public"
        )


@dataclass(frozen=True)
class ServerSettings:
    """The server's settings as plain values: what cogs and the Discord side read."""

    guild_id: int
    qa_channel_id: int | None
    events_channel_id: int | None
    review_channel_id: int | None
    exercises_channel_id: int | None
    moderator_role_id: int | None
    verified_role_id: int | None
    restricted_channel_id: int | None
    language: str | None
    timezone: str
    reminder_offsets: str
    reminder_grace_minutes: int
    retention_days: int
    qa_escalation_hours: int
    qa_daily_cap: int
    qa_archive_hours: int

    @classmethod
    def from_row(cls, row: GuildSettings) -> ServerSettings:
        return copied(cls, row)


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


@unit_of_work
async def current(session: AsyncSession, guild_id: int) -> ServerSettings:
    """The server's settings (defaults for a server never set up), as plain values."""
    return ServerSettings.from_row(await get(session, guild_id))


async def get_or_create(session: AsyncSession, guild_id: int) -> GuildSettings:
    """The server's saved settings row, created with the defaults if missing (race-free)."""
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        await insert_missing(session, GuildSettings, [{"guild_id": guild_id}], ("guild_id",))
        row = await session.get(GuildSettings, guild_id)
        assert row is not None
    return row


def _check_access(guild_id: int, change: SetupChange) -> None:
    """Roles and channels that would hand TLP:AMBER to everyone are refused. In Discord the
    ``@everyone`` role's id is the server's id."""
    if change.moderator_role_id == guild_id:
        raise Invalid("setup.moderator_everyone")
    if change.verified_role_id == guild_id:
        raise Invalid("setup.verified_everyone")
    if change.restricted_channel_id is not None and change.restricted_channel_public:
        raise Invalid("setup.restricted_public", channel=f"<#{change.restricted_channel_id}>")


def _validated(guild_id: int, change: SetupChange) -> dict[str, Any]:
    _check_access(guild_id, change)
    values = {f.name: getattr(change, f.name) for f in fields(change)}
    values.pop("restricted_channel_public")
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
    values = _validated(guild_id, change)
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


@unit_of_work
async def languages(
    session: AsyncSession, guild_id: int | None, user_id: int | None
) -> tuple[str | None, str | None]:
    """(the member's ``/me settings`` language, the server's language) as the language rule
    (``bot.i18n.choose_language``) reads them: the server's is only read when the member's
    setting does not already decide (no setting, or none of Liaison's languages)."""
    member_language_ = await member_language(session, guild_id, user_id) if user_id else None
    server = None
    if guild_id is not None and member_language_ not in LANGUAGES:
        server = (await get(session, guild_id)).language
    return member_language_, server
