"""The Discord side of ``verified_role``: Liaison gives it to verified members and takes it back
when their verification ends. The services decide who (plain ids); this only makes the call.

A call Discord refuses never raises: it is logged, and the outcome tells the caller what to say
(a moderator verifying someone is told that Liaison lacks Manage Roles or sits below the role).
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING

import discord

from bot.services import guild_settings

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.roles")


class RoleOutcome(enum.Enum):
    DONE = "done"
    NOT_SET = "not_set"  # no verified role configured
    NO_PERMISSION = "no_permission"  # Discord refused: Manage Roles missing, or the role is above Liaison's
    GONE = "gone"  # the role or the member no longer exists
    FAILED = "failed"  # any other refusal, logged


async def role_id(bot: LiaisonBot, guild_id: int) -> int | None:
    return (await guild_settings.current(bot.db, guild_id)).verified_role_id


async def give(bot: LiaisonBot, guild_id: int, user_id: int, role: int | None = None) -> RoleOutcome:
    """Give the server's verified role to the member."""
    return await _call(bot, guild_id, user_id, role, give=True)


async def take(bot: LiaisonBot, guild_id: int, user_id: int, role: int | None = None) -> RoleOutcome:
    """Take the server's verified role back from the member (nothing happens when not held)."""
    return await _call(bot, guild_id, user_id, role, give=False)


async def _call(bot: LiaisonBot, guild_id: int, user_id: int, role: int | None, *, give: bool) -> RoleOutcome:
    chosen = role if role is not None else await role_id(bot, guild_id)
    if chosen is None:
        return RoleOutcome.NOT_SET
    reason = "Liaison: verified" if give else "Liaison: verification ended"
    try:
        if give:
            await bot.http.add_role(guild_id, user_id, chosen, reason=reason)
        else:
            await bot.http.remove_role(guild_id, user_id, chosen, reason=reason)
    except discord.Forbidden:
        log.warning(
            "cannot %s the verified role %s %s member %s in guild %s: Liaison lacks Manage Roles "
            "or its own role sits below that role",
            "give" if give else "take back",
            chosen,
            "to" if give else "from",
            user_id,
            guild_id,
        )
        return RoleOutcome.NO_PERMISSION
    except discord.NotFound:
        return RoleOutcome.GONE
    except discord.HTTPException as exc:
        log.warning("verified role %s for member %s in guild %s: %s", chosen, user_id, guild_id, exc)
        return RoleOutcome.FAILED
    return RoleOutcome.DONE
