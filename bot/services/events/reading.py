"""What the event commands show, each read in one transaction: an event's card, its details for a
member, the list of upcoming events, the calendar files, what cancelling would touch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import GOING
from bot.db.unit import unit_of_work
from bot.services.events.answers import attendee_ids, counts, members_with, my_status, my_statuses
from bot.services.events.finding import get, get_open, upcoming
from bot.services.events.values import Counts, EventInfo


@dataclass(frozen=True)
class Card:
    """An event with its current counts: its announcement, a line of the list."""

    event: EventInfo
    counts: Counts


@dataclass(frozen=True)
class Details:
    """``/event info``: the card, who is going, and the caller's own answer."""

    event: EventInfo
    counts: Counts
    going: list[int]
    mine: str | None


@dataclass(frozen=True)
class Programme:
    """The upcoming events, soonest first, with the caller's answers by event id."""

    events: list[EventInfo]
    answers: dict[int, str]


@dataclass(frozen=True)
class Cancelling:
    """What ``/event cancel`` asks about: the open event and how many members would be told."""

    event: EventInfo
    attendees: int


@unit_of_work
async def card(session: AsyncSession, guild_id: int, event_id: int) -> Card:
    row = await get(session, guild_id, event_id)
    return Card(EventInfo.from_row(row), await counts(session, event_id))


@unit_of_work
async def details(session: AsyncSession, guild_id: int, event_id: int, user_id: int) -> Details:
    row = await get(session, guild_id, event_id)
    return Details(
        EventInfo.from_row(row),
        await counts(session, event_id),
        await members_with(session, event_id, GOING),
        await my_status(session, event_id, user_id),
    )


@unit_of_work
async def listing(session: AsyncSession, guild_id: int, now: datetime) -> list[Card]:
    """``/event list``: the upcoming events with their counts."""
    return [Card(event, await counts(session, event.id)) for event in await upcoming(session, guild_id, now)]


@unit_of_work
async def calendar_entry(session: AsyncSession, guild_id: int, event_id: int) -> EventInfo:
    """One event, for its calendar file."""
    return EventInfo.from_row(await get(session, guild_id, event_id))


@unit_of_work
async def programme(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, limit: int
) -> Programme:
    """Every upcoming event (at most ``limit``) and the caller's answers, for one calendar file."""
    found = await upcoming(session, guild_id, now, limit=limit)
    return Programme(found, await my_statuses(session, [event.id for event in found], user_id))


@unit_of_work
async def cancelling(session: AsyncSession, guild_id: int, event_id: int) -> Cancelling:
    row = await get_open(session, guild_id, event_id)
    return Cancelling(EventInfo.from_row(row), len(await attendee_ids(session, event_id)))
