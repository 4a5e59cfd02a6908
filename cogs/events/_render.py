"""How events and reminders read: embeds, list lines, reminder messages. Every text users typed
goes through ``safe`` (``bot.ui.text.shown``, the one escaping policy); times are Discord
timestamps, so each reader sees their own time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import discord

from bot import i18n, ics
from bot.services.events import Counts, EventInfo, next_start
from bot.services.reminders.delivery import Outgoing
from bot.timeutil import discord_timestamp, format_offset, parse_timezone
from bot.ui import embeds, limits, text

Translate = Callable[..., str]
CANCELLED = discord.Colour(0x6E7781)


safe = text.shown  # the one escaping policy (bot/ui/text.py)


def when(moment: datetime) -> str:
    return f"{discord_timestamp(moment, 'F')} ({discord_timestamp(moment, 'R')})"


def when_value(t: Translate, event: EventInfo, moment: datetime) -> str:
    local = moment.astimezone(parse_timezone(event.timezone)).strftime("%Y-%m-%d %H:%M")
    return str(
        t(
            "events.when_value",
            full=discord_timestamp(moment, "F"),
            relative=discord_timestamp(moment, "R"),
            local=local,
            zone=event.timezone,
        )
    )


def event_embed(
    t: Translate, event: EventInfo, counts: Counts, now: datetime, *, going: list[int] | None = None
) -> discord.Embed:
    """The event's card: the announcement and ``/event info`` share it."""
    cancelled = event.cancelled_at is not None
    embed = embeds.make_embed(
        safe(f"#{event.id} · {event.title}", limits.EMBED_TITLE),
        safe(event.description, 1500) or None,
        colour=CANCELLED if cancelled else embeds.BRAND,
    )
    if cancelled:
        embed.description = f"**{t('events.cancelled_banner')}**\n{embed.description or ''}"
    moment = next_start(event, now) or event.starts_at
    embeds.add_field(embed, t("events.field.when"), when_value(t, event, moment), inline=False)
    embeds.add_field(
        embed, t("events.field.duration"), format_offset(timedelta(minutes=event.duration_minutes))
    )
    embeds.add_field(embed, t("events.field.repeat"), t(f"events.repeat.{event.repeat}"))
    if event.location:
        embeds.add_field(embed, t("events.field.location"), safe(event.location, 500), inline=False)
    capacity = (
        t("events.capacity_value", going=counts.going, capacity=event.capacity)
        if event.capacity
        else t("events.unlimited")
    )
    embeds.add_field(embed, t("events.field.capacity"), capacity)
    embeds.add_field(embed, t("events.field.going"), _people(counts.going, going))
    embeds.add_field(embed, t("events.field.maybe"), str(counts.maybe))
    if counts.waiting:
        embeds.add_field(embed, t("events.field.waiting"), str(counts.waiting))
    embeds.add_field(embed, t("events.field.reminders"), event.reminder_offsets or t("events.no_reminders"))
    embeds.set_footer(embed, t("events.footer", id=event.id))
    return embed


def _people(count: int, ids: list[int] | None) -> str:
    if not ids:
        return str(count)
    shown = " ".join(f"<@{user_id}>" for user_id in ids[:30])
    more = f" +{len(ids) - 30}" if len(ids) > 30 else ""
    return f"{count}: {shown}{more}"


def list_line(t: Translate, event: EventInfo, counts: Counts, now: datetime) -> str:
    moment = next_start(event, now) or event.starts_at
    repeat = f" · {t(f'events.repeat.{event.repeat}')}" if event.repeat != "none" else ""
    full = t("events.list.full") if event.capacity and counts.going >= event.capacity else ""
    return str(
        t(
            "events.list.line",
            id=event.id,
            title=safe(event.title, 100),
            when=when(moment),
            repeat=repeat,
            full=full,
        )
    )


def reminder_text(message: Outgoing, default_language: str) -> str:
    """The words of one reminder delivery, in the target's language."""
    language = message.language or default_language

    def t(key: str, **params: Any) -> str:
        return i18n.t(language, key, **params)

    start = message.start or message.fire_at
    times = {"relative": discord_timestamp(start, "R"), "full": discord_timestamp(start, "F")}
    title = safe(message.title, 200)
    if message.personal:
        what = safe(message.text, 1200)
        lines = [
            t("reminders.personal_event", what=what, title=title, **times)
            if message.title
            else t("reminders.personal", what=what)
        ]
    else:
        lines = [
            t(
                "reminders.channel" if message.to_channel else "reminders.dm",
                title=title,
                **times,
            )
        ]
        if message.location:
            lines.append(t("reminders.where", location=safe(message.location, 300)))
    if message.late:
        lines.append(t("reminders.late"))
    if message.mentions:
        lines.append(
            t("reminders.closed_dms", mentions=" ".join(f"<@{user_id}>" for user_id in message.mentions))
        )
    return limits.clip("\n".join(lines), limits.MESSAGE)


def ics_event(row: EventInfo, *, rsvp: str | None = None, note: str | None = None) -> ics.IcsEvent:
    return ics.IcsEvent(
        id=row.id,
        guild_id=row.guild_id,
        title=row.title,
        starts_at=row.starts_at,
        timezone=row.timezone,
        duration=timedelta(minutes=row.duration_minutes),
        repeat=row.repeat,
        location=row.location,
        description=row.description,
        cancelled=row.cancelled_at is not None,
        rsvp=rsvp,
        rsvp_note=note,
    )
