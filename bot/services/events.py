"""Events: create, edit, cancel, list, RSVP with a capacity and a waiting list.

Capacity decisions are made under a lock on the event's row (an UPDATE of ``rsvp_seq`` taken
first in the transaction): on SQLite it takes the database's write lock, on PostgreSQL the row
lock, so concurrent RSVPs are decided one after the other and counts are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import (
    GOING,
    MAYBE,
    NOT_GOING,
    REPEAT_NONE,
    WAITING,
    Event,
    Rsvp,
)
from bot.errors import Invalid, NotFound
from bot.ids import parse_id
from bot.services import audit, guild_settings, reminders
from bot.services.event_time import (
    LocalStart,
    current_occurrence,
    describe_repeated,
    parse_repeat,
    parse_start,
    resolve,
    wall_clock,
)
from bot.timeutil import format_offsets, parse_duration, parse_offsets, parse_timezone

TITLE_LIMIT = 200
LOCATION_LIMIT = 500
DESCRIPTION_LIMIT = 3000
MAX_CAPACITY = 100_000
DEFAULT_DURATION = timedelta(hours=1)
STATUSES = (GOING, MAYBE, NOT_GOING)
NO_REMINDERS = ("none", "aucun", "aucune", "0")
AUTOCOMPLETE_LIMIT = 25


@dataclass(frozen=True)
class EventInput:
    """What ``/event create`` and ``/event edit`` may set; None means 'not given'."""

    title: str | None = None
    start: str | None = None
    timezone: str | None = None
    duration: str | None = None
    location: str | None = None
    description: str | None = None
    reminders: str | None = None
    capacity: int | None = None
    repeat: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class Counts:
    going: int = 0
    maybe: int = 0
    not_going: int = 0
    waiting: int = 0


@dataclass
class Change:
    """What an action did, for the cog to tell people and to wake the scheduler."""

    event: Event
    wakeups: list[datetime] = field(default_factory=list)
    time_changed: bool = False
    notify: list[int] = field(default_factory=list)
    promoted: list[int] = field(default_factory=list)
    # The start's wall-clock time occurs twice in its zone (the first was taken): what to say.
    repeated: dict[str, str] | None = None


@dataclass(frozen=True)
class RsvpResult:
    status: str
    counts: Counts
    promoted: list[int]


# -- validation ------------------------------------------------------------------------------
def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Invalid("error.required", field=name)
        return None
    if len(cleaned) > limit:
        raise Invalid("error.too_long", field=name, limit=limit)
    return cleaned


def _capacity(value: int | None) -> int | None:
    if value is None or value == 0:
        return None
    if not 0 < value <= MAX_CAPACITY:
        raise Invalid("events.error.bad_capacity", limit=MAX_CAPACITY)
    return value


def _offsets(text: str) -> str:
    if text.strip().lower() in NO_REMINDERS:
        return ""
    return format_offsets(parse_offsets(text))


def _apply(row: Event, data: EventInput, now: datetime, *, creating: bool) -> dict[str, str] | None:
    """Validate every given value and set it on ``row`` (nothing is flushed here).

    A new zone without a new start keeps the wall-clock time: "09:00, but in Tokyo". A start the
    clocks skip is refused with the nearest valid times; one they repeat is the first, and the
    returned parameters say so (``events.start_repeated``).
    """
    old_zone = None if creating else row.timezone
    if data.title is not None or creating:
        row.title = _text(data.title, "title", TITLE_LIMIT, required=True) or ""
    if data.location is not None:
        row.location = _text(data.location, "location", LOCATION_LIMIT)
    if data.description is not None:
        row.description = _text(data.description, "description", DESCRIPTION_LIMIT)
    if data.duration is not None:
        row.duration_minutes = int(parse_duration(data.duration).total_seconds() // 60)
    if data.capacity is not None:
        row.capacity = _capacity(data.capacity)
    if data.repeat is not None:
        row.repeat = parse_repeat(data.repeat)
    if data.reminders is not None:
        row.reminder_offsets = _offsets(data.reminders)
    if data.timezone is not None or creating:
        row.timezone = parse_timezone(data.timezone or "").key
    start: LocalStart | None = None
    if data.start is not None:
        start = parse_start(data.start, parse_timezone(row.timezone), now)
    elif old_zone is not None and old_zone != row.timezone:
        start = resolve(wall_clock(row.starts_at, parse_timezone(old_zone)), parse_timezone(row.timezone))
    if start is None:
        return None
    if start.moment <= now:
        raise Invalid("events.error.start_past")
    row.starts_at = start.moment
    return describe_repeated(start, parse_timezone(row.timezone)) if start.repeated else None


# -- events ----------------------------------------------------------------------------------
async def create(
    session: AsyncSession, guild_id: int, actor_id: int | None, data: EventInput, now: datetime
) -> Change:
    """A new event with its first occurrence's reminders; audited."""
    if data.start is None:
        raise Invalid("error.required", field="start")
    settings = await guild_settings.get(session, guild_id)
    row = Event(guild_id=guild_id, created_by=actor_id, duration_minutes=60, repeat=REPEAT_NONE)
    row.reminder_offsets = settings.reminder_offsets
    repeated = _apply(row, data, now, creating=True)
    row.materialized_until = row.starts_at
    row.channel_id = settings.events_channel_id
    row.rsvp_seq = 0
    session.add(row)
    await session.flush()
    wakeups = await reminders.plan_event(session, row, row.starts_at, now)
    await audit.record(session, guild_id, actor_id, "event.create", f"#{row.id} {row.title}")
    return Change(row, wakeups=wakeups, repeated=repeated)


async def get(session: AsyncSession, guild_id: int, event_id: int) -> Event:
    row = await session.get(Event, event_id)
    if row is None or row.guild_id != guild_id:
        raise NotFound("events.error.not_found", id=event_id)
    return row


async def get_open(session: AsyncSession, guild_id: int, event_id: int) -> Event:
    row = await get(session, guild_id, event_id)
    if row.cancelled_at is not None:
        raise Invalid("events.error.cancelled", title=row.title)
    return row


async def edit(
    session: AsyncSession, guild_id: int, actor_id: int | None, event_id: int, data: EventInput, now: datetime
) -> Change:
    """Change what was given; a new time or offsets move the pending reminders."""
    if not data.given():
        raise Invalid("events.error.nothing_to_edit")
    row = await get_open(session, guild_id, event_id)
    before = (row.starts_at, row.repeat, row.reminder_offsets)
    repeated = _apply(row, data, now, creating=False)
    time_changed = row.starts_at != before[0] or row.repeat != before[1]
    wakeups: list[datetime] = []
    if time_changed or row.reminder_offsets != before[2]:
        duration = timedelta(minutes=row.duration_minutes)
        occurrence = current_occurrence(
            row.starts_at, parse_timezone(row.timezone), row.repeat, duration, now
        )
        occurrence = occurrence or row.starts_at
        row.materialized_until = occurrence
        wakeups = await reminders.replan_event(session, row, occurrence, now)
    await audit.record(
        session, guild_id, actor_id, "event.edit", f"#{row.id} {row.title}", details={"fields": data.given()}
    )
    promoted = (
        await promote_after_capacity_change(session, guild_id, row.id) if data.capacity is not None else []
    )
    notify = await attendee_ids(session, row.id) if time_changed else []
    return Change(
        row, wakeups=wakeups, time_changed=time_changed, notify=notify, promoted=promoted, repeated=repeated
    )


async def cancel(
    session: AsyncSession, guild_id: int, actor_id: int | None, event_id: int, now: datetime
) -> Change:
    """Cancel: reminders withdrawn, attendees to be told; the event stays for the record."""
    row = await get_open(session, guild_id, event_id)
    row.cancelled_at = now
    await reminders.withdraw_event(session, row.id, now, reason="cancelled")
    await audit.record(session, guild_id, actor_id, "event.cancel", f"#{row.id} {row.title}")
    return Change(row, notify=await attendee_ids(session, row.id))


async def set_announcement(
    session: AsyncSession, guild_id: int, event_id: int, channel_id: int, message_id: int
) -> None:
    row = await get(session, guild_id, event_id)
    row.channel_id, row.message_id = channel_id, message_id


def next_start(row: Event, now: datetime) -> datetime | None:
    """The occurrence running now or next; None when a one-off event is over."""
    duration = timedelta(minutes=row.duration_minutes)
    return current_occurrence(row.starts_at, parse_timezone(row.timezone), row.repeat, duration, now)


async def upcoming(session: AsyncSession, guild_id: int, now: datetime, limit: int = 100) -> list[Event]:
    """Events not cancelled and not over, soonest first."""
    rows = await session.scalars(
        select(Event)
        .where(Event.guild_id == guild_id, Event.cancelled_at.is_(None))
        .order_by(Event.starts_at)
    )
    live = [(start, row) for row in rows if (start := next_start(row, now)) is not None]
    live.sort(key=lambda pair: (pair[0], pair[1].id))
    return [row for _start, row in live[:limit]]


def parse_ref(text: str | int | None) -> int:
    """``12``, ``#12``, ``event:12`` or an autocomplete value -> 12."""
    cleaned = str(text or "").strip().lower().removeprefix("event:").removeprefix("#").strip()
    head = cleaned.split(" ", 1)[0]
    event_id = parse_id(head)
    if event_id is None:
        raise Invalid("events.error.bad_ref", value=str(text or "")[:50])
    return event_id


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


# -- RSVPs -----------------------------------------------------------------------------------
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


# -- per-feature hooks -----------------------------------------------------------------------
async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    events = await session.scalar(select(func.count()).select_from(Event).where(Event.guild_id == guild_id))
    rsvps = await session.scalar(
        select(func.count()).select_from(Rsvp).where(Rsvp.guild_id == guild_id, Rsvp.status != NOT_GOING)
    )
    return {"events.stats.events": int(events or 0), "events.stats.rsvps": int(rsvps or 0)}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(Rsvp, Event.title)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id)
        .order_by(Rsvp.id)
    )
    created = await session.scalars(
        select(Event.id).where(Event.guild_id == guild_id, Event.created_by == user_id).order_by(Event.id)
    )
    return {
        "rsvps": [
            {
                "event_id": r.event_id,
                "event": title,
                "status": r.status,
                "updated_at": r.updated_at.isoformat(),
            }
            for r, title in rows
        ],
        "events_created": list(created),
    }


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Remove the member's RSVPs (their place goes to the waiting list) and their authorship."""
    going_events = list(
        await session.scalars(
            select(Rsvp.event_id).where(
                Rsvp.guild_id == guild_id, Rsvp.user_id == user_id, Rsvp.status == GOING
            )
        )
    )
    await session.execute(delete(Rsvp).where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id))
    await session.execute(
        update(Event).where(Event.guild_id == guild_id, Event.created_by == user_id).values(created_by=None)
    )
    for event_id in going_events:
        await promote_after_capacity_change(session, guild_id, event_id)
