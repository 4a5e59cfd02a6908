"""Telling people: the suggester learns the outcome, the review channel learns of new suggestions."""

from __future__ import annotations

from typing import Any

import discord

from bot import i18n
from bot.client import LiaisonBot
from bot.services.resources import suggestions
from bot.services.resources.commands import Suggested
from bot.services.resources.suggestions import Outcome, Suggestion
from bot.ui import messenger, text
from cogs.resources import _render


async def tell_suggester(bot: LiaisonBot, guild_id: int, outcome: Outcome) -> None:
    """By DM in the member's language; when DMs are closed, a notice for their next command."""
    if outcome.suggested_by is None:
        return
    key = "resource.outcome.approved" if outcome.approved else "resource.outcome.rejected"
    params: dict[str, Any] = {
        "title": _render.safe(outcome.title, 200),
        "reason": _render.safe(outcome.reason, 500),
        "id": outcome.resource_id or "",
    }
    await messenger.dm_or_notice(bot, guild_id, outcome.suggested_by, key, **params)


def announcement(language: str, row: Suggestion) -> str:
    """The review channel's line about a suggestion (its author a former member once erased)."""
    user = f"<@{row.suggested_by}>" if row.suggested_by else i18n.t(language, "common.former_member")
    return i18n.t(
        language,
        "resource.review.announce",
        id=row.id,
        user=user,
        title=_render.safe(row.title, 200),
        url=text.ascii_url(row.url, 500),
    )


async def announce_suggestion(bot: LiaisonBot, guild_id: int, suggested: Suggested) -> None:
    """Post it in the review channel (read with the suggestion), then remember the post: a
    transaction of its own, after Discord answered (none is held across a Discord request)."""
    row, channel_id = suggested.suggestion, suggested.review_channel_id
    channel = bot.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.abc.Messageable):
        return
    # the suggestion stays in the queue (/resource review) whatever happens here
    posted = await messenger.post(
        bot,
        channel,
        announcement(suggested.server_language, row),
        feature="review_notice",
        what="suggestion",
    )
    if posted is None:
        return
    await suggestions.set_announcement(bot.db, guild_id, row.id, posted.channel.id, posted.id)
