"""Members' answers to an event: going, maybe, not going, with a capacity and a waiting list.

Capacity decisions are made under a lock on the event's row (an UPDATE of ``rsvp_seq`` taken
first in the transaction): on SQLite it takes the database's write lock, on PostgreSQL the row
lock, so concurrent RSVPs are decided one after the other and counts are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import GOING, MAYBE, NOT_GOING, WAITING, Event, Rsvp
from bot.db.unit import unit_of_work
from bot.errors import Invalid, NotFound
from bot.services.events.finding import get, next_start
from bot.services.events.values import Counts, EventInfo, RsvpResult

STATUSES = (GOING, MAYBE, NOT_GOING)


@dataclass(frozen=True)
class Answered:
    """A member's answer as recorded, with the event as it stands after it."""

    status: str
    promoted: list[int]
    event: EventInfo
    # Their place on the waiting list (1 = next to get a place); 0 when they are not waiting.
    position: int


async def _lock(session: AsyncSession, guild_id: int, event_id: int) -> int:
    """Take the event's row lock first in the transaction; returns the new sequence number."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.guild_id == guild_id)
        .values(rsvp_seq=Event.rsvp_seq + 1)
        .returning(Event.rsvp_seq)
    )
    seq = result.scalar_one_or_none()
    if seq is None:
        raise NotFound("events.error.not_found", id=event_id)
    return int(seq)


async def counts(session: AsyncSession, event_id: int) -> Counts:
    rows = await session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id).group_by(Rsvp.status)
    )
    return Counts(**{status: int(number) for status, number in rows})


async def rsvp(
    session: AsyncSession,
    guild_id: int,
    event_id: int,
    user_id: int,
    status: str,
    now: datetime,
    *,
    language: str | None = None,
) -> RsvpResult:
    """Set a member's answer. ``going`` on a full event puts them on the waiting list; leaving
    ``going`` promotes whoever waited longest."""
    if status not in STATUSES:
        raise Invalid("events.error.bad_status", value=status[:20])
    seq = await _lock(session, guild_id, event_id)
    event = await session.get(Event, event_id)
    assert event is not None
    await session.refresh(event)
    if event.cancelled_at is not None:
        raise Invalid("events.error.cancelled", title=event.title)
    if next_start(event, now) is None:
        raise Invalid("events.error.over", title=event.title)
    mine = await session.scalar(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id))
    previous = mine.status if mine else None
    new_status = status
    if status == GOING and previous != GOING and event.capacity is not None:
        going = await session.scalar(
            select(func.count()).where(Rsvp.event_id == event_id, Rsvp.status == GOING)
        )
        if int(going or 0) >= event.capacity:
            new_status = WAITING
    if previous == WAITING and status == GOING and new_status == WAITING:
        pass  # keep their place in the queue
    elif mine is None:
        session.add(
            Rsvp(
                guild_id=guild_id,
                event_id=event_id,
                user_id=user_id,
                status=new_status,
                seq=seq,
                language=language,
            )
        )
    else:
        mine.status, mine.seq, mine.updated_at = new_status, seq, now
        mine.language = language or mine.language
    await session.flush()
    promoted = await _promote(session, event) if previous == GOING and new_status != GOING else []
    return RsvpResult(new_status, await counts(session, event_id), promoted)


async def _promote(session: AsyncSession, event: Event) -> list[int]:
    """Fill free places from the waiting list, oldest first; returns who was promoted."""
    if event.capacity is None:
        waiting = list(
            await session.scalars(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status == WAITING))
        )
    else:
        going = int(
            await session.scalar(select(func.count()).where(Rsvp.event_id == event.id, Rsvp.status == GOING))
            or 0
        )
        free = max(0, event.capacity - going)
        waiting = list(
            await session.scalars(
                select(Rsvp)
                .where(Rsvp.event_id == event.id, Rsvp.status == WAITING)
                .order_by(Rsvp.seq, Rsvp.id)
                .limit(free)
            )
        )
    for row in waiting:
        row.status = GOING
    await session.flush()
    return [row.user_id for row in waiting]


async def promote_after_capacity_change(session: AsyncSession, guild_id: int, event_id: int) -> list[int]:
    await _lock(session, guild_id, event_id)
    event = await get(session, guild_id, event_id)
    await session.refresh(event)
    return await _promote(session, event)


async def attendee_ids(session: AsyncSession, event_id: int) -> list[int]:
    """Members who said going or maybe, or wait for a place: told of changes."""
    rows = await session.scalars(
        select(Rsvp.user_id)
        .where(Rsvp.event_id == event_id, Rsvp.status.in_((GOING, MAYBE, WAITING)))
        .order_by(Rsvp.seq)
    )
    return list(rows)


async def members_with(session: AsyncSession, event_id: int, status: str) -> list[int]:
    rows = await session.scalars(
        select(Rsvp.user_id)
        .where(Rsvp.event_id == event_id, Rsvp.status == status)
        .order_by(Rsvp.seq, Rsvp.id)
    )
    return list(rows)


async def my_status(session: AsyncSession, event_id: int, user_id: int) -> str | None:
    return await session.scalar(select(Rsvp.status).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id))


@unit_of_work
async def answer_languages(session: AsyncSession, event_id: int) -> dict[int, str]:
    """The language each member last answered this event in, by user id (absent if they never
    did): one read for a whole notice round instead of one per member."""
    rows = await session.execute(
        select(Rsvp.user_id, Rsvp.language).where(Rsvp.event_id == event_id, Rsvp.language.is_not(None))
    )
    return {user_id: language for user_id, language in rows if language is not None}


async def my_statuses(session: AsyncSession, event_ids: list[int], user_id: int) -> dict[int, str]:
    """The member's answers to these events, by event id."""
    if not event_ids:
        return {}
    rows = await session.execute(
        select(Rsvp.event_id, Rsvp.status).where(Rsvp.event_id.in_(event_ids), Rsvp.user_id == user_id)
    )
    return {event_id: status for event_id, status in rows}


@unit_of_work
async def answer(
    session: AsyncSession,
    guild_id: int,
    event_id: int,
    user_id: int,
    status: str,
    now: datetime,
    *,
    language: str | None = None,
) -> Answered:
    """``/event rsvp`` and the card's buttons: record the answer (``rsvp``) and read what the
    member is told, in the same transaction."""
    result = await rsvp(session, guild_id, event_id, user_id, status, now, language=language)
    row = await get(session, guild_id, event_id)
    waiting = await members_with(session, event_id, WAITING)
    position = waiting.index(user_id) + 1 if user_id in waiting else 0
    return Answered(result.status, result.promoted, EventInfo.from_row(row), position)
