"""Planning reminders: from events' offsets or by ``/remind``; moved, withdrawn, rolled forward.

Every reminder is a row written in the same transaction as what caused it; the delivery engine
(``bot.services.reminders.delivery``) sends the due ones, and the runner only wakes it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import (
    CLAIMED,
    FAILED,
    KIND_EVENT,
    KIND_PERSONAL,
    PENDING,
    REPEAT_NONE,
    SENT,
    SKIPPED,
    TARGET_CHANNEL,
    TARGET_DM,
    Delivery,
    Event,
    Reminder,
)
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotFound
from bot.ids import parse_id
from bot.services import guild_settings
from bot.services.event_time import (
    NoSuchTime,
    current_occurrence,
    describe_repeated,
    occurrence_after,
    parse_start,
)
from bot.timeutil import parse_offset, parse_offsets, parse_timezone

WHAT_LIMIT = 1000
MAX_PENDING_PER_MEMBER = 100
_EVENT_REF = re.compile(
    r"^(?:(?P<offset>.+?)\s+(?:before|avant)\s+)?event\s*:\s*#?(?P<id>[0-9]{1,19})$", re.I
)
_IN = re.compile(r"^(?:in|dans)\s+(?P<offset>.+)$", re.I)


NONCE_PREFIX = "liaison-"


def nonce_for(delivery_id: int) -> str:
    """Deterministic, so a retry after a crash sends the very same nonce (Discord: <= 25 chars)."""
    return f"{NONCE_PREFIX}{delivery_id}"[:25]


# -- event reminders -------------------------------------------------------------------------
def _offsets(event: Event) -> list[timedelta]:
    return parse_offsets(event.reminder_offsets) if event.reminder_offsets else []


async def plan_event(
    session: AsyncSession,
    event: Event,
    occurrence: datetime,
    now: datetime,
    *,
    pending_after: datetime | None = None,
) -> list[datetime]:
    """One reminder per offset before ``occurrence``; those already past are written as skipped.

    Returns the moments that are pending, for the scheduler.
    """
    threshold = now if pending_after is None else pending_after
    pending: list[datetime] = []
    for offset in _offsets(event):
        fire_at = occurrence - offset
        passed = fire_at <= threshold
        session.add(
            Reminder(
                guild_id=event.guild_id,
                kind=KIND_EVENT,
                event_id=event.id,
                offset_minutes=int(offset.total_seconds() // 60),
                occurrence_start=occurrence,
                fire_at=fire_at,
                state=SKIPPED if passed else PENDING,
                reason="passed" if passed else None,
                done_at=now if passed else None,
            )
        )
        if not passed:
            pending.append(fire_at)
    await session.flush()
    return pending


async def replan_event(
    session: AsyncSession, event: Event, occurrence: datetime, now: datetime
) -> list[datetime]:
    """After an edit: move the pending reminders to the new time and offsets (passed ones skipped),
    add those for new offsets, and move members' own reminders tied to the event."""
    wanted = {int(offset.total_seconds() // 60) for offset in _offsets(event)}
    rows = list(
        await session.scalars(
            select(Reminder).where(Reminder.event_id == event.id, Reminder.state == PENDING)
        )
    )
    wakeups: list[datetime] = []
    kept: set[int] = set()
    for row in rows:
        offset = row.offset_minutes or 0
        if row.kind == KIND_EVENT and (offset not in wanted or offset in kept):
            row.state, row.reason, row.done_at = SKIPPED, "withdrawn", now
            continue
        if row.kind == KIND_EVENT:
            kept.add(offset)
        row.occurrence_start = occurrence
        row.fire_at = occurrence - timedelta(minutes=offset)
        if row.fire_at <= now:
            row.state, row.reason, row.done_at = SKIPPED, "passed", now
        else:
            wakeups.append(row.fire_at)
    for minutes in sorted(wanted - kept, reverse=True):
        fire_at = occurrence - timedelta(minutes=minutes)
        if fire_at <= now:
            continue
        session.add(
            Reminder(
                guild_id=event.guild_id,
                kind=KIND_EVENT,
                event_id=event.id,
                offset_minutes=minutes,
                occurrence_start=occurrence,
                fire_at=fire_at,
            )
        )
        wakeups.append(fire_at)
    await session.flush()
    return wakeups


async def withdraw_event(session: AsyncSession, event_id: int, now: datetime, *, reason: str) -> None:
    await session.execute(
        update(Reminder)
        .where(Reminder.event_id == event_id, Reminder.state == PENDING)
        .values(state=SKIPPED, reason=reason, done_at=now)
    )


async def roll_forward(session: AsyncSession, now: datetime) -> list[datetime]:
    """Repeating events whose latest planned occurrence has started get the next one planned.

    Reminders of the next occurrence that fell due while nobody rolled (the bot was down) are
    written pending: the delivery engine then sends them late or skips them, by the usual rule.
    """
    rows = await session.scalars(
        select(Event).where(
            Event.repeat != REPEAT_NONE, Event.cancelled_at.is_(None), Event.materialized_until <= now
        )
    )
    wakeups: list[datetime] = []
    for event in rows:
        zone = parse_timezone(event.timezone)
        previous = event.materialized_until
        following = occurrence_after(event.starts_at, zone, event.repeat, previous)
        while following is not None and following <= now:
            previous = following
            following = occurrence_after(event.starts_at, zone, event.repeat, following)
        if following is None:
            continue
        event.materialized_until = following
        wakeups += await plan_event(session, event, following, now, pending_after=previous)
    return wakeups


async def next_due(session: AsyncSession) -> list[datetime]:
    """The earliest pending reminder and the earliest roll-forward, for the scheduler."""
    soonest = await session.scalar(select(func.min(Reminder.fire_at)).where(Reminder.state == PENDING))
    roll = await session.scalar(
        select(func.min(Event.materialized_until)).where(
            Event.repeat != REPEAT_NONE, Event.cancelled_at.is_(None)
        )
    )
    return [moment for moment in (soonest, roll) if moment is not None]


# -- /remind ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    reminder: Reminder
    event_title: str | None = None
    # The time typed occurs twice in the member's zone (the first was taken): what to say.
    repeated: dict[str, str] | None = None


async def zone_for(session: AsyncSession, guild_id: int, user_id: int) -> str:
    """The member's ``/me settings timezone``, else the server's."""
    member = await guild_settings.member(session, guild_id, user_id)
    if member is not None and member.timezone:
        return member.timezone
    return (await guild_settings.get(session, guild_id)).timezone


async def remind(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    when: str,
    what: str,
    now: datetime,
    *,
    language: str | None = None,
) -> Planned:
    """``in 2h``, ``30m``, ``2026-12-01 09:00`` (member's zone), ``event:12``, ``1h before event:12``."""
    text = (what or "").strip()
    if not text:
        raise Invalid("error.required", field="what")
    if len(text) > WHAT_LIMIT:
        raise Invalid("error.too_long", field="what", limit=WHAT_LIMIT)
    pending = await session.scalar(
        select(func.count()).where(
            Reminder.guild_id == guild_id, Reminder.user_id == user_id, Reminder.state == PENDING
        )
    )
    if int(pending or 0) >= MAX_PENDING_PER_MEMBER:
        raise Conflict("reminders.error.too_many", limit=MAX_PENDING_PER_MEMBER)
    row = Reminder(guild_id=guild_id, kind=KIND_PERSONAL, user_id=user_id, text=text, language=language)
    cleaned = (when or "").strip()
    event_ref = _EVENT_REF.match(cleaned)
    title, repeated = None, None
    if event_ref:
        title = await _relative_to_event(session, row, guild_id, event_ref, now)
    else:
        zone = parse_timezone(await zone_for(session, guild_id, user_id))
        row.fire_at, repeated = _absolute(cleaned, zone, now)
    if row.fire_at <= now:
        raise Invalid("reminders.error.past")
    session.add(row)
    await session.flush()
    return Planned(row, title, repeated)


@dataclass(frozen=True)
class PersonalReminder:
    """What ``/remind`` planned, as the member is told it."""

    fire_at: datetime
    event_title: str | None = None
    # The time typed occurs twice in the member's zone (the first was taken): what to say.
    repeated: dict[str, str] | None = None


@unit_of_work
async def remind_member(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    when: str,
    what: str,
    now: datetime,
    *,
    language: str | None = None,
) -> PersonalReminder:
    """``/remind``: ``remind`` in a transaction of its own, answered with plain values."""
    planned = await remind(session, guild_id, user_id, when, what, now, language=language)
    return PersonalReminder(planned.reminder.fire_at, planned.event_title, planned.repeated)


def _absolute(text: str, zone: Any, now: datetime) -> tuple[datetime, dict[str, str] | None]:
    """The moment, and what to say when the wall-clock time occurs twice (the first is taken)."""
    relative = _IN.match(text)
    candidate = relative.group("offset") if relative else text
    try:
        return now + parse_offset(candidate), None
    except Invalid:
        pass
    try:
        start = parse_start(text, zone, now)
        return start.moment, describe_repeated(start, zone) if start.repeated else None
    except NoSuchTime:
        raise  # the clocks skip that time: say so, with the nearest valid times
    except Invalid:
        raise Invalid("reminders.error.bad_when", value=text[:50]) from None


async def _relative_to_event(
    session: AsyncSession, row: Reminder, guild_id: int, match: re.Match[str], now: datetime
) -> str:
    offset = parse_offset(match.group("offset")) if match.group("offset") else timedelta(0)
    event_id = parse_id(match.group("id"))
    event = await session.get(Event, event_id) if event_id is not None else None
    if event is None or event.guild_id != guild_id:
        raise NotFound("events.error.not_found", id=int(match.group("id")))
    if event.cancelled_at is not None:
        raise Invalid("events.error.cancelled", title=event.title)
    zone = parse_timezone(event.timezone)
    occurrence = current_occurrence(event.starts_at, zone, event.repeat, timedelta(0), now)
    if occurrence is None:
        raise Invalid("events.error.over", title=event.title)
    row.event_id, row.offset_minutes = event.id, int(offset.total_seconds() // 60)
    row.occurrence_start, row.fire_at = occurrence, occurrence - offset
    return event.title


async def cancel_personal(
    session: AsyncSession, guild_id: int, user_id: int, reminder_id: int, now: datetime
) -> None:
    row = await session.get(Reminder, reminder_id)
    if row is None or row.guild_id != guild_id or row.user_id != user_id or row.state != PENDING:
        raise NotFound("reminders.error.not_found", id=reminder_id)
    row.state, row.reason, row.done_at = SKIPPED, "withdrawn", now


# -- per-feature hooks -----------------------------------------------------------------------
async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    """Deliveries sent and failed (permanent errors), reminders skipped, late ones."""
    rows = await session.execute(
        select(Delivery.state, func.count()).where(Delivery.guild_id == guild_id).group_by(Delivery.state)
    )
    by_state = {state: int(number) for state, number in rows}
    skipped = await session.scalar(
        select(func.count()).where(Reminder.guild_id == guild_id, Reminder.state == SKIPPED)
    )
    late = await session.scalar(
        select(func.count()).where(
            Delivery.guild_id == guild_id, Delivery.late.is_(True), Delivery.state == SENT
        )
    )
    return {
        "reminders.stats.pending": int(
            await session.scalar(
                select(func.count()).where(
                    Reminder.guild_id == guild_id, Reminder.state.in_((PENDING, CLAIMED))
                )
            )
            or 0
        ),
        "reminders.stats.sent": by_state.get(SENT, 0),
        "reminders.stats.late": int(late or 0),
        "reminders.stats.failed": by_state.get(FAILED, 0),
        "reminders.stats.skipped": int(skipped or 0) + by_state.get(SKIPPED, 0),
    }


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    rows = await session.scalars(
        select(Reminder)
        .where(Reminder.guild_id == guild_id, Reminder.user_id == user_id)
        .order_by(Reminder.id)
    )
    return {
        "reminders": [
            {
                "id": r.id,
                "what": r.text,
                "at": r.fire_at.isoformat(),
                "event_id": r.event_id,
                "state": r.state,
            }
            for r in rows
        ]
    }


async def bot_messages(
    session: AsyncSession, guild_id: int, user_id: int, *, erase_text: bool = False
) -> list[tuple[str, tuple[int, ...], int, int, bool]]:
    """For ``/me delete``: the channel posts of reminders that mentioned the member because their
    DMs were closed (kind ``mentions``: the mention is replaced)."""
    closed = select(Delivery.reminder_id).where(
        Delivery.guild_id == guild_id,
        Delivery.target == TARGET_DM,
        Delivery.target_id == user_id,
        Delivery.error == "dm_closed",  # batches.DM_CLOSED (which imports this module)
    )
    rows = await session.execute(
        select(Delivery.target_id, Delivery.message_id, Delivery.reminder_id).where(
            Delivery.guild_id == guild_id,
            Delivery.target == TARGET_CHANNEL,
            Delivery.reminder_id.in_(closed),
            Delivery.message_id.is_not(None),
        )
    )
    return [
        ("mentions", (channel,), message, reminder, False)
        for channel, message, reminder in rows
        if message is not None
    ]


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Personal reminders go entirely; DM deliveries to the member lose their target."""
    await session.execute(
        delete(Delivery).where(
            Delivery.guild_id == guild_id,
            or_(
                and_(Delivery.target == TARGET_DM, Delivery.target_id == user_id),
                Delivery.reminder_id.in_(
                    select(Reminder.id).where(Reminder.guild_id == guild_id, Reminder.user_id == user_id)
                ),
            ),
        )
    )
    await session.execute(delete(Reminder).where(Reminder.guild_id == guild_id, Reminder.user_id == user_id))
