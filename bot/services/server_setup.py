"""``/liaison setup`` as one unit of work: the settings saved, and the members whose verified
role moves when a new one is chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services import experts, guild_settings
from bot.services.guild_settings import ServerSettings, SetupChange


@dataclass(frozen=True)
class SetupResult:
    settings: ServerSettings
    previous_verified_role_id: int | None
    # verified now, to be given the newly chosen verified role (and the previous one taken back)
    verified_members: tuple[int, ...]


@unit_of_work
async def apply(
    session: AsyncSession, guild_id: int, actor_id: int, change: SetupChange, *, now: datetime
) -> SetupResult:
    """Validate and save ``change`` (``guild_settings.update``); when it chooses a different
    verified role, the members verified now."""
    previous = (await guild_settings.get(session, guild_id)).verified_role_id
    row = await guild_settings.update(session, guild_id, actor_id, change)
    moved = change.verified_role_id is not None and change.verified_role_id != previous
    verified = await experts.verified_members(session, guild_id, now) if moved else []
    return SetupResult(ServerSettings.from_row(row), previous, tuple(verified))
