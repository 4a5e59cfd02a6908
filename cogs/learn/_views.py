"""The buttons and menu under a course's step: Back / Next / Retry / Certificate, and the answers
(buttons when one option is right, a multi-select menu when several are).

They are ``DynamicItem``s whose ``custom_id`` carries the course, the step's position and the
action, registered once: an old step message keeps working after a restart, and a click on a
message that is no longer the member's current step only shows where they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.services.learn.walk import ANSWER, BACK, NEXT, RESUME, RETRY, StepView
from bot.ui import limits
from bot.ui import text as ui_text
from bot.ui.views import Answering, AnsweringView
from cogs.learn._render import LETTERS

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.learn._cog import Learn

CERTIFICATE = "cert"
Translate = Callable[..., str]


def _cog(interaction: discord.Interaction[LiaisonBot]) -> Learn:
    cog = interaction.client.get_cog("Learn")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[return-value]


class NavButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"learn:nav:(?P<course>\d+):(?P<pos>\d+):(?P<action>next|back|retry|resume|cert)",
):
    def __init__(
        self,
        course_id: int,
        position: int,
        action: str,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or action, limits.BUTTON_LABEL),
                style=style,
                custom_id=f"learn:nav:{course_id}:{position}:{action}",
                row=row,
            )
        )
        self.course_id, self.position, self.action = course_id, position, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NavButton:
        return cls(int(match["course"]), int(match["pos"]), match["action"], getattr(item, "label", "") or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == CERTIFICATE:
            await _cog(interaction).certificate_from_button(interaction, self.course_id)
        else:
            await _cog(interaction).step_action(interaction, self.course_id, self.position, self.action)


class AnswerButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"learn:ans:(?P<course>\d+):(?P<pos>\d+):(?P<choice>\d)",
):
    def __init__(self, course_id: int, position: int, choice: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=LETTERS[choice],
                style=discord.ButtonStyle.primary,
                custom_id=f"learn:ans:{course_id}:{position}:{choice}",
                row=0,
            )
        )
        self.course_id, self.position, self.choice = course_id, position, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["course"]), int(match["pos"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).step_action(interaction, self.course_id, self.position, ANSWER, [self.choice])


class AnswerSelect(
    Answering,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"learn:sel:(?P<course>\d+):(?P<pos>\d+)",
):
    def __init__(
        self, course_id: int, position: int, options: list[str] | None = None, placeholder: str = ""
    ) -> None:
        choices = [
            discord.SelectOption(
                label=ui_text.plain(f"{LETTERS[i]}. {text}", limits.SELECT_LABEL), value=str(i)
            )
            for i, text in enumerate(options or ["A", "B"])
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"learn:sel:{course_id}:{position}",
                options=choices,
                min_values=1,
                max_values=len(choices),
                placeholder=limits.clip(placeholder, 150) or None,
                row=0,
            )
        )
        self.course_id, self.position = course_id, position

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerSelect:
        return cls(int(match["course"]), int(match["pos"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        data: Any = interaction.data or {}
        values = [
            int(v)
            for v in data.get("values", [])
            if str(v).isascii() and str(v).isdigit() and len(str(v)) < 3
        ]
        await _cog(interaction).step_action(interaction, self.course_id, self.position, ANSWER, values)


DYNAMIC_ITEMS = (NavButton, AnswerButton, AnswerSelect)


def step_view(t: Translate, view: StepView) -> discord.ui.View:
    """The components under a step (a fresh View: nothing kept in memory per message)."""
    out = AnsweringView(timeout=None)
    course, pos = view.course_id, view.position
    if view.kind == "question" and view.answered is None and view.locked_until is None:
        if view.multiple:
            out.add_item(AnswerSelect(course, pos, list(view.options), t("learn.question.placeholder")))
        else:
            for index in range(len(view.options)):
                out.add_item(AnswerButton(course, pos, index))
    if view.can_back:
        out.add_item(NavButton(course, pos, BACK, t("learn.button.back"), row=1))
    if view.can_retry:
        out.add_item(
            NavButton(course, pos, RETRY, t("learn.button.retry"), discord.ButtonStyle.danger, row=1)
        )
    if view.can_next:
        out.add_item(NavButton(course, pos, NEXT, t("learn.button.next"), discord.ButtonStyle.success, row=1))
    if view.can_resume:
        out.add_item(
            NavButton(course, pos, RESUME, t("learn.button.resume"), discord.ButtonStyle.success, row=1)
        )
    if view.completed and view.kind in ("result", "done"):
        out.add_item(
            NavButton(
                course, pos, CERTIFICATE, t("learn.button.certificate"), discord.ButtonStyle.primary, row=1
            )
        )
    return out
