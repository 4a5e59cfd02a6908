"""What ``/event create`` and ``/event edit`` may set, checked and applied to the event's row."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db.models.events import Event
from bot.errors import Invalid
from bot.services.event_time import (
    LocalStart,
    describe_repeated,
    parse_repeat,
    parse_start,
    resolve,
    wall_clock,
)
from bot.services.events.values import EventInput
from bot.timeutil import format_offsets, parse_duration, parse_offsets, parse_timezone

TITLE_LIMIT = 200
LOCATION_LIMIT = 500
DESCRIPTION_LIMIT = 3000
MAX_CAPACITY = 100_000
DEFAULT_DURATION = timedelta(hours=1)
NO_REMINDERS = ("none", "aucun", "aucune", "0")


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


def apply_input(row: Event, data: EventInput, now: datetime, *, creating: bool) -> dict[str, str] | None:
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
