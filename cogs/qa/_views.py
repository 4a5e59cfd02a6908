"""The Q&A views: "post anyway / cancel" before a question goes out, and "Promote to library"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.errors import NotAllowed
from bot.services import qa
from bot.ui import limits
from bot.ui.buttons import IdButton
from bot.ui.checks import is_moderator
from bot.ui.respond import defer, send
from bot.ui.views import InvokerView

if TYPE_CHECKING:
    from bot.client import LiaisonBot


class PostAnyway(InvokerView):
    """Shown with similar solved questions. ``await view.wait()``; ``decision`` is None on timeout."""

    def __init__(self, invoker_id: int, language: str) -> None:
        super().__init__(invoker_id, language, timeout=120.0)
        self.decision: bool | None = None
        self.answer: discord.Interaction[LiaisonBot] | None = None
        self.post.label = limits.clip(i18n.t(language, "qa.post_anyway"), limits.BUTTON_LABEL)
        self.cancel.label = limits.clip(i18n.t(language, "common.cancel"), limits.BUTTON_LABEL)

    async def _decide(self, interaction: discord.Interaction[LiaisonBot], value: bool) -> None:
        self.decision, self.answer = value, interaction
        self.disable_all()
        self.stop()

    @discord.ui.button(label="Post anyway", style=discord.ButtonStyle.primary)
    async def post(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        await self._decide(interaction, True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        await self._decide(interaction, False)


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
