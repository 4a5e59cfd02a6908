"""Reading the times people type, and expanding repeats in the event's own time zone.

Repeats are expanded on the *wall clock* of the event's zone (an RFC 5545 rule on naive local
times, then localised with zoneinfo), so a weekly 09:00 in Paris stays 09:00 in Paris when daylight
saving starts or ends, and the bot agrees with the ``RRULE`` of the ``.ics`` file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    """A wall-clock time in ``zone`` as an aware UTC instant.

    RFC 5545's reading (§3.3.5), which is zoneinfo's ``fold=0``: a time that occurs twice is the
    first; a time in a spring-forward gap is read at the offset before the gap (02:30 -> 03:30).
    Later occurrences of a series follow it; a start a member types goes through ``resolve``."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


class NoSuchTime(Invalid):
    """A wall-clock time skipped by a change of the clocks (``events.error.no_such_time``)."""


@dataclass(frozen=True)
class LocalStart:
    """A typed wall-clock time resolved in its zone; ``second`` is set when the time occurs twice
    (``moment`` is then the first of the two)."""

    moment: datetime
    local: datetime
    zone: str
    second: datetime | None = None

    @property
    def repeated(self) -> bool:
        return self.second is not None


def _offset_text(offset: timedelta | None) -> str:
    seconds = int((offset or timedelta(0)).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def _change_between(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The instant in (low, high] at which ``zone``'s offset changes (changes fall on whole
    seconds: within a second of it, ``high`` rounded down is the change)."""
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def resolve(naive: datetime, zone: ZoneInfo) -> LocalStart:
    """A typed wall-clock time as an instant; NoSuchTime when the clocks skip it."""
    first = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    moment = first.astimezone(UTC)
    if first.utcoffset() == later.utcoffset():
        return LocalStart(moment, naive, zone.key)
    if wall_clock(moment, zone) == naive:  # it occurs twice: the first is taken
        return LocalStart(moment, naive, zone.key, second=later.astimezone(UTC))
    before, after = first.utcoffset() or timedelta(0), later.utcoffset() or timedelta(0)
    change = _change_between(later.astimezone(UTC), moment, zone)
    gap_start = change.replace(tzinfo=None) + before
    gap_end = change.replace(tzinfo=None) + after
    raise NoSuchTime(
        "events.error.no_such_time",
        value=_minute(naive),
        zone=zone.key,
        gap_from=gap_start.strftime("%H:%M"),
        gap_to=gap_end.strftime("%H:%M"),
        earlier=_minute(gap_start - timedelta(minutes=1)),
        later=_minute(gap_end),
        shifted_back=_minute(naive - (after - before)),
        shifted=_minute(naive + (after - before)),
    )


def describe_repeated(start: LocalStart, zone: ZoneInfo) -> dict[str, str]:
    """Parameters of ``events.start_repeated``: the time, the zone and the two offsets."""
    assert start.second is not None
    return {
        "value": _minute(start.local),
        "zone": start.zone,
        "first": _offset_text(start.moment.astimezone(zone).utcoffset()),
        "second": _offset_text(start.second.astimezone(zone).utcoffset()),
    }


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

    Returns an aware UTC datetime; Invalid when nothing sensible can be read, NoSuchTime when the
    clocks skip that time; a time that occurs twice is the first.
    """
    return parse_start(text, zone, now).moment


def parse_start(text: str, zone: ZoneInfo, now: datetime) -> LocalStart:
    """``parse_moment``, saying whether the time occurs twice in ``zone``."""
    cleaned = (text or "").strip()
    strict = _STRICT.match(cleaned)
    if strict:
        year, month, day, hour, minute = (int(part) for part in strict.groups())
        try:
            naive = datetime(year, month, day, hour, minute)
        except ValueError:
            raise Invalid("events.error.bad_start", value=cleaned[:50]) from None
        return resolve(naive, zone)
    naive_or_none = _natural(cleaned, zone, now)
    if naive_or_none is None:
        raise Invalid("events.error.bad_start", value=cleaned[:50])
    return resolve(naive_or_none, zone)


def _natural(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The naive wall-clock time a phrase names in ``zone``; None if it names none."""
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
    return parsed.replace(tzinfo=None)


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
