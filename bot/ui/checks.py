"""Who may do what, checked by the bot on every call (not only hidden in Discord's menus)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.services import guild_settings

if TYPE_CHECKING:
    from bot.client import LiaisonBot


class NotModerator(app_commands.CheckFailure):
    """The caller is neither in the moderator role nor allowed to manage the server."""


class GuildOnly(app_commands.CheckFailure):
    """The command was used outside a server."""


def has_moderator_power(member: discord.Member, moderator_role_id: int | None) -> bool:
    """The rule: Manage Server (or administrator), or the configured moderator role."""
    permissions = member.guild_permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    return moderator_role_id is not None and any(r.id == moderator_role_id for r in member.roles)


def moderator_by_discord(interaction: discord.Interaction[LiaisonBot]) -> bool | None:
    """What Discord alone says of the caller: True (Manage Server or administrator), False (not a
    member of a server), None (the server's moderator role, stored by Liaison, decides)."""
    user = interaction.user
    if interaction.guild is None or not isinstance(user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator or has_moderator_power(user, None):
        return True
    return None


async def is_moderator(interaction: discord.Interaction[LiaisonBot]) -> bool:
    """True when the caller may use moderator commands in this server."""
    said = moderator_by_discord(interaction)
    if said is not None:
        return said
    assert interaction.guild is not None and isinstance(interaction.user, discord.Member)
    settings = await guild_settings.current(interaction.client.db, interaction.guild.id)  # type: ignore[attr-defined]
    return has_moderator_power(interaction.user, settings.moderator_role_id)


# ``default_member_permissions`` of a top-level command whose subcommands are all moderator-only
# (Discord sets it per top-level command only): Manage Server
MODERATOR_DEFAULT_PERMISSIONS = discord.Permissions(manage_guild=True)


def moderator_only() -> Any:
    """Decorator for moderator-only app commands."""

    async def predicate(interaction: discord.Interaction[LiaisonBot]) -> bool:
        if interaction.guild is None:
            raise GuildOnly()
        if not await is_moderator(interaction):
            raise NotModerator()
        return True

    predicate.moderator_only = True  # type: ignore[attr-defined]  # read by is_moderator_only
    return app_commands.check(predicate)


def is_moderator_only(command: app_commands.Command[Any, ..., Any]) -> bool:
    """Whether ``command`` carries the ``moderator_only`` check."""
    return any(getattr(check, "moderator_only", False) for check in command.checks)


def guild_only() -> Any:
    async def predicate(interaction: discord.Interaction[LiaisonBot]) -> bool:
        if interaction.guild is None:
            raise GuildOnly()
        return True

    return app_commands.check(predicate)
