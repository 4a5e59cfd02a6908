"""Telling members things outside a command: attendees of a change, promoted members.

A DM in the member's language; when their DMs are closed, a notice handed over the next time
they use the bot (``bot.services.notices``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services import events
from bot.services.events import EventInfo
from bot.ui import messenger
from cogs.events import _render

if TYPE_CHECKING:
    from bot.client import LiaisonBot


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
    """Each member in their language (``bot.ui.messenger``): their ``/me settings`` language, else
    ``language`` (the one they last used with Liaison, when the caller knows it), else the one they
    last answered this event in, else the server's; by DM, else a notice."""
    answered: dict[int, str] = {}
    if event_id and user_ids:
        # a transaction of its own: telling runs in the background, after the command's
        answered = await events.answer_languages(bot.db, event_id)
    for user_id in user_ids:
        known = (language, answered.get(user_id))
        await messenger.dm_or_notice(bot, guild_id, user_id, key, known=known, **params)


def promoted(bot: LiaisonBot, guild_id: int, row: EventInfo, members: list[int]) -> None:
    """Tell members moved from the waiting list to going, in the background."""
    if members:
        bot.spawn(tell_promoted(bot, guild_id, row, members))


async def tell_promoted(bot: LiaisonBot, guild_id: int, row: EventInfo, promoted: list[int]) -> None:
    """Members moved from the waiting list to going."""
    moment = events.next_start(row, bot.clock.now()) or row.starts_at
    title = _render.safe(row.title, 200)
    await tell(bot, guild_id, row.id, promoted, "events.promoted", title=title, when=_render.when(moment))
