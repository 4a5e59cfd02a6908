"""The Q&A views: "post anyway / cancel" before a question goes out, and "Promote to library"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.errors import LiaisonError, NotAllowed
from bot.services import qa
from bot.ui import limits
from bot.ui.checks import is_moderator
from bot.ui.errors import send_error
from bot.ui.respond import defer, send
from bot.ui.views import Answering, AnsweringView, InvokerView

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


class PromoteButton(
    Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:promote:(?P<id>\d+)"
):
    """On the "solved" message: moderators turn the accepted answer into a library suggestion.

    A dynamic item, so the button keeps working after a restart.
    """

    def __init__(self, question_id: int, label: str = "Promote to library") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label, limits.BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=f"qa:promote:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PromoteButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await defer(interaction, ephemeral=True)
            await self._promote(interaction)
        except LiaisonError as error:
            await send_error(interaction, error)

    async def _promote(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        bot: Any = interaction.client
        if interaction.guild_id is None or not await is_moderator(interaction):
            raise NotAllowed("error.moderators_only")
        language = await bot.language_for(interaction)
        await qa.promote_accepted(
            bot.db, interaction.guild_id, self.question_id, actor_id=interaction.user.id, now=bot.clock.now()
        )
        await send(interaction, i18n.t(language, "qa.promoted"), ephemeral=True)


def promote_view(question_id: int, language: str) -> discord.ui.View:
    view = AnsweringView(timeout=None)
    view.add_item(PromoteButton(question_id, i18n.t(language, "qa.promote")))
    return view
