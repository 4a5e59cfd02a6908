"""The one way Liaison speaks on its own, outside an interaction's reply: DMs, notices, channel posts.

- ``language``: a member's language outside an interaction: their ``/me settings`` language, else
  the first language the caller knows for them (a language code or a Discord locale stored with
  their RSVP, reminder or question), else the server's language, else ``LIAISON_LOCALE``.
- ``dm_or_notice``: a DM in that language; when Discord refuses it (DMs closed, 403) a notice is
  left instead (``bot.services.notices``), handed over the next time the member uses Liaison; any
  other failure is logged. Never raises a Discord error.
- ``may`` / ``post``: a channel post checked first against what Liaison may do there
  (``bot/ui/bot_permissions.py``: the moderators are told, once, of what is missing); no mention
  pings unless the caller says otherwise; a refusal Discord gives anyway is told the same way.
- ``delivery_outcomes``: for the delivery engine's senders (reminders, injects), Discord's
  answer as what the engine does next (``bot.delivery``): retry, give up, or note closed DMs.

Text is clipped to Discord's limits here; what a member wrote is escaped by the caller with the
trust work's helpers (``bot.ui.text``), before it becomes a parameter of a catalog string.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiohttp
import discord

from bot import i18n
from bot.delivery import Permanent, Transient, Unreachable
from bot.services import guild_settings, notices
from bot.ui import bot_permissions, limits
from bot.ui.respond import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.messenger")
CANNOT_DM = 50007  # Discord's code: the member does not accept DMs from the bot


async def language(bot: LiaisonBot, guild_id: int, user_id: int | None, *known: str | None) -> str:
    """The language to write to ``user_id`` in (``None``: nobody in particular, the server's)."""
    member, server = await guild_settings.languages(bot.db, guild_id, user_id)
    return i18n.choose_language(member, known, server, bot.settings.liaison_locale)


async def server_language(bot: LiaisonBot, guild_id: int) -> str:
    """What the server reads: posts for everyone there, the moderators' notes."""
    return await language(bot, guild_id, None)


async def dm_or_notice(
    bot: LiaisonBot,
    guild_id: int,
    user_id: int,
    key: str,
    *,
    known: tuple[str | None, ...] = (),
    **params: Any,
) -> bool:
    """Tell the member ``key`` (with ``params``) by DM; a notice when their DMs are closed.
    Returns whether the DM went out."""
    chosen = await language(bot, guild_id, user_id, *known)
    text = limits.clip(i18n.t(chosen, key, **params), limits.MESSAGE)
    try:
        dm = await bot.create_dm(discord.Object(id=user_id))
        await dm.send(text, allowed_mentions=NO_MENTIONS)
        return True
    except discord.Forbidden:
        await notices.leave(bot.db, guild_id, user_id, key, **params)
    except discord.HTTPException as exc:
        log.warning("could not tell member %s (%s): %s %s", user_id, key, exc.status, exc.code)
    return False


async def may(
    bot: LiaisonBot, channel: Any, feature: str, what: str | None = None, **what_params: Any
) -> bool:
    """Whether Liaison has what ``feature`` needs in ``channel``; if not, the moderators are told
    (once per channel and permission) and the caller skips the post."""
    missing = bot_permissions.lacking(channel, feature)
    if missing:
        await bot_permissions.refused(
            bot, channel.guild.id, channel.id, missing, feature, what, **what_params
        )
    return not missing


M = TypeVar("M")


@dataclass(frozen=True)
class Outcome(Generic[M]):
    """What became of a post: the message, or what Liaison lacks there (the moderators were
    told), or neither (another failure, logged)."""

    message: M | None = None
    missing: tuple[str, ...] = ()


async def attempt(
    bot: LiaisonBot,
    guild_id: int,
    channel_id: int,
    send: Callable[[], Awaitable[M]],
    *,
    feature: str,
    channel: Any = None,
    what: str | None = None,
    **what_params: Any,
) -> Outcome[M]:
    """Run ``send`` (a post in ``channel_id``) unless Liaison lacks what ``feature`` needs there
    (``channel``: the channel object, else the cached one); a refusal is told the moderators."""
    cached = channel if channel is not None else bot_permissions.guild_channel(bot, guild_id, channel_id)
    missing = bot_permissions.lacking(cached, feature) if cached is not None else ()
    if missing:
        await bot_permissions.refused(bot, guild_id, channel_id, missing, feature, what, **what_params)
        return Outcome(missing=missing)
    try:
        return Outcome(await send())
    except discord.HTTPException as exc:
        log.warning("could not post in channel %s (%s): %s %s", channel_id, feature, exc.status, exc.code)
        if bot_permissions.is_permission_refusal(exc):
            missing = await bot_permissions.after_refusal(
                bot, guild_id, channel_id, feature, what, **what_params
            )
        return Outcome(missing=missing)


async def post(
    bot: LiaisonBot,
    channel: Any,
    content: str | None = None,
    *,
    feature: str,
    embed: discord.Embed | None = None,
    allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
    what: str | None = None,
    **what_params: Any,
) -> discord.Message | None:
    """Post in ``channel`` (checked first); the message, or None when it was not posted."""
    kwargs: dict[str, Any] = {"allowed_mentions": allowed_mentions}
    if embed is not None:
        kwargs["embed"] = embed
    text = limits.clip(content, limits.MESSAGE) if content else None
    outcome = await attempt(
        bot,
        channel.guild.id,
        channel.id,
        lambda: channel.send(text, **kwargs),
        feature=feature,
        channel=channel,
        what=what,
        **what_params,
    )
    return outcome.message


@contextlib.contextmanager
def delivery_outcomes(*, dm: bool) -> Iterator[None]:
    """Discord's failures inside as the delivery engine's outcomes: a server error, a rate limit
    or no answer is ``Transient`` (sent again, with the same nonce); a refused ``dm`` is
    ``Unreachable`` (closed DMs: a notice instead); anything else is ``Permanent``."""
    try:
        yield
    except discord.Forbidden as exc:
        if dm:
            raise Unreachable(f"{exc.code} {exc.text}") from exc
        raise Permanent(f"forbidden {exc.code} {exc.text}") from exc
    except discord.NotFound as exc:
        raise Permanent(f"not found {exc.code} {exc.text}") from exc
    except discord.HTTPException as exc:
        if exc.status >= 500 or exc.status == 429:
            raise Transient(f"{exc.status} {exc.text}") from exc
        if exc.code == CANNOT_DM:
            raise Unreachable(f"{exc.code} {exc.text}") from exc
        raise Permanent(f"{exc.status} {exc.code} {exc.text}") from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise Transient(type(exc).__name__) from exc
