"""``/event ics``: an RFC 5545 calendar file for one event, built with the icalendar library.

The start is written in the event's own zone (``DTSTART;TZID=Europe/Paris:…``) with the matching
``VTIMEZONE`` (transitions from the event's first year on), and repeats as an ``RRULE``, so
Outlook and Google Calendar keep 09:00 Paris at 09:00 Paris across daylight-saving changes.
icalendar folds long lines and ends every line with CRLF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PRODID = "-//Liaison//Events//EN"
VTIMEZONE_YEARS = 5
RRULE_FREQ = {"weekly": "WEEKLY", "monthly": "MONTHLY"}


@dataclass(frozen=True)
class IcsEvent:
    """What the file says; plain values so the builder does not depend on the database."""

    id: int
    guild_id: int
    title: str
    starts_at: datetime
    timezone: str
    duration: timedelta
    repeat: str
    location: str | None = None
    description: str | None = None
    url: str | None = None
    cancelled: bool = False


def build(event: IcsEvent, now: datetime) -> bytes:
    zone = ZoneInfo(event.timezone)
    local_start = event.starts_at.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    if event.timezone != "UTC":
        first = date(local_start.year, 1, 1)
        calendar.add_component(
            Timezone.from_tzid(
                event.timezone, first_date=first, last_date=date(first.year + VTIMEZONE_YEARS, 1, 1)
            )
        )
    vevent = Event()
    vevent.add("uid", f"event-{event.id}-{event.guild_id}@liaison")
    vevent.add("dtstamp", now)
    vevent.add("dtstart", local_start if event.timezone != "UTC" else event.starts_at)
    vevent.add("dtend", (local_start if event.timezone != "UTC" else event.starts_at) + event.duration)
    vevent.add("summary", event.title)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.repeat in RRULE_FREQ:
        vevent.add("rrule", {"freq": RRULE_FREQ[event.repeat]})
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def filename(event: IcsEvent) -> str:
    return f"event-{event.id}.ics"
