"""The buttons under injects ("log decision") and under the hot-wash call ("answer"), and their
forms. They are ``DynamicItem``s registered once: they keep working after a restart."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.ui import limits
from bot.ui.views import Answering, AnsweringModal, AnsweringView

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.exercises._cog import Exercises


def _cog(interaction: discord.Interaction[LiaisonBot]) -> Exercises:
    cog = interaction.client.get_cog("Exercises")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[return-value]


class DecisionButton(
    Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"liaison:xd:(?P<inject>\d+)"
):
    def __init__(self, inject_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or "Log decision", limits.BUTTON_LABEL),
                style=discord.ButtonStyle.primary,
                emoji="📝",
                custom_id=f"liaison:xd:{inject_id}",
            )
        )
        self.inject_id = inject_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DecisionButton:
        return cls(int(match["inject"]), getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        language = await interaction.client.language_for(interaction)  # type: ignore[attr-defined]
        await interaction.response.send_modal(DecisionModal(self.inject_id, language))


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

    async def on_error(self, interaction: discord.Interaction[LiaisonBot], error: Exception) -> None:  # type: ignore[override]
        from bot.ui.errors import send_error

        await send_error(interaction, error)


class HotwashButton(
    Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"liaison:xh:(?P<exercise>\d+)"
):
    def __init__(self, exercise_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or "Answer", limits.BUTTON_LABEL),
                style=discord.ButtonStyle.success,
                emoji="💬",
                custom_id=f"liaison:xh:{exercise_id}",
            )
        )
        self.exercise_id = exercise_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HotwashButton:
        return cls(int(match["exercise"]), getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).open_hotwash(interaction, self.exercise_id)


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

    async def on_error(self, interaction: discord.Interaction[LiaisonBot], error: Exception) -> None:  # type: ignore[override]
        from bot.ui.errors import send_error

        await send_error(interaction, error)


class RemindButton(
    Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"liaison:xr:(?P<exercise>\d+)"
):
    """Under the report: the improvement items become the facilitator's reminders."""

    def __init__(self, exercise_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or "Remind me", limits.BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                emoji="⏰",
                custom_id=f"liaison:xr:{exercise_id}",
            )
        )
        self.exercise_id = exercise_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RemindButton:
        return cls(int(match["exercise"]), getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).remind_improvements(interaction, self.exercise_id)


def report_view(exercise_id: int, language: str) -> discord.ui.View:
    view = AnsweringView(timeout=None)
    view.add_item(RemindButton(exercise_id, i18n.t(language, "exercises.button.remind")))
    return view


def inject_view(inject_id: int, language: str) -> discord.ui.View:
    view = AnsweringView(timeout=None)
    view.add_item(DecisionButton(inject_id, i18n.t(language, "exercises.button.decision")))
    return view


def hotwash_view(exercise_id: int, language: str) -> discord.ui.View:
    view = AnsweringView(timeout=None)
    view.add_item(HotwashButton(exercise_id, i18n.t(language, "exercises.button.hotwash")))
    return view
