"""The ``.ics`` file's VTIMEZONE is right for every occurrence, checked by independent readers.

Two readers that never look the TZID up in the time zone database:

- python-dateutil's ``tz.tzical`` (what icalendar uses for a zone it does not know by name) builds
  a time zone from the VTIMEZONE text alone; the event's RRULE is expanded with ``rrulestr``;
- the ``ical`` library (its own parser, VTIMEZONE model and recurrence timeline) reads the whole
  file, its TZID renamed to a name no database knows, and lists the occurrences itself.

Every occurrence they read from the file must be the instant zoneinfo gives for the same
wall-clock time.

Wall-clock times the clocks skip (a weekly 02:30 meets one a year in Paris) are left out of the
comparison: RFC 5545 reads them at the offset before the gap, dateutil at the offset after, so the
two readers legitimately differ there. Starts typed by members never fall there (they are refused).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from dateutil.tz import tzical
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from bot import vtimezone as vtz
from bot.ics import IcsEvent, build
from bot.services.event_time import occurrences
from bot.vtimezone import Transition, ZoneData, parse_posix, vtimezone

NOW = datetime(2026, 1, 5, tzinfo=UTC)
YEARS = 20
ZONES = (
    # Europe, with and without summer time, and rule changes (Kyiv renamed, Moscow, Istanbul, Minsk)
    "Europe/Paris", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Moscow",
    "Europe/Istanbul", "Europe/Kyiv", "Europe/Minsk",
    # North America
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "America/St_Johns", "America/Havana",
    "America/Mexico_City",  # summer time abolished in 2022
    "America/Nuuk",  # changed its rules in 2023 (-02 with summer time at -01:00 local)
    "America/Miquelon",
    # South America (southern hemisphere summers)
    "America/Sao_Paulo",  # abolished 2019
    "America/Santiago",  # changes on "Saturday 24:00"
    "America/Asuncion",  # permanent -03 since 2024
    "America/Bogota", "America/Caracas", "Pacific/Easter",
    # Africa and the Middle East
    "Africa/Cairo",  # reintroduced 2023; ends on "the day after the last Thursday"
    "Africa/Casablanca",  # Ramadan changes: explicit transitions until 2087
    "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
    "Asia/Gaza",  # explicit table, then the rule "Saturday after the 4th Thursday"
    "Asia/Jerusalem", "Asia/Beirut",
    "Asia/Tehran",  # abolished 2022
    "Asia/Amman", "Asia/Damascus",  # permanent +03 since 2022
    # Asia
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Shanghai", "Asia/Tokyo", "Asia/Phnom_Penh",
    # Oceania
    "Australia/Sydney", "Australia/Adelaide", "Australia/Lord_Howe",  # 30-minute summer time
    "Australia/Brisbane", "Australia/Perth", "Pacific/Auckland", "Pacific/Chatham",
    "Pacific/Apia",  # abolished 2021
    "Pacific/Fiji",  # suspended since 2022
    "Pacific/Norfolk", "Pacific/Kiritimati",
    # and the odd ones
    "Antarctica/Troll",  # a two-hour change
    "Atlantic/Azores", "Etc/GMT+5",
)  # fmt: skip


def _reader(raw: bytes, key: str):  # type: ignore[no-untyped-def]
    """The file's own VTIMEZONE as a tzinfo, and the event's wall-clock start and RRULE text."""
    calendar = Calendar.from_ical(raw)
    (component,) = [c for c in calendar.walk("VTIMEZONE") if str(c["TZID"]) == key]
    zone = tzical(io.StringIO(component.to_ical().decode())).get()
    text = raw.decode().split("BEGIN:VEVENT")[1]
    start_line = next(line for line in text.split("\r\n") if line.startswith("DTSTART;TZID="))
    assert start_line.startswith(f"DTSTART;TZID={key}:")
    wall = datetime.strptime(start_line.split(":", 1)[1], "%Y%m%dT%H%M%S")
    rule = next(line for line in text.split("\r\n") if line.startswith("RRULE:"))
    return zone, wall, rule


def _skipped(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall


def _check_series(key: str, wall: datetime, repeat: str) -> int:
    zone = ZoneInfo(key)
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    event = IcsEvent(1, 1, "Series", first, key, timedelta(hours=1), repeat)
    raw = build(event, NOW)
    reader_zone, file_wall, rule = _reader(raw, key)
    assert file_wall == wall
    end = wall.replace(year=wall.year + YEARS)
    walls: list[datetime] = []
    for moment in rrulestr(rule, dtstart=file_wall):
        if moment >= end:
            break
        walls.append(moment)
    expected = occurrences(first, zone, repeat, len(walls))
    compared = 0
    for moment, instant in zip(walls, expected, strict=True):
        if _skipped(moment, zone):
            continue
        assert instant == moment.replace(tzinfo=zone).astimezone(UTC)  # the bot agrees with zoneinfo
        read = moment.replace(tzinfo=reader_zone).astimezone(UTC)
        assert read == instant, f"{key} {moment}: file says {read}, zoneinfo {instant}"
        compared += 1
    assert _read_by_ical(raw, key, end) == [
        instant for moment, instant in zip(walls, expected, strict=True) if not _skipped(moment, zone)
    ]
    return compared


def _read_by_ical(raw: bytes, key: str, end: datetime) -> list[datetime]:
    """The occurrences (UTC) the ``ical`` library reads, wall times the clocks skip left out."""
    text = (
        raw.decode()
        .replace(f"TZID:{key}", "TZID:X-Liaison-Test")
        .replace(f"TZID={key}:", "TZID=X-Liaison-Test:")
    )
    zone, found = ZoneInfo(key), []
    for occurrence in IcsCalendarStream.calendar_from_ics(text).timeline:
        wall = occurrence.start.replace(tzinfo=None)
        if wall >= end:
            break
        assert str(occurrence.start.tzinfo) == "X-Liaison-Test"  # read from the file, not the database
        if not _skipped(wall, zone):
            found.append(occurrence.start.astimezone(UTC))
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2026, 2, 1), max_value=date(2034, 12, 31)),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    repeat=st.sampled_from(["weekly", "monthly"]),
)
def test_every_occurrence_of_a_twenty_year_series_reads_right(
    key: str, day: date, minutes: int, repeat: str
) -> None:
    wall = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
    if _skipped(wall, ZoneInfo(key)):
        wall += timedelta(hours=3)  # a start in a gap is refused at creation anyway
    assert _check_series(key, wall, repeat) > 0


@pytest.mark.parametrize("key", ZONES)
def test_every_zone_weekly_at_night_across_the_changes(key: str) -> None:
    """02:30 on Sundays sits right at most zones' changes."""
    assert _check_series(key, datetime(2026, 1, 4, 2, 30), "weekly") > 1000


def _changes(zone: ZoneInfo, since: datetime, years: int) -> list[datetime]:
    """Every instant zoneinfo's offset changes, found five days at a time then to the second."""
    found, moment = [], since
    end = since.replace(year=since.year + years)
    while moment < end:
        following = moment + timedelta(days=5)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        moment = following
    return found


@pytest.mark.parametrize("key", ZONES)
def test_onsets_are_the_databases_instants(key: str) -> None:
    zone = ZoneInfo(key)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    reader = tzical(io.StringIO(vtimezone(key, since).to_ical().decode())).get()
    changes = _changes(zone, since, 30)
    samples = [since + timedelta(days=37 * n, hours=n % 24) for n in range(300)]  # and the offset in between
    for instant in samples:
        assert instant.astimezone(reader).utcoffset() == instant.astimezone(zone).utcoffset(), instant
    for change in changes:
        for instant in (change - timedelta(seconds=1), change):
            assert instant.astimezone(reader).utcoffset() == instant.astimezone(zone).utcoffset(), instant


def test_paris_spring_change_is_written_in_local_time_before_it() -> None:
    """RFC 5545 §3.6.5: DTSTART is the local time before the change, read at TZOFFSETFROM."""
    text = vtimezone("Europe/Paris", datetime(2027, 3, 22, 8, tzinfo=UTC)).to_ical().decode()
    daylight = text.split("BEGIN:DAYLIGHT")[1].split("END:DAYLIGHT")[0]
    assert "TZOFFSETFROM:+0100" in daylight and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in daylight
    assert daylight.split("DTSTART:")[1][8:15] == "T020000"
    standard = text.split("BEGIN:STANDARD")[1].split("END:STANDARD")[0]
    assert standard.split("DTSTART:")[1][8:15] == "T030000" and "TZOFFSETFROM:+0200" in standard


def test_posix_rules_with_day_shifts() -> None:
    rule = parse_posix("IST-2IDT,M3.4.4/26,M10.5.0")
    assert rule is not None and rule.dst == 3 * 3600 and rule.dst_start is not None
    assert rule.dst_start.local(2027) == datetime(2027, 3, 26, 2, 0)  # the Friday after the 4th Thursday
    cairo = parse_posix("EET-2EEST,M4.5.5/0,M10.5.4/24")
    assert cairo is not None and cairo.dst_end is not None
    assert cairo.dst_end.local(2030) == datetime(2030, 11, 1)  # Thursday 31 October, 24:00
    assert parse_posix("<+0530>-5:30") is not None and parse_posix("nonsense,,") is None


@pytest.mark.parametrize(
    ("footer", "spring"),
    [
        # day-of-year rules (no zone uses them today): J80 is 21 March, leap year or not
        ("XST-1XDT,J80/2,J300/3", (3, 21, 2)),
        # the Tuesday after February's fourth Sunday may be 29 February or 1 March
        ("XST-1XDT,M2.4.0/50,M10.5.0/3", None),
    ],
)
def test_rules_no_rrule_writes_become_explicit_transitions(
    monkeypatch: pytest.MonkeyPatch, footer: str, spring: tuple[int, int, int] | None
) -> None:
    rule = parse_posix(footer)
    assert rule is not None
    fake = ZoneData((), Transition(0, 3600, 3600, "XST", False), rule)
    monkeypatch.setattr(vtz, "zone_data", lambda _key: fake)
    component = vtimezone("Test/Zone", datetime(2026, 1, 1, tzinfo=UTC))
    assert "RRULE" not in component.to_ical().decode()
    reader = tzical(io.StringIO(component.to_ical().decode())).get()
    minute = timedelta(minutes=1)
    for year in (2027, 2028, 2100, 2125):
        for change in rule.transitions(year):
            at = datetime(1970, 1, 1) + timedelta(seconds=change.at)
            before = at + timedelta(seconds=change.before) - minute  # the first of a repeated pair
            after = at + timedelta(seconds=max(change.before, change.after)) + minute
            assert before.replace(tzinfo=reader).utcoffset() == timedelta(seconds=change.before), before
            assert after.replace(tzinfo=reader).utcoffset() == timedelta(seconds=change.after), after
        if spring is not None:
            month, day, hour = spring
            assert rule.transitions(year)[0].at == int(
                (datetime(year, month, day, hour) - timedelta(hours=1) - datetime(1970, 1, 1)).total_seconds()
            )
