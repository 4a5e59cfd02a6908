"""The Discord side of a question's thread: creating it, tagging or renaming it when solved."""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass

import discord

from bot.errors import NotAllowed, NotFound
from bot.services.qa import CleanAsk, Placement
from bot.ui.respond import NO_MENTIONS
from cogs.qa import _render
from cogs.qa._render import Translate

log = logging.getLogger("liaison.qa")

MAX_TAGS = 5
SOLVED_TAG_NAMES = ("solved", "résolu", "resolu")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Posted:
    thread: discord.Thread
    starter_message_id: int


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def is_solved_tag(tag: discord.ForumTag) -> bool:
    return tag.name.casefold() in SOLVED_TAG_NAMES


def topic_tags(forum: discord.ForumChannel, topic: str | None) -> list[discord.ForumTag]:
    """Forum tags matching the topic: the same name, or a tag name among the topic's words."""
    if not topic:
        return []
    wanted, topic_words = topic.casefold().strip(), _words(topic)
    found = [
        tag
        for tag in forum.available_tags
        if not is_solved_tag(tag) and (tag.name.casefold() == wanted or tag.name.casefold() in topic_words)
    ]
    return found[:MAX_TAGS]


def forum_tag_names(channel: discord.abc.GuildChannel | None) -> list[str]:
    if not isinstance(channel, discord.ForumChannel):
        return []
    return [tag.name for tag in channel.available_tags if not is_solved_tag(tag)]


def question_channel(guild: discord.Guild, place: Placement) -> discord.ForumChannel | discord.TextChannel:
    """The channel a question goes to, or the refusal: gone, or unable to hold a private thread."""
    channel = guild.get_channel(place.channel_id)
    if place.private_thread and isinstance(channel, discord.ForumChannel):
        raise NotFound("qa.error.no_restricted_place")
    if not isinstance(channel, discord.ForumChannel | discord.TextChannel):
        raise NotFound("qa.error.no_restricted_place" if place.restricted else "qa.error.channel_missing")
    if (
        place.restricted
        and not place.private_thread
        and channel.permissions_for(guild.default_role).view_channel
    ):
        # opened to @everyone since /liaison setup accepted it: nothing restricted goes there
        raise NotAllowed("qa.error.restricted_now_public", channel=channel.mention)
    return channel


async def post_question(
    channel: discord.ForumChannel | discord.TextChannel,
    t: Translate,
    asked: CleanAsk,
    author_id: int,
    *,
    private: bool = False,
) -> Posted:
    """A forum post (tagged by topic) or, in a text channel, a starter message and its public
    thread; ``private``: a private thread of the text channel, the question posted inside it and
    the asker added (nobody else sees it but its members and those who manage threads)."""
    embed = _render.question_embed(t, asked, author_id)
    content = t("qa.posted_header", author=_render.member(t, author_id))
    name = _render.thread_name(asked.question)
    if private and isinstance(channel, discord.TextChannel):
        thread = await channel.create_thread(
            name=name, type=discord.ChannelType.private_thread, invitable=False
        )
        try:
            starter = await thread.send(content, embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            with contextlib.suppress(discord.HTTPException):  # no empty private thread left behind
                await thread.delete()
            raise
        await add_members(thread, [author_id])
        return Posted(thread, starter.id)
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(
            name=name,
            content=content,
            embed=embed,
            applied_tags=topic_tags(channel, asked.topic),
            allowed_mentions=NO_MENTIONS,
        )
        return Posted(created.thread, created.message.id)
    starter = await channel.send(content, embed=embed, allowed_mentions=NO_MENTIONS)
    thread = await starter.create_thread(name=name)
    return Posted(thread, starter.id)


async def add_members(thread: discord.Thread, user_ids: list[int]) -> None:
    """Add members to a private thread (a public one needs nothing: mentions reach them)."""
    if thread.type is not discord.ChannelType.private_thread:
        return
    for user_id in user_ids:
        try:
            await thread.add_user(discord.Object(id=user_id))
        except discord.HTTPException as exc:
            log.warning("could not add member %s to private thread %s: %s", user_id, thread.id, exc)


async def remove_member(guild: discord.Guild, thread_ids: list[int], user_id: int) -> None:
    """Take the member out of those threads that are private (a restricted channel's threads
    follow the channel's permissions, that is the verified role)."""
    for thread_id in thread_ids:
        thread = await find_thread(guild, thread_id)
        if thread is None or thread.type is not discord.ChannelType.private_thread:
            continue
        try:
            await thread.remove_user(discord.Object(id=user_id))
        except discord.HTTPException as exc:
            log.warning("could not remove member %s from private thread %s: %s", user_id, thread_id, exc)


async def mark_solved(thread: discord.Thread, language: str) -> None:
    """Apply the forum's "solved" tag when there is one, else prefix the thread's name."""
    try:
        parent = thread.parent
        if isinstance(parent, discord.ForumChannel):
            tag = next((tag for tag in parent.available_tags if is_solved_tag(tag)), None)
            if tag is not None:
                current = [t for t in thread.applied_tags if t.id != tag.id][: MAX_TAGS - 1]
                await thread.edit(applied_tags=[*current, tag], archived=False)
                return
        await thread.edit(name=_render.solved_name(thread.name, language), archived=False)
    except discord.HTTPException as exc:
        log.warning("could not mark thread %s solved: %s", thread.id, exc)


async def mark_open(thread: discord.Thread) -> None:
    """Undo ``mark_solved``: remove the solved tag and the prefix, unarchive."""
    try:
        tags = [tag for tag in thread.applied_tags if not is_solved_tag(tag)]
        name = _render.open_name(thread.name)
        if isinstance(thread.parent, discord.ForumChannel):
            await thread.edit(name=name, applied_tags=tags, archived=False)
        else:
            await thread.edit(name=name, archived=False)
    except discord.HTTPException as exc:
        log.warning("could not reopen thread %s: %s", thread.id, exc)


async def find_thread(guild: discord.Guild, thread_id: int) -> discord.Thread | None:
    thread = guild.get_thread(thread_id)
    if thread is not None:
        return thread
    try:
        fetched = await guild.fetch_channel(thread_id)
    except discord.HTTPException:
        return None
    return fetched if isinstance(fetched, discord.Thread) else None
