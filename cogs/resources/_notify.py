"""Telling people: the suggester learns the outcome, the review channel learns of new suggestions."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot import i18n
from bot.client import LiaisonBot
from bot.services import guild_settings, notices
from bot.services.resources.suggestions import Outcome
from bot.ui import bot_permissions, limits
from bot.ui.respond import NO_MENTIONS
from cogs.resources import _render

log = logging.getLogger(__name__)


async def tell_suggester(bot: LiaisonBot, guild_id: int, outcome: Outcome) -> None:
    """By DM in the member's language; when DMs are closed, a notice for their next command."""
    if outcome.suggested_by is None:
        return
    key = "resource.outcome.approved" if outcome.approved else "resource.outcome.rejected"
    params = {
        "title": _render.safe(outcome.title, 200),
        "reason": _render.safe(outcome.reason, 500),
        "id": outcome.resource_id or "",
    }
    async with bot.db.transaction() as session:
        language = await guild_settings.member_language(session, guild_id, outcome.suggested_by)
        language = language or (await guild_settings.get(session, guild_id)).language
    text = i18n.t(language or bot.settings.liaison_locale, key, **params)
    try:
        user = bot.get_user(outcome.suggested_by) or await bot.fetch_user(outcome.suggested_by)
        await user.send(limits.clip(text, limits.MESSAGE), allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        async with bot.db.transaction() as session:
            await notices.leave(session, guild_id, outcome.suggested_by, key, **params)


async def announce_suggestion(bot: LiaisonBot, guild_id: int, row: Any, language: str) -> None:
    async with bot.db.transaction() as session:
        channel_id = (await guild_settings.get(session, guild_id)).review_channel_id
    channel = bot.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.abc.Messageable):
        return
    text = i18n.t(
        language,
        "resource.review.announce",
        id=row.id,
        user=f"<@{row.suggested_by}>",
        title=_render.safe(row.title, 200),
        url=_render.safe(row.url, 500),
    )
    # the suggestion stays in the queue (/resource review) whatever happens here
    missing = bot_permissions.lacking(channel, "review_notice")
    if missing:
        await bot_permissions.refused(bot, guild_id, channel.id, missing, "review_notice", "suggestion")
        return
    try:
        await channel.send(limits.clip(text, limits.MESSAGE), allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not post suggestion %s to the review channel", row.id)
        if bot_permissions.is_permission_refusal(exc):
            await bot_permissions.after_refusal(bot, guild_id, channel.id, "review_notice", "suggestion")
