"""The review queue: one suggestion at a time with Approve / Reject (with a reason) / Skip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.services.resources import commands
from bot.services.resources.commands import Decided
from bot.services.resources.suggestions import Suggestion
from bot.services.resources.validation import REASON_MAX
from bot.ui.respond import defer_update, update
from bot.ui.views import AnsweringModal, InvokerView
from cogs.resources import _render

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.resources._cog import Resources


class ReviewView(InvokerView):
    """Shows ``current`` (a pending suggestion id); every button moves on to the next one."""

    def __init__(self, cog: Resources, invoker_id: int, language: str, guild_id: int) -> None:
        super().__init__(invoker_id, language, timeout=600)
        self.cog, self.guild_id = cog, guild_id
        self.current: int | None = None
        self.approve.label = self.t("resource.review.approve")
        self.reject.label = self.t("resource.review.reject")
        self.skip.label = self.t("resource.review.skip")

    def t(self, key: str, /, **params: Any) -> str:
        return i18n.t(self.language, key, **params)

    async def page(self, *, after: int = 0) -> tuple[str | None, discord.Embed | None]:
        """Move to the first pending suggestion after ``after``; (content, embed) to show."""
        return self.show(await commands.pending(self.cog.bot.db, self.guild_id), after=after)

    def show(self, queue: list[Suggestion], *, after: int = 0) -> tuple[str | None, discord.Embed | None]:
        """Move to the first suggestion of ``queue`` after ``after``; (content, embed) to show."""
        following = [row for row in queue if row.id > after] or queue
        if not following:
            self.current = None
            self.disable_all()
            self.stop()
            return self.t("resource.review.empty"), None
        row = following[0]
        self.current = row.id
        return None, _render.suggestion_embed(self.t, row, len(queue))

    async def _advance(
        self, interaction: discord.Interaction[LiaisonBot], note: str, queue: list[Suggestion] | None = None
    ) -> None:
        """Show the next suggestion: of ``queue`` when the decision just read it, else read now."""
        after = self.current or 0
        content, embed = self.show(queue, after=after) if queue is not None else await self.page(after=after)
        text = f"{note}\n{content}" if content else note
        await update(interaction, content=text, embed=embed, view=self)

    @discord.ui.button(label="Approve", style=discord.ButtonStyle.success)
    async def approve(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        assert self.current is not None
        await defer_update(interaction)
        decided = await self.cog.approve(interaction, self.current)
        note = self.t("resource.review.approved", id=decided.outcome.resource_id)
        await self._advance(interaction, note, decided.queue)
        await self.cog.tell_suggester(self.guild_id, decided.outcome)

    @discord.ui.button(label="Reject", style=discord.ButtonStyle.danger)
    async def reject(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        assert self.current is not None
        await interaction.response.send_modal(RejectModal(self, self.current))

    @discord.ui.button(label="Skip", style=discord.ButtonStyle.secondary)
    async def skip(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        await defer_update(interaction)
        await self._advance(interaction, self.t("resource.review.skipped"))

    async def rejected(self, interaction: discord.Interaction[LiaisonBot], decided: Decided) -> None:
        note = self.t("resource.review.rejected", id=decided.outcome.suggestion_id)
        await self._advance(interaction, note, decided.queue)
        await self.cog.tell_suggester(self.guild_id, decided.outcome)


class RejectModal(AnsweringModal):
    def __init__(self, view: ReviewView, suggestion_id: int) -> None:
        super().__init__(title=view.t("resource.review.reject_title")[:45], timeout=300)
        self.view, self.suggestion_id = view, suggestion_id
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=view.t("resource.review.reason")[:45],
            style=discord.TextStyle.paragraph,
            max_length=REASON_MAX,
            required=True,
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await defer_update(interaction)
        decided = await self.view.cog.reject(interaction, self.suggestion_id, self.reason.value)
        await self.view.rejected(interaction, decided)
