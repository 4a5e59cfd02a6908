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
    event_id: int | None,
    user_ids: list[int],
    key: str,
    *,
    language: str | None = None,
    **params: Any,
) -> None:
    """Each member in their language: their ``/me settings`` language, else ``language`` (the one
    they last used with Liaison, when the caller knows it), else the one they last answered this
    event in (their Discord locale, seen on that interaction), else the server's."""
    for user_id in user_ids:
        async with bot.db.transaction() as session:
            member = await guild_settings.member_language(session, guild_id, user_id)
            answered = await events.answer_language(session, event_id, user_id) if event_id else None
            server = (await guild_settings.get(session, guild_id)).language
        chosen = next(
            (choice for choice in (member, language, answered, server) if choice in i18n.LANGUAGES),
            bot.settings.liaison_locale,
        )
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
    await tell(bot, guild_id, row.id, promoted, "events.promoted", title=title, when=_render.when(moment))
