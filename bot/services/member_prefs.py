"""``/me settings``: a member's own preferences in one server (the core ``MemberSettings`` row)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MemberSettings
from bot.db.unit import unit_of_work
from bot.db.upsert import insert_missing
from bot.errors import Invalid
from bot.i18n import LANGUAGES
from bot.timeutil import parse_timezone


@dataclass(frozen=True)
class Prefs:
    language: str | None
    timezone: str | None
    dm_reminders: bool
    qa_routing: bool


@dataclass(frozen=True)
class PrefsChange:
    """None means 'leave as it is'."""

    language: str | None = None
    timezone: str | None = None
    dm_reminders: bool | None = None
    qa_routing: bool | None = None

    @property
    def empty(self) -> bool:
        return all(value is None for value in vars(self).values())


def _of(row: MemberSettings | None) -> Prefs:
    if row is None:
        return Prefs(None, None, True, True)
    return Prefs(row.language, row.timezone, row.dm_reminders is not False, row.qa_routing is not False)


async def get(session: AsyncSession, guild_id: int, user_id: int) -> Prefs:
    return _of(await session.get(MemberSettings, (guild_id, user_id)))


@unit_of_work
async def update(session: AsyncSession, guild_id: int, user_id: int, change: PrefsChange) -> Prefs:
    """Validate every value, then save them together."""
    language = timezone = None
    if change.language is not None:
        language = change.language.strip().lower()
        if language not in LANGUAGES:
            raise Invalid("error.bad_language", value=change.language[:20])
    if change.timezone is not None:
        timezone = parse_timezone(change.timezone).key
    row = await session.get(MemberSettings, (guild_id, user_id))
    if change.empty:
        return _of(row)
    if row is None:  # created race-free: a double click runs two of these at once
        key = {"guild_id": guild_id, "user_id": user_id}
        await insert_missing(session, MemberSettings, [key], ("guild_id", "user_id"))
        row = await session.get(MemberSettings, (guild_id, user_id))
        assert row is not None
    if language is not None:
        row.language = language
    if timezone is not None:
        row.timezone = timezone
    if change.dm_reminders is not None:
        row.dm_reminders = change.dm_reminders
    if change.qa_routing is not None:
        row.qa_routing = change.qa_routing
    await session.flush()
    return _of(row)
