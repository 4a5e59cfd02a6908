"""The one mapping from errors to what the user reads: localized, ephemeral, never a traceback.

Domain errors become their catalog message; refused checks become the refusal; anything
unexpected becomes a short message with a reference code, logged with command, guild and user ids.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import i18n
from bot.errors import LiaisonError
from bot.ui import bot_permissions, text
from bot.ui.bot_permissions import BotLacksPermissions
from bot.ui.checks import GuildOnly, NotModerator
from bot.ui.limits import MESSAGE, clip
from bot.ui.respond import NotAcknowledged, send

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.errors")


def message_for(error: BaseException, language: str) -> tuple[str, str | None]:
    """(text, reference) for an error; reference is set only for unexpected errors."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.__cause__ or getattr(error, "original", None)
        if isinstance(inner, LiaisonError):
            error = inner
        elif isinstance(error, app_commands.TransformerError):
            return i18n.t(language, "error.bad_option", option=str(error.value)[:50]), None
        elif isinstance(error, app_commands.CommandInvokeError):
            error = error.original
    if isinstance(error, BotLacksPermissions):
        params = error.params | {"permissions": bot_permissions.names(language, error.permissions)}
        return i18n.t(language, error.key, **params), None
    if isinstance(error, LiaisonError):
        return i18n.t(language, error.key, **_shown_params(language, error.key, error.params)), None
    if bot_permissions.is_permission_refusal(error):  # a 403 no check foresaw
        log.warning("Discord refused for a missing permission: %s", error)
        return i18n.t(language, "perms.runtime.member_generic"), None
    if isinstance(error, NotModerator):
        return i18n.t(language, "error.moderators_only"), None
    if isinstance(error, GuildOnly | app_commands.NoPrivateMessage):
        return i18n.t(language, "error.guild_only"), None
    if isinstance(error, app_commands.CommandOnCooldown):
        return i18n.t(language, "error.cooldown", seconds=round(error.retry_after, 1)), None
    if isinstance(error, app_commands.CheckFailure):
        return i18n.t(language, "error.not_allowed"), None
    reference = secrets.token_hex(4)
    return i18n.t(language, "error.unexpected", ref=reference), reference


_CHANNEL_LINK = re.compile(r"<#\d+>")


def _shown_params(language: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    """A refusal repeats what was typed (a title, a value) through the one escaping policy: in
    inline code where the message puts it there, as escaped text elsewhere. A channel link the
    bot made (``channel.mention``) stays a link."""
    template = i18n.messages(language).get(key) or i18n.messages("en").get(key) or ""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(value, str) or _CHANNEL_LINK.fullmatch(value):
            shown[name] = value
        elif f"`{{{name}}}`" in template:
            shown[name] = text.code(value, 200)[1:-1]
        else:
            shown[name] = text.shown(value, 200, one_line=True)
    return shown


async def send_error(interaction: discord.Interaction[LiaisonBot], error: BaseException) -> None:
    """Answer the interaction with the error's message, ephemerally, however far it had got
    (after a public deferral, ``send`` retracts the "thinking" message first)."""
    if isinstance(error, NotAcknowledged):
        log.warning("%s: not answered (%s)", _command(interaction), error)
        return
    bot = interaction.client
    try:
        language = await bot.language_for(interaction)  # type: ignore[attr-defined]
    except Exception:
        language = getattr(getattr(bot, "settings", None), "liaison_locale", "en")
    text, reference = message_for(error, language)
    if reference is not None:
        log.error(
            "unexpected error ref=%s command=%s guild=%s user=%s",
            reference,
            _command(interaction),
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
        )
    try:
        await send(interaction, clip(text, MESSAGE), ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver the error message ref=%s", reference)


def _command(interaction: discord.Interaction[LiaisonBot]) -> str | None:
    return interaction.command.qualified_name if interaction.command else None
