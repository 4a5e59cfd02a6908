"""A ``VTIMEZONE`` read from the time zone database itself, right for every instant from a start on.

Why not ``icalendar.Timezone.from_tzid``: it writes each observance's ``DTSTART`` as the local
time *after* the change (RFC 5545 §3.6.5 wants the local time before it, read at
``TZOFFSETFROM``), which puts every spring change an hour late, and it lists transitions for a few
years only, so a series without end goes wrong once they run out.

Here the zone's own compiled file (TZif, RFC 8536, the very file ``zoneinfo`` reads: ``TZPATH``
first, then the ``tzdata`` package) gives:

- its table of transitions, written one observance each (``DTSTART`` = the instant of the change
  in the local time before it, ``TZOFFSETFROM``/``TZOFFSETTO`` the offsets around it);
- its footer, the POSIX TZ rule that holds after the table (``CET-1CEST,M3.5.0,M10.5.0/3``),
  written as two observances with yearly ``RRULE`` s and no end. The table's last transitions that
  the rule reproduces are folded into them, so a file usually holds just those two.

POSIX rule times are "local time in effect before the change", exactly RFC 5545's reading, and may
fall outside 0-24 h (``M3.4.4/26``: the Friday after the fourth Thursday, 02:00); such a day shift
becomes a window of seven month days with ``BYMONTHDAY`` + ``BYDAY``, split in two observances when
the window crosses the end of the month. A rule that cannot be written as a yearly ``RRULE`` (none
in today's database) is written as explicit transitions for ``FALLBACK_YEARS``.
"""

from __future__ import annotations

import calendar
import os
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import TZPATH

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

FALLBACK_YEARS = 100
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX numbering: 0 = Sunday
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset: at ``at`` (UTC seconds) from ``before`` to ``after`` (seconds)."""

    at: int
    before: int
    after: int
    name: str
    dst: bool
    was_dst: bool = False


@dataclass(frozen=True)
class RuleDate:
    """``Mm.w.d/time``: weekday ``d`` (0 = Sunday) of week ``w`` (5 = last) of month ``m``, at
    ``time`` seconds after local midnight (may be negative or past 24 h)."""

    month: int
    week: int
    weekday: int
    time: int
    julian: int | None = None  # ``Jn`` (1-365, 29 February never counted) as ``n``; ``n`` as ``-1 - n``

    def local(self, year: int) -> datetime:
        if self.julian is not None:
            if self.julian > 0:
                leap_day = calendar.isleap(year) and self.julian >= 60
                moment = datetime(year, 1, 1) + timedelta(days=self.julian - 1 + leap_day)
            else:
                moment = datetime(year, 1, 1) + timedelta(days=-1 - self.julian)
            return moment + timedelta(seconds=self.time)
        first = date(year, self.month, 1)
        day = 1 + (self.weekday - (first.isoweekday() % 7)) % 7 + 7 * (self.week - 1)
        while day > calendar.monthrange(year, self.month)[1]:
            day -= 7
        return datetime(year, self.month, day) + timedelta(seconds=self.time)


@dataclass(frozen=True)
class Rule:
    """The POSIX TZ footer: standard and summer offsets (seconds east) and when each begins."""

    std_name: str
    std: int
    dst_name: str | None = None
    dst: int | None = None
    dst_start: RuleDate | None = None  # std -> dst, in standard local time
    dst_end: RuleDate | None = None  # dst -> std, in summer local time
    expressible: bool = True

    def transitions(self, year: int) -> list[Transition]:
        if self.dst is None or self.dst_start is None or self.dst_end is None or self.dst_name is None:
            return []
        start = self.dst_start.local(year) - timedelta(seconds=self.std)
        end = self.dst_end.local(year) - timedelta(seconds=self.dst)
        found = [
            Transition(_seconds(start), self.std, self.dst, self.dst_name, True, False),
            Transition(_seconds(end), self.dst, self.std, self.std_name, False, True),
        ]
        return sorted(found, key=lambda t: t.at)


@dataclass(frozen=True)
class ZoneData:
    transitions: tuple[Transition, ...]  # offset changes only, in order
    initial: Transition  # the time type before the first transition (``at`` unused)
    rule: Rule | None


def _seconds(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _naive(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


# -- reading the compiled zone ------------------------------------------------------------------
def _tzif_bytes(key: str) -> bytes:
    """The file ``zoneinfo.ZoneInfo(key)`` reads: the first match on ``TZPATH``, else ``tzdata``."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", key):
        raise ValueError(f"bad zone key {key!r}")
    for folder in TZPATH:
        path = os.path.join(folder, key)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                return handle.read()
    return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()


def _parse_tzif(data: bytes) -> tuple[list[int], list[int], list[tuple[int, bool, str]], str]:
    """Transition times, their type indices, the types (offset, dst, name) and the footer."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    version = data[4:5]
    counts = struct.unpack(">6l", data[20:44])
    isut, isstd, leap, timecnt, typecnt, charcnt = counts
    offset, size = 44, 4
    if version >= b"2":  # skip the 32-bit block, read the 64-bit one
        offset += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
        isut, isstd, leap, timecnt, typecnt, charcnt = struct.unpack(">6l", data[offset + 20 : offset + 44])
        offset, size = offset + 44, 8
    times = list(
        struct.unpack(f">{timecnt}{'q' if size == 8 else 'l'}", data[offset : offset + timecnt * size])
    )
    offset += timecnt * size
    indices = list(data[offset : offset + timecnt])
    offset += timecnt
    raw_types = [struct.unpack(">lBB", data[offset + 6 * i : offset + 6 * i + 6]) for i in range(typecnt)]
    offset += typecnt * 6
    chars = data[offset : offset + charcnt]
    offset += charcnt + leap * (size + 4) + isstd + isut
    types = [
        (utoff, bool(dst), chars[index : chars.index(b"\0", index)].decode())
        for utoff, dst, index in raw_types
    ]
    footer = ""
    if version >= b"2":
        footer = data[offset:].strip(b"\n").split(b"\n")[0].decode() if data[offset:].strip() else ""
    return times, indices, types, footer


_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_DATE = r"(M\d{1,2}\.\d\.\d|J?\d{1,3})(?:/" + _OFFSET + r")?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?(?:,{_DATE},{_DATE})?)?$")


def _clock(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _rule_date(text: str, time: str | None) -> tuple[RuleDate | None, bool]:
    seconds = _clock(time) if time else 7200
    if not text.startswith("M"):  # Jn or n: a day of the year, written as explicit transitions
        number = int(text.lstrip("J"))
        return RuleDate(0, 0, 0, seconds, julian=number if text.startswith("J") else -1 - number), False
    month, week, weekday = (int(part) for part in text[1:].split("."))
    return RuleDate(month, week, weekday, seconds), True


def parse_posix(footer: str) -> Rule | None:
    """A POSIX TZ string (``EST5EDT,M3.2.0,M11.1.0``); None when empty or unreadable."""
    match = _POSIX.match(footer.strip())
    if match is None:
        return None
    std_name, std_off, dst_name, dst_off, start, start_time, end, end_time = match.groups()
    std = -_clock(std_off)  # POSIX offsets count west of Greenwich
    if dst_name is None:
        return Rule(std_name.strip("<>"), std)
    dst = -_clock(dst_off) if dst_off else std + 3600
    if start is None or end is None:  # summer time without a rule: POSIX's default is US rules
        return Rule(std_name.strip("<>"), std, dst_name.strip("<>"), dst, expressible=False)
    begins, ok_start = _rule_date(start, start_time)
    ends, ok_end = _rule_date(end, end_time)
    return Rule(std_name.strip("<>"), std, dst_name.strip("<>"), dst, begins, ends, ok_start and ok_end)


@cache
def zone_data(key: str) -> ZoneData:
    times, indices, types, footer = _parse_tzif(_tzif_bytes(key))
    first_type = types[0] if types else (0, False, "UTC")
    initial = Transition(0, first_type[0], first_type[0], first_type[2], first_type[1])
    changes: list[Transition] = []
    current, current_dst = first_type[0], first_type[1]
    for at, index in zip(times, indices, strict=True):
        utoff, dst, name = types[index]
        if utoff != current:
            changes.append(Transition(at, current, utoff, name, dst, current_dst))
        current, current_dst = utoff, dst
    return ZoneData(tuple(changes), initial, parse_posix(footer))


# -- writing the component ----------------------------------------------------------------------
def _observance(
    change: Transition, rrule: dict[str, object] | None = None
) -> TimezoneStandard | TimezoneDaylight:
    """One change. DAYLIGHT when the clocks go forward into or out of what the database calls
    summer time, as the database's "rearguard" form and calendar software expect: Dublin's and
    Casablanca's "negative summer time" read as STANDARD in winter and Ramadan (readers such as
    dateutil resolve repeated hours with the DAYLIGHT/STANDARD split), and a change of standard
    time (Kiritimati's jump of a whole day in 1994) stays STANDARD."""
    forward = change.after > change.before
    daylight = forward and (change.dst or change.was_dst or rrule is not None)
    part = TimezoneDaylight() if daylight else TimezoneStandard()
    part.add("dtstart", _naive(change.at + change.before))  # local time before the change
    part.add("tzoffsetfrom", timedelta(seconds=change.before))
    part.add("tzoffsetto", timedelta(seconds=change.after))
    if change.name:
        part.add("tzname", change.name)
    if rrule:
        part.add("rrule", rrule)
    else:  # the onset again: some readers (the ical library) take only RRULE and RDATE onsets
        part.add("rdate", _naive(change.at + change.before))
    return part


def _window(when: RuleDate) -> list[tuple[int, list[int], int]] | None:
    """The rule's days as yearly-RRULE parts ``(month, BYMONTHDAY list or [], weekday)``; the
    first part is ``[]`` (plain ``BYDAY=nWD``) when no day shift applies. None if not expressible."""
    if when.julian is not None:
        return None
    shift, _rest = divmod(when.time, 86400)
    weekday = (when.weekday + shift) % 7
    if shift == 0:
        return [(when.month, [], when.weekday)]
    parts: dict[int, list[int]] = {}
    if when.week < 5:
        length = calendar.monthrange(2001, when.month)[1]
        for base in range(7 * (when.week - 1) + 1, 7 * when.week + 1):
            day = base + shift
            if when.month == 2 and day > 28:
                return None  # February's length varies
            if day < -20:
                return None
            if day <= 0:
                parts.setdefault(-1, []).append(day - 1)  # 0 -> the previous month's last day
            elif day > length:
                parts.setdefault(1, []).append(day - length)
            else:
                parts.setdefault(0, []).append(day)
    else:
        for base in range(-7, 0):
            day = base + shift
            if day < -28:
                return None
            if day >= 0:
                parts.setdefault(1, []).append(day + 1)  # 0 -> the next month's first day
            else:
                parts.setdefault(0, []).append(day)
    return [
        ((when.month + moved - 1) % 12 + 1, sorted(days), weekday) for moved, days in sorted(parts.items())
    ]


def _rrule(month: int, days: list[int], weekday: int, week: int) -> dict[str, object]:
    if not days:
        return {
            "freq": "yearly",
            "bymonth": month,
            "byday": f"{-1 if week == 5 else week}{_WEEKDAYS[weekday]}",
        }
    return {"freq": "yearly", "bymonth": month, "bymonthday": days, "byday": _WEEKDAYS[weekday]}


def _rule_observances(rule: Rule, since: int) -> list[TimezoneStandard | TimezoneDaylight]:
    """Yearly-RRULE observances whose first onsets are the rule's first changes at or after ``since``."""
    assert rule.dst_start is not None and rule.dst_end is not None
    out = []
    for when, starts_summer in ((rule.dst_start, True), (rule.dst_end, False)):
        parts = _window(when)
        assert parts is not None
        year = _naive(since).year - 1
        for month, days, weekday in parts:
            # the first change at or after ``since`` that falls in this part's month
            for candidate_year in range(year, year + 30):
                change = next(t for t in rule.transitions(candidate_year) if t.dst == starts_summer)
                if change.at >= since and _naive(change.at + change.before).month == month:
                    out.append(_observance(change, _rrule(month, days, weekday, when.week)))
                    break
    return out


def _rule_folds_from(data: ZoneData) -> int | None:
    """The index of the first table transition from which the footer rule reproduces the rest."""
    rule = data.rule
    if rule is None or not rule.expressible or rule.dst_start is None or rule.dst_end is None:
        return None
    if _window(rule.dst_start) is None or _window(rule.dst_end) is None:
        return None
    table = data.transitions
    if not table:
        return 0
    years = range(_naive(table[0].at).year - 1, _naive(table[-1].at).year + 2)
    generated = {(t.at, t.before, t.after) for year in years for t in rule.transitions(year)}
    index = len(table)
    while index > 0 and (table[index - 1].at, table[index - 1].before, table[index - 1].after) in generated:
        index -= 1
    if index < len(table):  # the rule must not have changes the table lacks in that stretch
        span = [at for at, _b, _a in generated if table[index].at <= at <= table[-1].at]
        if len(span) != len(table) - index:
            return len(table)
    return index


def vtimezone(key: str, since: datetime, until: datetime | None = None) -> Timezone:
    """``VTIMEZONE`` for zone ``key``, right for every instant from ``since`` (to ``until``, or
    for ever when None)."""
    data = zone_data(key)
    start = int(since.astimezone(UTC).timestamp())
    end = int(until.astimezone(UTC).timestamp()) if until is not None else None
    folded_from = _rule_folds_from(data)
    table = list(data.transitions)
    rule_since: int | None = None
    explicit: list[Transition] = table
    if folded_from is not None and data.rule is not None and data.rule.dst is not None:
        explicit = table[:folded_from]
        rule_since = (
            table[folded_from].at if folded_from < len(table) else (table[-1].at + 1 if table else start)
        )
    elif data.rule is not None and data.rule.dst is not None:  # a rule no RRULE of ours writes
        horizon = (_naive(end).year if end is not None else _naive(start).year + FALLBACK_YEARS) + 1
        last = table[-1].at if table else start
        first_year = _naive(last).year
        explicit = table + [
            t for year in range(first_year, horizon + 1) for t in data.rule.transitions(year) if t.at > last
        ]
    # From the last change at or before ``start`` (it sets the offset in force then) on.
    before = [i for i, t in enumerate(explicit) if t.at <= start]
    first = before[-1] if before else 0
    kept = [t for t in explicit[first:] if end is None or t.at <= end]
    if rule_since is not None and rule_since <= start:
        kept = []
    zone = Timezone()
    zone.add("tzid", key)
    for change in kept:
        zone.add_component(_observance(change))
    if rule_since is not None and (end is None or rule_since <= end or not kept):
        assert data.rule is not None
        for part in _rule_observances(data.rule, rule_since):
            zone.add_component(part)
    if not zone.subcomponents:  # no change ever (UTC, Etc/GMT+5): one fixed observance
        offset = data.transitions[-1].after if data.transitions else data.initial.after
        name = data.transitions[-1].name if data.transitions else data.initial.name
        zone.add_component(_observance(Transition(-offset, offset, offset, name, False)))  # 1970-01-01
    return zone
