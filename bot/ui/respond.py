"""The one way a cog answers an interaction: localized, mentions off, ephemeral when asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.ui import limits

if TYPE_CHECKING:
    from bot.client import LiaisonBot

NO_MENTIONS = discord.AllowedMentions.none()


class Reply:
    """Bound to one interaction and the caller's language."""

    def __init__(self, interaction: discord.Interaction[Any], language: str) -> None:
        self.interaction = interaction
        self.language = language

    def t(self, key: str, /, **params: Any) -> str:
        return i18n.t(self.language, key, **params)

    async def defer(self, *, ephemeral: bool = False, thinking: bool = True) -> None:
        if not self.interaction.response.is_done():
            await self.interaction.response.defer(ephemeral=ephemeral, thinking=thinking)

    async def send(
        self,
        content: str | None = None,
        *,
        ephemeral: bool = False,
        allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
        **kwargs: Any,
    ) -> discord.Message | None:
        """Send the response, or a follow-up when the interaction was already answered."""
        if content is not None:
            content = limits.clip(content, limits.MESSAGE)
        response = self.interaction.response
        if not response.is_done():
            await response.send_message(
                content, ephemeral=ephemeral, allowed_mentions=allowed_mentions, **kwargs
            )
            return None
        return await self.interaction.followup.send(
            content or discord.utils.MISSING,
            ephemeral=ephemeral,
            allowed_mentions=allowed_mentions,
            wait=True,
            **kwargs,
        )

    async def say(self, key: str, /, *, ephemeral: bool = False, **params: Any) -> None:
        await self.send(self.t(key, **params), ephemeral=ephemeral)


async def reply_for(interaction: discord.Interaction[Any]) -> Reply:
    bot: LiaisonBot = interaction.client  # type: ignore[assignment]
    return Reply(interaction, await bot.language_for(interaction))
