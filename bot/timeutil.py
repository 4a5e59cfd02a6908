"""The one place for parsing offsets, durations and time zones, and for formatting times."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import Invalid

_OFFSET = re.compile(r"^\s*(\d{1,5})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|j|jours?)\s*$", re.I)
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "j": 1440}
MAX_OFFSET = timedelta(days=366)


def parse_offset(text: str) -> timedelta:
    """``15m``, ``2h``, ``1d`` (also ``1j`` in French) -> a positive timedelta; Invalid otherwise."""
    match = _OFFSET.match(text or "")
    if not match:
        raise Invalid("error.bad_offset", value=(text or "").strip()[:50])
    amount, unit = int(match.group(1)), match.group(2)[0].lower()
    delta = timedelta(minutes=amount * _UNIT_MINUTES[unit])
    if not timedelta(0) < delta <= MAX_OFFSET:
        raise Invalid("error.bad_offset", value=text.strip()[:50])
    return delta


def parse_offsets(text: str) -> list[timedelta]:
    """``1d, 2h, 15m`` -> distinct offsets, largest first."""
    parts = [part for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise Invalid("error.bad_offset", value=(text or "").strip()[:50])
    return sorted({parse_offset(part) for part in parts}, reverse=True)


def parse_duration(text: str) -> timedelta:
    """``90m``, ``2h``, ``3d`` -> a timedelta; Invalid otherwise."""
    try:
        return parse_offset(text)
    except Invalid:
        raise Invalid("error.bad_duration", value=(text or "").strip()[:50]) from None


def format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def format_offsets(deltas: list[timedelta]) -> str:
    return ", ".join(format_offset(d) for d in deltas)


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone by name, case-insensitively; Invalid with a helpful message otherwise."""
    cleaned = (name or "").strip()
    lookup = {zone.lower(): zone for zone in timezone_names()}
    canonical = lookup.get(cleaned.lower().replace(" ", "_"))
    if canonical is None:
        raise Invalid("error.bad_timezone", value=cleaned[:64])
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("error.bad_timezone", value=cleaned[:64]) from None


def search_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Autocomplete: zones whose name contains what was typed, those that start with it first."""
    typed = (prefix or "").strip().lower().replace(" ", "_")
    names = timezone_names()
    if not typed:
        return list(names[:limit])
    starts = [n for n in names if n.lower().startswith(typed) or n.lower().split("/")[-1].startswith(typed)]
    contains = [n for n in names if typed in n.lower() and n not in starts]
    return (starts + contains)[:limit]


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """``<t:…:F>``: each reader sees the moment in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"
