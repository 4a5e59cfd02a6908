"""The caller of a command as plain values (``bot.services.callers.Caller``) for its unit of work.

What Discord already says is decided by ``bot.ui.checks.moderator_by_discord`` (the rule
``is_moderator`` also starts from); only the moderator role, stored in the server's settings, is
left for the service to read in the command's own transaction, instead of a transaction of its own
before it.
"""

from __future__ import annotations

import discord

from bot.client import LiaisonBot
from bot.services.callers import Caller
from bot.ui.checks import moderator_by_discord


def caller(interaction: discord.Interaction[LiaisonBot]) -> Caller:
    bot = interaction.client
    user = interaction.user
    moderator = moderator_by_discord(interaction)
    role_ids: frozenset[int] = frozenset()
    if moderator is None and isinstance(user, discord.Member):  # the moderator role decides
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
