"""Opening an exercise's threads: one private thread per team (its players, the controllers and
the facilitator who loaded it) and a control thread (facilitators and observers)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import Invalid
from bot.services.exercises.running import StartPlan
from bot.ui import limits

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.exercises")


@dataclass
class Opened:
    teams: dict[str, discord.Thread]
    control: discord.Thread


async def _channel(bot: LiaisonBot, channel_id: int) -> discord.TextChannel:
    channel: Any = bot.get_channel(channel_id)
    if channel is None:
        try:
            channel = await bot.fetch_channel(channel_id)
        except discord.HTTPException:
            channel = None
    if not isinstance(channel, discord.TextChannel):
        raise Invalid("exercises.error.bad_channel")
    return channel


async def _private(
    channel: discord.TextChannel, name: str, members: set[int], opened: list[discord.Thread]
) -> discord.Thread:
    thread = await channel.create_thread(
        name=limits.clip(name, limits.THREAD_NAME), type=discord.ChannelType.private_thread, invitable=False
    )
    opened.append(thread)
    for user_id in sorted(members):
        await add(thread, user_id)
    return thread


async def add(thread: discord.Thread | discord.abc.Snowflake, user_id: int) -> None:
    """Add a member to a private thread (a member who left the server is skipped)."""
    try:
        if isinstance(thread, discord.Thread):
            await thread.add_user(discord.Object(id=user_id))
    except discord.NotFound:
        log.info("member %s could not be added to thread %s", user_id, getattr(thread, "id", "?"))


async def open_threads(bot: LiaisonBot, plan: StartPlan, control_name: str) -> Opened:
    """The threads, or a clear refusal when Discord does not let Liaison create them (those
    already opened are deleted: a start that failed leaves nothing behind)."""
    channel = await _channel(bot, plan.channel_id)
    opened: list[discord.Thread] = []
    try:
        return await _open(channel, plan, control_name, opened)
    except discord.Forbidden as exc:
        for thread in opened:
            with contextlib.suppress(discord.HTTPException):
                await thread.delete()
        raise Invalid("exercises.error.threads_refused", channel=channel.mention) from exc


async def _open(
    channel: discord.TextChannel, plan: StartPlan, control_name: str, opened: list[discord.Thread]
) -> Opened:
    staff = set(plan.controllers) | set(plan.facilitators)
    teams = {}
    for team in plan.teams:
        teams[team.name] = await _private(
            channel, f"{plan.title} · {team.name}", set(team.players) | staff, opened
        )
    control = await _private(channel, f"{plan.title} · {control_name}", staff | set(plan.observers), opened)
    return Opened(teams, control)


async def join(bot: LiaisonBot, guild_id: int, thread_ids: tuple[int, ...], user_id: int) -> None:
    """A member assigned while the exercise runs joins their threads now."""
    for thread_id in thread_ids:
        thread = bot.get_channel(thread_id)
        if thread is None:
            try:
                thread = await bot.fetch_channel(thread_id)
            except discord.HTTPException:
                continue
        if isinstance(thread, discord.Thread):
            await add(thread, user_id)
