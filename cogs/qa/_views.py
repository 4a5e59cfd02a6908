"""The Q&A button "Promote to library", on the "solved" message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.errors import NotAllowed
from bot.services import qa
from bot.ui.buttons import IdButton
from bot.ui.checks import is_moderator
from bot.ui.respond import defer, send

if TYPE_CHECKING:
    from bot.client import LiaisonBot


class PromoteButton(IdButton, prefix="qa:promote"):
    """On the "solved" message: moderators turn the accepted answer into a library suggestion."""

    label_key = "qa.promote"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction, ephemeral=True)
        await self._promote(interaction)

    async def _promote(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        bot: Any = interaction.client
        if interaction.guild_id is None or not await is_moderator(interaction):
            raise NotAllowed("error.moderators_only")
        language = await bot.language_for(interaction)
        await qa.promote_accepted(
            bot.db, interaction.guild_id, self.record_id, actor_id=interaction.user.id, now=bot.clock.now()
        )
        await send(interaction, i18n.t(language, "qa.promoted"), ephemeral=True)
