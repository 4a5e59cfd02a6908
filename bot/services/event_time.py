"""Reading the times people type, and expanding repeats in the event's own time zone.

Repeats are expanded on the *wall clock* of the event's zone (an RFC 5545 rule on naive local
times, then localised with zoneinfo), so a weekly 09:00 in Paris stays 09:00 in Paris when daylight
saving starts or ends, and the bot agrees with the ``RRULE`` of the ``.ics`` file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from bot.errors import Invalid

REPEATS = ("none", "weekly", "monthly")
_FREQ: dict[str, Literal[1, 2]] = {"weekly": WEEKLY, "monthly": MONTHLY}
_STRICT = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[:h](\d{2})\s*$")
# "14h", "14h30", "9 h 05" -> "14:00", "14:30", "9:05" (dateparser reads "14h" as a duration).
_FRENCH_HOUR = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?\b", re.I)
_PARSER_LANGUAGES = ["en", "fr"]


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC instant."""
    return naive.replace(tzinfo=zone).astimezone(UTC)


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of a UTC instant in ``zone``."""
    return moment.astimezone(zone).replace(tzinfo=None)


def parse_repeat(text: str | None) -> str:
    value = (text or "none").strip().lower()
    aliases = {"hebdomadaire": "weekly", "mensuel": "monthly", "mensuelle": "monthly", "aucune": "none"}
    value = aliases.get(value, value)
    if value not in REPEATS:
        raise Invalid("events.error.bad_repeat", value=(text or "")[:30])
    return value


def parse_moment(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """``YYYY-MM-DD HH:MM`` in ``zone``, or a natural phrase (``tomorrow 14:00``, ``demain 14h``).

    Returns an aware UTC datetime; Invalid when nothing sensible can be read.
    """
    cleaned = (text or "").strip()
    strict = _STRICT.match(cleaned)
    if strict:
        year, month, day, hour, minute = (int(part) for part in strict.groups())
        try:
            return localize(datetime(year, month, day, hour, minute), zone)
        except ValueError:
            raise Invalid("events.error.bad_start", value=cleaned[:50]) from None
    moment = _natural(cleaned, zone, now)
    if moment is None:
        raise Invalid("events.error.bad_start", value=cleaned[:50])
    return moment


def _natural(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    if not text or len(text) > 100:
        return None
    import dateparser  # imported on first use: it is slow to load

    phrase = _FRENCH_HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)
    parsed = dateparser.parse(
        phrase,
        languages=_PARSER_LANGUAGES,
        settings={
            "TIMEZONE": zone.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": wall_clock(now, zone),
            "PREFER_DATES_FROM": "future",
        },
    )
    if parsed is None:
        return None
    return localize(parsed.replace(tzinfo=None), zone)


def _rule(first_start: datetime, zone: ZoneInfo, repeat: str) -> rrule:
    return rrule(_FREQ[repeat], dtstart=wall_clock(first_start, zone))


def occurrence_after(
    first_start: datetime, zone: ZoneInfo, repeat: str, after: datetime, *, inclusive: bool = False
) -> datetime | None:
    """The first occurrence starting after ``after`` (or at it, when inclusive); None if none."""
    if repeat not in _FREQ:
        if first_start > after or (inclusive and first_start == after):
            return first_start
        return None
    if after < first_start:
        return first_start
    found = _rule(first_start, zone, repeat).after(wall_clock(after, zone), inc=inclusive)
    if found is None:
        return None
    moment = localize(found, zone)
    # Around a fall-back change the wall clock repeats an hour: never step backwards.
    if moment < after or (moment == after and not inclusive):
        return occurrence_after(first_start, zone, repeat, after + timedelta(hours=1), inclusive=inclusive)
    return moment


def occurrences(first_start: datetime, zone: ZoneInfo, repeat: str, count: int) -> list[datetime]:
    """The first ``count`` occurrences, in UTC."""
    if repeat not in _FREQ:
        return [first_start]
    return [localize(moment, zone) for moment in islice(_rule(first_start, zone, repeat), count)]


def current_occurrence(
    first_start: datetime, zone: ZoneInfo, repeat: str, duration: timedelta, now: datetime
) -> datetime | None:
    """The occurrence running now, else the next one; None when a one-off event is over."""
    candidate = occurrence_after(first_start, zone, repeat, now - duration, inclusive=False)
    return candidate


def warm_up_parser() -> None:
    """Load dateparser's language data ahead of the first natural phrase (it takes a while)."""
    _natural("tomorrow 14:00", ZoneInfo("UTC"), datetime(2026, 1, 1, tzinfo=UTC))
    _natural("demain 14:00", ZoneInfo("UTC"), datetime(2026, 1, 1, tzinfo=UTC))
