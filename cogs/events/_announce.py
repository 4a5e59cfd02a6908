"""The announcement of an event: posted in the events channel with its persistent buttons, and
edited whenever answers or details change, so the counts on it stay current."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.services import events
from bot.services.events import EventInfo
from bot.ui import bot_permissions, messenger
from bot.ui.respond import Reply, reply_for
from cogs.events import _render
from cogs.events._views import announcement_view

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.events")


def _lacks(reply: Reply, channel_id: int, missing: tuple[str, ...]) -> str:
    names = bot_permissions.names(reply.language, missing)
    return reply.t("events.announce_lacks", channel=f"<#{channel_id}>", permissions=names)


async def card(bot: LiaisonBot, guild_id: int, event_id: int, language: str) -> tuple[discord.Embed, Any]:
    """The event's embed and its buttons, with current counts.

    Read in a transaction of its own, once the change that calls for it has committed (its
    answer's turn released): the card then shows the latest counts, answers that came meanwhile
    included."""
    found = await events.card(bot.db, guild_id, event_id)
    return _card(bot, found.event, found.counts, language)


def _card(bot: LiaisonBot, row: EventInfo, counts: events.Counts, language: str) -> tuple[discord.Embed, Any]:
    def t(key: str, **params: Any) -> str:
        return i18n.t(language, key, **params)

    embed = _render.event_embed(t, row, counts, bot.clock.now())
    view = announcement_view(row.id, language, counts, cancelled=row.cancelled_at is not None)
    return embed, view


async def refresh(bot: LiaisonBot, guild_id: int, event_id: int) -> None:
    """Edit the announcement with fresh counts and details (best effort): read in a transaction
    of its own, after the change committed and the member was answered (see ``card``)."""
    found = await events.card(bot.db, guild_id, event_id)
    row = found.event
    if row.channel_id is None or row.message_id is None:
        return
    embed, view = _card(bot, row, found.counts, await messenger.server_language(bot, guild_id))
    channel = bot.get_partial_messageable(row.channel_id, guild_id=guild_id)
    try:
        await channel.get_partial_message(row.message_id).edit(embed=embed, view=view)
    except discord.HTTPException as exc:
        log.warning("could not refresh the announcement of event %s: %s", event_id, exc.status)


async def post(bot: LiaisonBot, interaction: discord.Interaction[LiaisonBot], row: EventInfo) -> str:
    """Post the announcement of an event just created in the events channel, or as the answer
    when none is set; returns a note for the moderator."""
    guild_id = row.guild_id
    server_language = await messenger.server_language(bot, guild_id)
    # the event was created by the command's transaction, which gave it back: nobody has answered
    # it yet, so its card needs no read of its own
    embed, view = _card(bot, row, events.Counts(), server_language)
    reply = await reply_for(interaction)
    if row.channel_id is None:
        message = await reply.send(reply.t("events.announced_here"), embed=embed, view=view)
        if message is None:
            message = await interaction.original_response()
        channel_id, note = interaction.channel_id or 0, ""
    else:
        channel = bot.get_partial_messageable(row.channel_id, guild_id=guild_id)
        title = _render.safe(row.title, 200)
        content = i18n.t(server_language, "events.announcement", title=title)
        # without Embed Links Discord would post the announcement stripped of its card: not at all
        outcome = await messenger.attempt(
            bot,
            guild_id,
            row.channel_id,
            lambda: channel.send(content, embed=embed, view=view),
            feature="event_announce",
            channel=bot.get_channel(row.channel_id),
            what="announce",
            title=title,
        )
        if outcome.missing:
            return _lacks(reply, row.channel_id, outcome.missing)
        if outcome.message is None:
            return reply.t("events.announce_failed", channel=f"<#{row.channel_id}>")
        message = outcome.message
        channel_id, note = row.channel_id, reply.t("events.announced", channel=f"<#{row.channel_id}>")
    # a transaction of its own: the message id exists only once Discord has posted it
    await events.set_announcement(bot.db, guild_id, row.id, channel_id, message.id)
    return note
