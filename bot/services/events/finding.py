"""Finding events: one by its id (or what a member typed), the upcoming ones, and when an event
next takes place."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import Event
from bot.db.unit import unit_of_work
from bot.errors import Invalid, NotFound
from bot.ids import parse_id
from bot.services.event_time import current_occurrence
from bot.services.events.values import EventInfo
from bot.timeutil import parse_timezone

AUTOCOMPLETE_LIMIT = 25


async def get(session: AsyncSession, guild_id: int, event_id: int) -> Event:
    """The event's row, for services working on it in their transaction."""
    row = await session.get(Event, event_id)
    if row is None or row.guild_id != guild_id:
        raise NotFound("events.error.not_found", id=event_id)
    return row


async def get_open(session: AsyncSession, guild_id: int, event_id: int) -> Event:
    row = await get(session, guild_id, event_id)
    if row.cancelled_at is not None:
        raise Invalid("events.error.cancelled", title=row.title)
    return row


def next_start(event: Event | EventInfo, now: datetime) -> datetime | None:
    """The occurrence running now or next; None when a one-off event is over."""
    duration = timedelta(minutes=event.duration_minutes)
    return current_occurrence(event.starts_at, parse_timezone(event.timezone), event.repeat, duration, now)


async def upcoming(session: AsyncSession, guild_id: int, now: datetime, limit: int = 100) -> list[EventInfo]:
    """Events not cancelled and not over, soonest first."""
    rows = await session.scalars(
        select(Event)
        .where(Event.guild_id == guild_id, Event.cancelled_at.is_(None))
        .order_by(Event.starts_at)
    )
    live = [(start, row) for row in rows if (start := next_start(row, now)) is not None]
    live.sort(key=lambda pair: (pair[0], pair[1].id))
    return [EventInfo.from_row(row) for _start, row in live[:limit]]


def parse_ref(text: str | int | None) -> int:
    """``12``, ``#12``, ``event:12`` or an autocomplete value -> 12."""
    cleaned = str(text or "").strip().lower().removeprefix("event:").removeprefix("#").strip()
    head = cleaned.split(" ", 1)[0]
    event_id = parse_id(head)
    if event_id is None:
        raise Invalid("events.error.bad_ref", value=str(text or "")[:50])
    return event_id


@unit_of_work
async def autocomplete(
    session: AsyncSession, guild_id: int, typed: str, now: datetime
) -> list[tuple[int, str]]:
    """(id, title) of upcoming events matching what was typed, by id or title."""
    needle = (typed or "").strip().lower().removeprefix("#").removeprefix("event:")
    matches = [
        row
        for row in await upcoming(session, guild_id, now, limit=500)
        if not needle or needle in row.title.lower() or str(row.id).startswith(needle)
    ]
    return [(row.id, row.title) for row in matches[:AUTOCOMPLETE_LIMIT]]
