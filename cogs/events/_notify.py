"""Telling members things outside a command: attendees of a change, promoted members.

A DM in the member's language; when their DMs are closed, a notice handed over the next time
they use the bot (``bot.services.notices``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.db.models.events import Event
from bot.services import events, guild_settings, notices
from bot.ui import limits
from cogs.events import _render

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.events")


async def tell(
    bot: LiaisonBot,
    guild_id: int,
    user_ids: list[int],
    key: str,
    *,
    language: str | None = None,
    **params: Any,
) -> None:
    """``language``: the one the member last used with Liaison, if known (their ``/me settings``
    come first, the server's language after)."""
    for user_id in user_ids:
        async with bot.db.transaction() as session:
            member = await guild_settings.member_language(session, guild_id, user_id)
            server = (await guild_settings.get(session, guild_id)).language
        chosen = member or language or server or bot.settings.liaison_locale
        text = limits.clip(i18n.t(chosen, key, **params), limits.MESSAGE)
        try:
            dm = await bot.create_dm(discord.Object(id=user_id))
            await dm.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden:
            async with bot.db.transaction() as session:
                await notices.leave(session, guild_id, user_id, key, **params)
        except discord.HTTPException as exc:
            log.warning("could not tell member %s (%s): %s", user_id, key, exc.status)


def promoted(bot: LiaisonBot, guild_id: int, row: Event, members: list[int]) -> None:
    """Tell members moved from the waiting list to going, in the background."""
    if members:
        bot.spawn(tell_promoted(bot, guild_id, row, members))


async def tell_promoted(bot: LiaisonBot, guild_id: int, row: Event, promoted: list[int]) -> None:
    """Members moved from the waiting list to going."""
    moment = events.next_start(row, bot.clock.now()) or row.starts_at
    title = _render.safe(row.title, 200)
    await tell(bot, guild_id, promoted, "events.promoted", title=title, when=_render.when(moment))
