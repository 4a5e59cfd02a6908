"""``/event ics``: an RFC 5545 calendar file for one event or a server's whole programme.

Each start is written in the event's own zone (``DTSTART;TZID=Europe/Paris:…``) with the matching
``VTIMEZONE``, read from the time zone database by ``bot.vtimezone`` so that it is right for every
occurrence of a series without end (yearly-``RRULE`` observances, onsets at the database's
instants), and repeats as an ``RRULE``, so Outlook and Google Calendar keep 09:00 Paris at 09:00
Paris across daylight-saving changes. icalendar folds long lines and ends every line with CRLF.

In a whole-programme file the caller's own answer is marked on each event: ``X-LIAISON-RSVP``
(``GOING``, ``MAYBE``, ``NOT_GOING``, ``WAITING``), a first line of the description, and
``TRANSP``: busy only for the events they are going to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from bot.vtimezone import vtimezone

PRODID = "-//Liaison//Events//EN"
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
    rsvp: str | None = None  # the caller's answer (whole-programme files)
    rsvp_note: str | None = None  # the same, in the caller's words, for the description


def build(event: IcsEvent, now: datetime) -> bytes:
    return build_many([event], now, method="CANCEL" if event.cancelled else "PUBLISH")


def build_many(items: Sequence[IcsEvent], now: datetime, *, method: str = "PUBLISH") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for zone_key in sorted({item.timezone for item in items if item.timezone != "UTC"}):
        calendar.add_component(_zone(zone_key, [item for item in items if item.timezone == zone_key]))
    for item in items:
        calendar.add_component(_vevent(item, now))
    return bytes(calendar.to_ical())


def _zone(key: str, items: Sequence[IcsEvent]) -> Timezone:
    """One VTIMEZONE right from the earliest start on: for ever when a series repeats."""
    since = min(item.starts_at for item in items)
    forever = any(item.repeat in RRULE_FREQ for item in items)
    until = None if forever else max(item.starts_at + item.duration for item in items)
    return vtimezone(key, since, until)


def _vevent(event: IcsEvent, now: datetime) -> Event:
    utc = event.timezone == "UTC"
    start = event.starts_at if utc else event.starts_at.astimezone(ZoneInfo(event.timezone))
    vevent = Event()
    vevent.add("uid", f"event-{event.id}-{event.guild_id}@liaison")
    vevent.add("dtstamp", now)
    vevent.add("dtstart", start)
    vevent.add("dtend", start + event.duration)
    vevent.add("summary", event.title)
    if event.location:
        vevent.add("location", event.location)
    description = "\n\n".join(part for part in (event.rsvp_note, event.description) if part)
    if description:
        vevent.add("description", description)
    if event.url:
        vevent.add("url", event.url)
    if event.repeat in RRULE_FREQ:
        vevent.add("rrule", {"freq": RRULE_FREQ[event.repeat]})
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.rsvp:
        vevent.add("x-liaison-rsvp", event.rsvp.upper())
        vevent.add("transp", "OPAQUE" if event.rsvp == "going" else "TRANSPARENT")
    return vevent


def filename(event: IcsEvent) -> str:
    return f"event-{event.id}.ics"
