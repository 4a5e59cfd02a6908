"""The one kind of persistent button about a single record (an inject, an exercise, an event, a
question): its ``custom_id`` is ``<prefix>:<id>``, so a button on any message ever posted keeps
working after a restart, with no view to rebuild per message (each cog registers its buttons once
with ``bot.add_dynamic_items``). A click that fails is answered through the one error mapping
(``bot.ui.views.Answering``).

A subclass names its prefix, its label's i18n key and its look, and says what a click does::

    class IcsButton(IdButton, prefix="liaison:ics"):
        label_key = "events.button.ics"
        button_emoji = "📅"

        async def callback(self, interaction):
            ...  # self.record_id is the event's id
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

import discord

from bot import i18n
from bot.ui import limits
from bot.ui.views import Answering, AnsweringView

NEVER = r"(?!)"  # the base's own template: it is never registered, its subclasses are


class IdButton(Answering, discord.ui.DynamicItem[discord.ui.Button[Any]], template=NEVER):
    prefix: ClassVar[str]
    label_key: ClassVar[str]
    button_style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    button_emoji: ClassVar[str | None] = None

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(template=rf"{re.escape(prefix)}:(?P<id>\d+)", **kwargs)
        cls.prefix = prefix

    def __init__(self, record_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or i18n.t("en", self.label_key), limits.BUTTON_LABEL),
                style=self.button_style,
                emoji=self.button_emoji,
                custom_id=f"{self.prefix}:{record_id}",
            )
        )
        self.record_id = record_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]), getattr(item, "label", None) or "")

    @classmethod
    def labelled(cls, record_id: int, language: str) -> Self:
        """The button for ``record_id``, labelled in ``language``."""
        return cls(record_id, i18n.t(language, cls.label_key))

    @classmethod
    def persistent_view(cls, record_id: int, language: str) -> discord.ui.View:
        """A persistent view (no timeout) holding only this button, labelled in ``language``."""
        view = AnsweringView(timeout=None)
        view.add_item(cls.labelled(record_id, language))
        return view

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__}: each button says what a click does")
