"""The caller of a command as plain values (``bot.services.callers.Caller``) for its unit of work.

What Discord already says is decided here, with ``bot.ui.checks``' rule (``is_moderator``: the
interaction's permissions, then the member's Manage Server or administrator); only the moderator
role, stored in the server's settings, is left for the service to read in the command's own
transaction, instead of a transaction of its own before it.
"""

from __future__ import annotations

import discord

from bot.client import LiaisonBot
from bot.services.callers import Caller
from bot.ui.checks import has_moderator_power


def caller(interaction: discord.Interaction[LiaisonBot]) -> Caller:
    bot = interaction.client
    user = interaction.user
    moderator: bool | None = None
    role_ids: frozenset[int] = frozenset()
    if interaction.guild is None or not isinstance(user, discord.Member):
        moderator = False
    elif (
        interaction.permissions.manage_guild
        or interaction.permissions.administrator
        or has_moderator_power(user, None)  # Manage Server or administrator in the server
    ):
        moderator = True
    else:
        role_ids = frozenset(role.id for role in user.roles)
    return Caller(
        guild_id=interaction.guild_id or 0,
        user_id=user.id,
        now=bot.clock.now(),
        moderator=moderator,
        role_ids=role_ids,
        locale=interaction.locale.value if interaction.locale else None,
        default_language=bot.settings.liaison_locale,
    )
