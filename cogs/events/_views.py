"""The announcement's buttons: going / maybe / not going, and the calendar file.

They are ``DynamicItem``s whose ``custom_id`` carries the event id and the answer, registered
once with ``bot.add_dynamic_items``: any announcement ever posted keeps working after a restart,
with no view to rebuild per message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.services.events import GOING, MAYBE, NOT_GOING, Counts
from bot.ui import limits
from bot.ui.buttons import IdButton
from bot.ui.views import Answering, AnsweringView

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.events._cog import Events

STYLES = {
    GOING: discord.ButtonStyle.success,
    MAYBE: discord.ButtonStyle.secondary,
    NOT_GOING: discord.ButtonStyle.danger,
}


def _cog(interaction: discord.Interaction[LiaisonBot]) -> Events:
    cog = interaction.client.get_cog("Events")  # type: ignore[attr-defined]
    assert cog is not None
    return cog  # type: ignore[return-value]


class RsvpButton(
    Answering,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"liaison:rsvp:(?P<event>\d+):(?P<status>going|maybe|not_going)",
):
    def __init__(self, event_id: int, status: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.clip(label or status, limits.BUTTON_LABEL),
                style=STYLES[status],
                custom_id=f"liaison:rsvp:{event_id}:{status}",
            )
        )
        self.event_id, self.status = event_id, status

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["event"]), match["status"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).rsvp_from_button(interaction, self.event_id, self.status)


class IcsButton(IdButton, prefix="liaison:ics"):
    """The event's calendar file, for whoever clicks."""

    label_key = "events.button.ics"
    button_style = discord.ButtonStyle.primary
    button_emoji = "📅"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).send_ics(interaction, self.record_id)


def announcement_view(
    event_id: int, language: str, counts: Counts, *, cancelled: bool = False
) -> discord.ui.View:
    """A persistent view (no timeout) with the current counts in the labels."""
    view = AnsweringView(timeout=None)
    numbers = {GOING: counts.going, MAYBE: counts.maybe, NOT_GOING: counts.not_going}
    for status in (GOING, MAYBE, NOT_GOING):
        label = f"{i18n.t(language, f'events.button.{status}')} ({numbers[status]})"
        button = RsvpButton(event_id, status, label)
        button.item.disabled = cancelled
        view.add_item(button)
    view.add_item(IcsButton.labelled(event_id, language))
    return view
