"""An event's life: created, edited (its reminders move with it), announced, cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import REPEAT_NONE, Event
from bot.db.unit import unit_of_work
from bot.errors import Invalid
from bot.services import audit, guild_settings, reminders
from bot.services.event_time import current_occurrence
from bot.services.events.answers import attendee_ids, promote_after_capacity_change
from bot.services.events.finding import get, get_open
from bot.services.events.validation import apply_input
from bot.services.events.values import Change, EventInfo, EventInput
from bot.timeutil import parse_timezone


@unit_of_work
async def create(
    session: AsyncSession, guild_id: int, actor_id: int | None, data: EventInput, now: datetime
) -> Change:
    """A new event with its first occurrence's reminders; audited."""
    if data.start is None:
        raise Invalid("error.required", field="start")
    settings = await guild_settings.get(session, guild_id)
    row = Event(guild_id=guild_id, created_by=actor_id, duration_minutes=60, repeat=REPEAT_NONE)
    row.reminder_offsets = settings.reminder_offsets
    repeated = apply_input(row, data, now, creating=True)
    row.materialized_until = row.starts_at
    row.channel_id = settings.events_channel_id
    row.rsvp_seq = 0
    session.add(row)
    await session.flush()
    wakeups = await reminders.plan_event(session, row, row.starts_at, now)
    await audit.record(session, guild_id, actor_id, "event.create", f"#{row.id} {row.title}")
    return Change(EventInfo.from_row(row), wakeups=wakeups, repeated=repeated)


@unit_of_work
async def edit(
    session: AsyncSession, guild_id: int, actor_id: int | None, event_id: int, data: EventInput, now: datetime
) -> Change:
    """Change what was given; a new time or offsets move the pending reminders."""
    if not data.given():
        raise Invalid("events.error.nothing_to_edit")
    row = await get_open(session, guild_id, event_id)
    before = (row.starts_at, row.repeat, row.reminder_offsets)
    repeated = apply_input(row, data, now, creating=False)
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
        EventInfo.from_row(row),
        wakeups=wakeups,
        time_changed=time_changed,
        notify=notify,
        promoted=promoted,
        repeated=repeated,
    )


@unit_of_work
async def cancel(
    session: AsyncSession, guild_id: int, actor_id: int | None, event_id: int, now: datetime
) -> Change:
    """Cancel: reminders withdrawn, attendees to be told; the event stays for the record."""
    row = await get_open(session, guild_id, event_id)
    row.cancelled_at = now
    await reminders.withdraw_event(session, row.id, now, reason="cancelled")
    await audit.record(session, guild_id, actor_id, "event.cancel", f"#{row.id} {row.title}")
    return Change(EventInfo.from_row(row), notify=await attendee_ids(session, row.id))


@unit_of_work
async def set_announcement(
    session: AsyncSession, guild_id: int, event_id: int, channel_id: int, message_id: int
) -> None:
    row = await get(session, guild_id, event_id)
    row.channel_id, row.message_id = channel_id, message_id
