"""``/event ics``: RFC 5545 structure (CRLF, TZID with its VTIMEZONE, RRULE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.ics import IcsEvent, build

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _event(**values: object) -> IcsEvent:
    base: dict[str, object] = {
        "id": 3,
        "guild_id": 1,
        "title": "Tabletop: RN @everyone",
        "starts_at": datetime(2026, 3, 23, 8, 0, tzinfo=UTC),  # 09:00 Paris
        "timezone": "Europe/Paris",
        "duration": timedelta(minutes=90),
        "repeat": "weekly",
        "location": "https://meet.example/room, Vienna; VIC",
        "description": "Line one\nLine two, with a comma",
    }
    base.update(values)
    return IcsEvent(**base)  # type: ignore[arg-type]


def test_crlf_tzid_vtimezone_and_rrule() -> None:
    raw = build(_event(), NOW)
    assert raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"\r\n")
    text = raw.decode()
    assert "DTSTART;TZID=Europe/Paris:20260323T090000" in text
    assert "DTEND;TZID=Europe/Paris:20260323T103000" in text
    assert "RRULE:FREQ=WEEKLY" in text
    assert "LOCATION:https://meet.example/room\\, Vienna\\; VIC" in text
    calendar = Calendar.from_ical(raw)
    zones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Europe/Paris"]
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == "event-3-1@liaison"
    assert vevent.decoded("DTSTART").hour == 9


def test_utc_events_and_cancellation() -> None:
    raw = build(_event(timezone="UTC", repeat="none", location=None, description=None, cancelled=True), NOW)
    text = raw.decode()
    assert "DTSTART:20260323T080000Z" in text and "VTIMEZONE" not in text
    assert "RRULE" not in text and "STATUS:CANCELLED" in text and "METHOD:CANCEL" in text
