"""Starts typed in a time zone: the clocks skip some wall-clock times and repeat others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Invalid
from bot.i18n import t
from bot.services import events
from bot.services.event_time import NoSuchTime, occurrences, parse_start, resolve
from bot.services.events import EventInput
from tests.unit.test_ics_timezones import ZONES

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def test_a_skipped_time_is_refused_with_the_nearest_valid_times() -> None:
    with pytest.raises(NoSuchTime) as caught:
        parse_start("2027-03-28 02:30", PARIS, NOW)
    params = caught.value.params
    assert params["gap_from"] == "02:00" and params["gap_to"] == "03:00"
    assert (params["earlier"], params["later"], params["shifted_back"], params["shifted"]) == (
        "2027-03-28 01:59",
        "2027-03-28 03:00",
        "2027-03-28 01:30",
        "2027-03-28 03:30",
    )
    text = t("fr", caught.value.key, **params)
    assert "n'existe pas" in text and "2027-03-28 03:00" in text
    # Lord Howe moves by half an hour; New York at 02:00 sharp (the first skipped minute).
    with pytest.raises(NoSuchTime) as caught:
        resolve(datetime(2027, 10, 3, 2, 10), ZoneInfo("Australia/Lord_Howe"))
    assert (caught.value.params["gap_to"], caught.value.params["shifted"]) == ("02:30", "2027-10-03 02:40")
    with pytest.raises(NoSuchTime):
        resolve(datetime(2027, 3, 14, 2, 0), ZoneInfo("America/New_York"))
    assert not resolve(datetime(2027, 3, 14, 3, 0), ZoneInfo("America/New_York")).repeated


def test_a_repeated_time_is_the_first() -> None:
    start = parse_start("2027-10-31 02:30", PARIS, NOW)
    assert start.repeated and start.moment == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert start.second == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    plain = parse_start("2027-10-31 03:00", PARIS, NOW)
    assert not plain.repeated and plain.moment == datetime(2027, 10, 31, 2, 0, tzinfo=UTC)


def test_later_occurrences_follow_rfc_5545() -> None:
    """A weekly Sunday 02:30 meets the gap once a year: read at the offset before it (03:30)."""
    first = resolve(datetime(2027, 3, 21, 2, 30), PARIS).moment
    second = occurrences(first, PARIS, "weekly", 2)[1]
    assert second == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert second.astimezone(PARIS).strftime("%H:%M") == "03:30"


async def test_create_and_edit_refuse_or_note(db: Database) -> None:
    clock = FrozenClock(NOW)
    data = EventInput(title="Night drill", start="2027-03-28 02:30", timezone="Europe/Paris")
    async with db.transaction() as session:
        with pytest.raises(NoSuchTime):
            await events.create(session, 1, 100, data, clock.now())
    data = EventInput(title="Night drill", start="2027-10-31 02:30", timezone="Europe/Paris")
    async with db.transaction() as session:
        change = await events.create(session, 1, 100, data, clock.now())
    assert change.repeated == {
        "value": "2027-10-31 02:30",
        "zone": "Europe/Paris",
        "first": "UTC+02:00",
        "second": "UTC+01:00",
    }
    assert change.event.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    # A new zone keeps the wall-clock time: 02:30 on 31 October is fine in Tokyo, and the
    # note does not come back; New York's 02:30 on 14 March 2027 does not exist.
    async with db.transaction() as session:
        moved = await events.edit(session, 1, 100, change.event.id, EventInput(timezone="Asia/Tokyo"), NOW)
    assert moved.repeated is None
    assert moved.event.starts_at == datetime(2027, 10, 30, 17, 30, tzinfo=UTC)
    async with db.transaction() as session:
        with pytest.raises(Invalid) as caught:
            await events.edit(
                session,
                1,
                100,
                change.event.id,
                EventInput(start="2027-03-14 02:30", timezone="America/New_York"),
                NOW,
            )
    assert caught.value.key == "events.error.no_such_time"
    assert timedelta(0) < moved.event.starts_at - NOW


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2040, 12, 31)),
)
def test_every_wall_time_is_taken_or_refused_with_valid_neighbours(key: str, moment: datetime) -> None:
    zone = ZoneInfo(key)
    naive = moment.replace(second=0, microsecond=0)
    for candidate in (naive, _in_a_gap_near(naive, zone) or naive):
        try:
            start = resolve(candidate, zone)
        except NoSuchTime as refused:
            params = refused.params
            for valid in (params["earlier"], params["later"], params["shifted_back"], params["shifted"]):
                taken = resolve(datetime.strptime(valid, "%Y-%m-%d %H:%M"), zone)
                assert taken.moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") == valid
            assert params["earlier"] < params["value"] < params["later"]
            continue
        assert start.moment.astimezone(zone).replace(tzinfo=None) == candidate
        assert start.repeated == (
            candidate.replace(tzinfo=zone, fold=1).utcoffset() != candidate.replace(tzinfo=zone).utcoffset()
        )


def _in_a_gap_near(naive: datetime, zone: ZoneInfo) -> datetime | None:
    """A wall time the clocks skip within a year after ``naive``, if the zone has one."""
    moment = naive.replace(tzinfo=UTC)
    for _ in range(53):
        following = moment + timedelta(weeks=1)
        jump = following.astimezone(zone).utcoffset() - moment.astimezone(zone).utcoffset()  # type: ignore[operator]
        if jump > timedelta(0):
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            return (high.astimezone(zone) - jump / 2).replace(tzinfo=None, second=0, microsecond=0)
        moment = following
    return None
