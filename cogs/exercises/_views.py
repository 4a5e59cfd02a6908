"""The buttons under injects ("log decision") and under the hot-wash call ("answer"), and their
forms. They are ``DynamicItem``s registered once: they keep working after a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.ui import limits
from bot.ui.buttons import IdButton
from bot.ui.views import AnsweringModal

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.exercises._cog import Exercises


def _cog(interaction: discord.Interaction[LiaisonBot]) -> Exercises:
    cog = interaction.client.get_cog("Exercises")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[return-value]


class DecisionButton(IdButton, prefix="liaison:xd"):
    """Under an inject in a team's thread: the team logs a decision about it."""

    label_key = "exercises.button.decision"
    button_style = discord.ButtonStyle.primary
    button_emoji = "📝"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        language = await interaction.client.language_for(interaction)  # type: ignore[attr-defined]
        await interaction.response.send_modal(DecisionModal(self.record_id, language))


class DecisionModal(AnsweringModal):
    def __init__(self, inject_id: int, language: str) -> None:
        super().__init__(title=limits.clip(i18n.t(language, "exercises.decision.form"), limits.MODAL_TITLE))
        self.inject_id = inject_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=limits.clip(i18n.t(language, "exercises.decision.field"), 45),
            style=discord.TextStyle.paragraph,
            max_length=1500,
            custom_id="decision",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).log_decision(interaction, self.text.value, inject_id=self.inject_id)


class HotwashButton(IdButton, prefix="liaison:xh"):
    """Under the hot-wash call: a player answers its questions."""

    label_key = "exercises.button.hotwash"
    button_style = discord.ButtonStyle.success
    button_emoji = "💬"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).open_hotwash(interaction, self.record_id)


class HotwashModal(AnsweringModal):
    def __init__(self, exercise_id: int, team: str | None, questions: tuple[str, ...], language: str) -> None:
        super().__init__(title=limits.clip(i18n.t(language, "exercises.hotwash.form"), limits.MODAL_TITLE))
        self.exercise_id, self.team, self.language = exercise_id, team, language
        self.fields: list[discord.ui.TextInput[Any]] = []
        for index, question in enumerate(questions[:5]):
            field: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=limits.clip(question, 45),
                placeholder=limits.clip(question, 100),
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=1000,
                custom_id=f"q{index + 1}",
            )
            self.fields.append(field)
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        answers = [field.value for field in self.fields]
        await _cog(interaction).save_hotwash(interaction, self.exercise_id, self.team, answers)


class RemindButton(IdButton, prefix="liaison:xr"):
    """Under the report: the improvement items become the facilitator's reminders."""

    label_key = "exercises.button.remind"
    button_emoji = "⏰"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).remind_improvements(interaction, self.record_id)
