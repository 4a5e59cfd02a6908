"""The one way a cog answers an interaction: acknowledged first, localized, mentions off,
ephemeral when asked.

**Acknowledge first.** Discord forgets an interaction that is not acknowledged within 3 seconds,
and under load a command's database work alone can take longer. So every application command is
deferred before anything else runs: the cogs derive from ``AcknowledgeFirst``, whose
``interaction_check`` (discord.py runs it before the command's own checks, the transformation of
its options and its body) defers with a "thinking" message, private unless the command declares
otherwise with ``@acknowledge(...)``:

``Ack.PRIVATE`` (the default)
    An ephemeral "thinking" message. Right whenever in doubt: nobody else sees anything.
``Ack.PUBLIC``
    A public one, for member commands whose answer is usually public (search results). Everyone
    in the channel sees "Liaison is thinking..." until the answer comes.
``Ack.NONE``
    Not deferred: a command whose first response is a modal (``send_modal`` must be the first
    response) or that answers at once, awaiting nothing before.

**Visibility is the answer's, never the deferral's.** Discord's first follow-up after a deferral
replaces the "thinking" message and keeps its visibility, whatever flags the follow-up carries:
a refusal sent after a public deferral would be public. So ``send`` compares: when the answer's
visibility differs from the standing "thinking" message's, it deletes that message and sends the
answer as a new follow-up with its own flags. A private answer after a public deferral (a
refusal, an error, a result that must stay ephemeral) is therefore private, the channel having
seen only a "thinking" message vanish; a public answer after a private deferral (a moderator's
``/resource add``, an announcement) is public, nobody else having seen anything before. A
deletion that fails sends nothing (the error handler then tries the same way, then gives up).
The guess in ``@acknowledge`` only saves that deletion when right.

Components are not application commands: a button or a modal's submission that does slow work
calls ``defer`` (a new answer) or ``defer_update`` (it edits its own message, then ``update``)
first. Autocomplete cannot be deferred: it has to be fast.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.ui import limits

if TYPE_CHECKING:
    from bot.client import LiaisonBot

NO_MENTIONS = discord.AllowedMentions.none()
T = TypeVar("T")

_ACK_ATTRIBUTE = "__liaison_ack__"
_THINKING = "liaison.thinking"  # in ``interaction.extras`` while a deferral's message stands


class Ack(enum.Enum):
    """How a command is acknowledged before it runs (see the module's documentation)."""

    PRIVATE = "private"
    PUBLIC = "public"
    NONE = "none"


class NotAcknowledged(app_commands.CheckFailure):
    """Discord refused the acknowledgement (too late, or down): the command does not run."""


def acknowledge(mode: Ack) -> Callable[[T], T]:
    """Declare how a command is acknowledged; put it just above ``async def`` (or above
    ``@group.command``). Commands without it are deferred privately."""

    def decorate(target: T) -> T:
        function = target.callback if isinstance(target, app_commands.Command) else target
        setattr(function, _ACK_ATTRIBUTE, mode)
        return target

    return decorate


def ack_mode(command: Any) -> Ack:
    if not isinstance(command, app_commands.Command):
        return Ack.NONE  # context menus and the like: none in Liaison
    mode = getattr(command.callback, _ACK_ATTRIBUTE, Ack.PRIVATE)
    return mode if isinstance(mode, Ack) else Ack.PRIVATE


async def acknowledge_first(interaction: discord.Interaction[LiaisonBot]) -> None:
    """Defer ``interaction`` as its command declares; raise ``NotAcknowledged`` if Discord refuses."""
    mode = ack_mode(interaction.command)
    if mode is Ack.NONE:
        return
    try:
        await defer(interaction, ephemeral=mode is Ack.PRIVATE)
    except discord.HTTPException as error:
        raise NotAcknowledged(f"acknowledgement refused: {error.status} {error.code}") from error


class AcknowledgeFirst(commands.Cog):
    """The base of Liaison's cogs: each app command is acknowledged before anything else runs."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        await acknowledge_first(interaction)
        return True


# -- acknowledging -----------------------------------------------------------------------------
def thinking(interaction: discord.Interaction[LiaisonBot]) -> str | None:
    """``"public"`` or ``"private"`` while a deferral's "thinking" message stands, else None."""
    value = interaction.extras.get(_THINKING)
    return value if isinstance(value, str) else None


async def defer(interaction: discord.Interaction[LiaisonBot], *, ephemeral: bool) -> None:
    """Acknowledge with a "thinking" message (private when ``ephemeral``), once."""
    if interaction.response.is_done():
        return
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[_THINKING] = _visibility(ephemeral)


def _visibility(ephemeral: bool) -> str:
    return Ack.PRIVATE.value if ephemeral else Ack.PUBLIC.value


async def defer_update(interaction: discord.Interaction[LiaisonBot]) -> None:
    """Acknowledge a component (or a modal opened from one) whose message ``update`` edits."""
    if not interaction.response.is_done():
        await interaction.response.defer()


async def update(interaction: discord.Interaction[LiaisonBot], **fields: Any) -> None:
    """Edit the message of a component: as the response, or after ``defer_update``."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**fields)
    else:
        await interaction.response.edit_message(**fields)


async def _retract(interaction: discord.Interaction[LiaisonBot]) -> None:
    """Delete the "thinking" message, so that an answer of the other visibility can follow."""
    with contextlib.suppress(discord.NotFound):  # already gone
        await interaction.delete_original_response()
    interaction.extras.pop(_THINKING, None)


# -- answering ---------------------------------------------------------------------------------
async def send(
    interaction: discord.Interaction[LiaisonBot],
    content: str | None = None,
    *,
    ephemeral: bool = False,
    allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
    **kwargs: Any,
) -> discord.Message | None:
    """Answer ``interaction``, visible to everyone or (``ephemeral``) to the caller only, however
    far it had got; returns the message when it is known without asking (follow-ups), None for a
    first response (``original_response()`` has it)."""
    if content is not None:
        content = limits.clip(content, limits.MESSAGE)
    response = interaction.response
    if not response.is_done():
        await response.send_message(content, ephemeral=ephemeral, allowed_mentions=allowed_mentions, **kwargs)
        return None
    standing = thinking(interaction)
    if standing is not None and standing != _visibility(ephemeral):
        await _retract(interaction)
    message = await interaction.followup.send(
        content or discord.utils.MISSING,
        ephemeral=ephemeral,
        allowed_mentions=allowed_mentions,
        wait=True,
        **kwargs,
    )
    interaction.extras.pop(_THINKING, None)  # the first follow-up replaced it
    return message


class Reply:
    """Bound to one interaction and the caller's language."""

    def __init__(self, interaction: discord.Interaction[LiaisonBot], language: str) -> None:
        self.interaction = interaction
        self.language = language

    def t(self, key: str, /, **params: Any) -> str:
        return i18n.t(self.language, key, **params)

    async def send(
        self,
        content: str | None = None,
        *,
        ephemeral: bool = False,
        allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
        **kwargs: Any,
    ) -> discord.Message | None:
        """``send`` on this reply's interaction."""
        return await send(
            self.interaction, content, ephemeral=ephemeral, allowed_mentions=allowed_mentions, **kwargs
        )

    async def say(self, key: str, /, *, ephemeral: bool = False, **params: Any) -> None:
        await self.send(self.t(key, **params), ephemeral=ephemeral)


async def reply_for(interaction: discord.Interaction[LiaisonBot]) -> Reply:
    bot: LiaisonBot = interaction.client  # type: ignore[assignment]
    return Reply(interaction, await bot.language_for(interaction))
