"""The shared views: a paginator and a confirmation, both answering only their invoker and
disabling themselves when they time out; and the bases every component derives from, so that a
click or a submission that fails is answered through the one error mapping (``bot/ui/errors.py``:
a clear ephemeral message; an ERROR in the log only for the unexpected).

- a view: ``AnsweringView`` (``InvokerView`` is one);
- a modal: ``AnsweringModal``;
- a persistent ``DynamicItem``: put ``Answering`` first among its bases. discord.py runs a dynamic
  item's callback outside any view's ``on_error`` and only logs what it raises, leaving the click
  unanswered; ``Answering`` wraps the callback so that it answers instead.

``tests/unit/test_components_answer.py`` checks that every component of the cogs does.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.ui import limits
from bot.ui.respond import NO_MENTIONS, defer_update, send, update

if TYPE_CHECKING:
    from bot.client import LiaisonBot

VIEW_TIMEOUT = 180.0


async def _answer_error(interaction: discord.Interaction[LiaisonBot], error: Exception) -> None:
    from bot.ui.errors import send_error  # errors imports respond, as this module does

    await send_error(interaction, error)


class AnsweringView(discord.ui.View):
    """A view whose failing callbacks answer through the one error mapping."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, item: Any) -> None:
        await _answer_error(interaction, error)


class AnsweringModal(discord.ui.Modal):
    """A modal whose failing submission answers through the one error mapping."""

    async def on_error(self, interaction: discord.Interaction[LiaisonBot], error: Exception) -> None:  # type: ignore[override]
        await _answer_error(interaction, error)


Callback = Callable[..., Awaitable[None]]


def _answering(callback: Callback) -> Callback:
    @functools.wraps(callback)
    async def answering(self: Any, interaction: discord.Interaction[LiaisonBot], *args: Any) -> None:
        try:
            await callback(self, interaction, *args)
        except Exception as error:  # every error is answered; the unexpected are logged there
            await _answer_error(interaction, error)

    answering.__liaison_answering__ = True  # type: ignore[attr-defined]
    return answering


class Answering:
    """Mixin for a ``DynamicItem`` (first among its bases): its ``callback`` answers errors
    through the one error mapping."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "callback" in cls.__dict__:
            cls.callback = _answering(cls.__dict__["callback"])  # type: ignore[attr-defined]


class InvokerView(AnsweringView):
    """A view that only the member who ran the command may use."""

    def __init__(self, invoker_id: int, language: str, *, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        self.language = language
        self.message: discord.Message | discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.invoker_id:
            return True
        await interaction.response.send_message(
            i18n.t(self.language, "error.not_your_view"), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is not None:
            # RuntimeError: the bot closed its HTTP session meanwhile (a view timing out at shutdown)
            with contextlib.suppress(discord.HTTPException, RuntimeError):
                await self.message.edit(view=self)


class Paginator(InvokerView):
    """Pages of embeds with Previous / Next buttons."""

    def __init__(self, pages: Sequence[discord.Embed], invoker_id: int, language: str) -> None:
        super().__init__(invoker_id, language)
        self.pages = list(pages)
        self.index = 0
        self.previous.label = i18n.t(language, "common.previous")
        self.next.label = i18n.t(language, "common.next")
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.index]

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        self.index = max(0, self.index - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        self.index = min(len(self.pages) - 1, self.index + 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)


async def send_pages(
    interaction: discord.Interaction[LiaisonBot],
    pages: Sequence[discord.Embed],
    language: str,
    *,
    ephemeral: bool,
    content: str | None = None,
) -> None:
    """Send embeds one page at a time; a single page goes without buttons."""
    kwargs: dict[str, Any] = {}
    if len(pages) <= 1:
        if pages:
            kwargs["embed"] = pages[0]
        view = None
    else:
        view = Paginator(pages, interaction.user.id, language)
        kwargs["embed"] = view.current
        kwargs["view"] = view
    message = await send(interaction, content or None, ephemeral=ephemeral, **kwargs)
    if view is not None:
        view.message = message or await interaction.original_response()


class Confirm(InvokerView):
    """Confirm / Cancel. ``await view.wait()`` then read ``view.confirmed`` (None on timeout)."""

    def __init__(
        self,
        invoker_id: int,
        language: str,
        *,
        timeout: float = 60.0,
        yes: str = "common.confirm",
        style: discord.ButtonStyle = discord.ButtonStyle.danger,
    ) -> None:
        super().__init__(invoker_id, language, timeout=timeout)
        self.confirmed: bool | None = None
        self.answer: discord.Interaction[LiaisonBot] | None = None
        self.yes.label = limits.clip(i18n.t(language, yes), limits.BUTTON_LABEL)
        self.yes.style = style
        self.no.label = i18n.t(language, "common.cancel")

    async def _decide(self, interaction: discord.Interaction[LiaisonBot], value: bool) -> None:
        """Acknowledge the click at once: what follows it may be slow (``update`` answers it)."""
        if self.answer is not None:  # clicked again while the first click is being answered
            await defer_update(interaction)
            return
        self.confirmed = value
        self.answer = interaction
        self.disable_all()
        try:
            await defer_update(interaction)  # before the waiting command resumes and answers it
        finally:
            self.stop()

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def yes(
        self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]
    ) -> None:
        await self._decide(interaction, True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def no(self, interaction: discord.Interaction[LiaisonBot], _button: discord.ui.Button[Any]) -> None:
        await self._decide(interaction, False)


async def confirm(
    interaction: discord.Interaction[LiaisonBot],
    prompt: str | None,
    language: str,
    *,
    timeout: float = 60.0,  # noqa: ASYNC109
    embed: discord.Embed | None = None,
    yes: str = "common.confirm",
    style: discord.ButtonStyle = discord.ButtonStyle.danger,
    cancelled: str = "common.cancelled",
) -> tuple[bool, discord.Interaction[LiaisonBot] | None]:
    """Ask the invoker to confirm, ephemerally: ``prompt`` (and ``embed``), a button labelled by
    the i18n key ``yes`` in ``style``, and Cancel. Returns (confirmed, the button's interaction).

    The button's interaction is already acknowledged (``defer_update``): the caller answers it
    with ``respond.update`` and the outcome; on timeout or cancel (then the prompt says the i18n
    key ``cancelled``) the prompt is edited here and nothing else happens.
    """
    view = Confirm(interaction.user.id, language, timeout=timeout, yes=yes, style=style)
    shown: dict[str, Any] = {"embed": embed} if embed is not None else {}
    message = await send(interaction, prompt, view=view, ephemeral=True, **shown)
    view.message = message or await interaction.original_response()
    await view.wait()
    if view.confirmed is None:
        await view.on_timeout()
        return False, None
    if not view.confirmed and view.answer is not None:
        await update(view.answer, content=i18n.t(language, cancelled), embed=None, view=None)
        return False, None
    return True, view.answer
