"""After ``/me delete``: the bot's own posts that named the member are edited.

A question's starter post then reads "from a former member" (``qa_text: keep``), or says that
its author erased it, with the thread renamed (``erase``); a review-channel announcement names a
former member, and loses the suggestion's title and link when the suggestion itself was erased.
A weekly digest or an escalation notice quoting an erased question keeps its link, without the
title; an exercise decision's posts name a former member and lose the decision's text (typed
text goes whatever ``qa_text`` says: only Q&A text may stay). A post that cannot be edited any
more (deleted, no access) is skipped with a warning: the data itself is already erased. Not an
extension: ``cogs.me`` uses it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import discord

from bot import i18n
from bot.client import LiaisonBot
from bot.errors import NotFound
from bot.services import privacy
from bot.services.privacy import BotMessage, RedrawSources
from bot.ui import limits, messenger
from bot.ui import text as ui_text
from bot.ui.respond import NO_MENTIONS
from cogs.qa import _render as qa_render
from cogs.resources import _notify as resources_notify

log = logging.getLogger("liaison.me")


async def redraw(bot: LiaisonBot, guild_id: int, user_id: int, messages: Sequence[BotMessage]) -> None:
    if not messages:
        return
    language = await messenger.server_language(bot, guild_id)
    sources = await privacy.redraw_sources(bot.db, guild_id, messages)  # read once for every post
    for message in messages:
        try:
            if message.kind in ("qa.thread", "mentions"):
                await _scrub_mentions(bot, language, user_id, message)
                continue
            if message.kind == "qa.quoted":
                await _unquote(bot, guild_id, language, message)
                continue
            content, embeds = _content(language, message, sources)
            await _edit(bot, message, content, embeds)
            if message.kind == "qa.question" and message.erased:
                await _rename_thread(
                    bot, guild_id, message.channel_ids[0], i18n.t(language, "me.erased.thread")
                )
        except discord.HTTPException as error:
            log.warning("could not edit message %s after an erasure: %s", message.message_id, error)


def _content(language: str, message: BotMessage, sources: RedrawSources) -> tuple[str, list[discord.Embed]]:
    params = dict(message.params)
    t = partial(i18n.t, params.get("language") or language)
    if message.kind in ("exercises.decision", "exercises.decision_mirror"):
        key = (
            "exercises.decision.erased"
            if message.kind == "exercises.decision"
            else "exercises.decision.mirror_erased"
        )
        return t(key, time=params.get("time", ""), team=ui_text.shown(params.get("team", ""), 60)), []
    if message.kind == "qa.question":
        if message.erased:
            return t("me.erased.question"), []
        asked = sources.questions.get(message.ref)
        if asked is None:
            raise NotFound("qa.error.not_found")
        header = t("qa.posted_header", author=t("common.former_member"))
        return header, [qa_render.question_embed(t, asked, None)]
    if message.kind == "resources.suggestion":
        if message.erased:
            return t("resource.review.announce_erased", id=message.ref), []
        suggestion = sources.suggestions.get(message.ref)
        if suggestion is None:
            return t("resource.review.announce_erased", id=message.ref), []
        return resources_notify.announcement(language, suggestion), []
    raise ValueError(f"unknown kind of message: {message.kind}")


HISTORY_LIMIT = 200


async def _scrub_mentions(bot: LiaisonBot, language: str, user_id: int, message: BotMessage) -> None:
    """The bot's messages that mention the member name a former member instead: the one message
    given, or (``message_id`` 0) those of a question's thread (routing pings, the accepted
    answer's "answered by"); with their text erased, the accepted answer's own text goes too."""
    former = i18n.t(language, "common.former_member")
    mentions = (f"<@{user_id}>", f"<@!{user_id}>")
    channel = bot.get_partial_messageable(message.channel_ids[0])
    if message.message_id:
        found = [await channel.fetch_message(message.message_id)]
    else:
        found = [posted async for posted in channel.history(limit=HISTORY_LIMIT)]
    for posted in found:
        if bot.user is None or posted.author.id != bot.user.id:
            continue
        content, changed = posted.content, False
        for mention in mentions:
            if mention in content:
                content, changed = content.replace(mention, former), True
        embeds = []
        for embed in posted.embeds:
            data = embed.to_dict()
            for item in data.get("fields", []):
                value = item.get("value", "")
                if any(m in value for m in mentions):
                    for mention in mentions:
                        value = value.replace(mention, former)
                    item["value"], changed = value, True
                    if message.erased:
                        data["description"] = i18n.t(language, "me.erased.answer")
            embeds.append(discord.Embed.from_dict(data))
        if changed:
            await posted.edit(content=content, embeds=embeds, allowed_mentions=NO_MENTIONS)


async def _unquote(bot: LiaisonBot, guild_id: int, language: str, message: BotMessage) -> None:
    """A post quoting an erased question (a weekly digest, an escalation notice): its link to
    the question's thread keeps the link and loses the title."""
    url = qa_render.thread_url(guild_id, int(dict(message.params)["thread_id"]))
    pattern = re.compile(r"\[[^\]\n]*\]\(<?" + re.escape(url) + r">?\)")
    erased = f"[{i18n.t(language, 'me.erased.thread')}]({url})"
    posted = await bot.get_partial_messageable(message.channel_ids[0]).fetch_message(message.message_id)
    content, count = pattern.subn(erased, posted.content or "")
    embeds = []
    for embed in posted.embeds:
        data = embed.to_dict()
        if "description" in data:
            data["description"], found = pattern.subn(erased, data["description"])
            count += found
        for item in data.get("fields", []):
            item["value"], found = pattern.subn(erased, item.get("value", ""))
            count += found
        embeds.append(discord.Embed.from_dict(data))
    if count:
        await posted.edit(content=content or None, embeds=embeds, allowed_mentions=NO_MENTIONS)


async def _edit(bot: LiaisonBot, message: BotMessage, content: str, embeds: list[discord.Embed]) -> None:
    """Edit the message where it is: the first of its channels that has it."""
    last: discord.HTTPException | None = None
    for channel_id in dict.fromkeys(message.channel_ids):
        partial_message = bot.get_partial_messageable(channel_id).get_partial_message(message.message_id)
        try:
            await partial_message.edit(
                content=limits.clip(content, limits.MESSAGE), embeds=embeds, allowed_mentions=NO_MENTIONS
            )
            return
        except (discord.NotFound, discord.Forbidden) as error:
            last = error
    if last is not None:
        raise last


async def _rename_thread(bot: LiaisonBot, guild_id: int, thread_id: int, name: str) -> None:
    guild: Any = bot.get_guild(guild_id)
    thread = guild.get_thread(thread_id) if guild is not None else None
    if thread is None:
        fetched = await bot.fetch_channel(thread_id)
        thread = fetched if isinstance(fetched, discord.Thread) else None
    if thread is not None:
        await thread.edit(name=limits.clip(name, limits.THREAD_NAME))
