"""Calendar files and local times through the sandbox: a start the clocks skip is refused with the
nearest valid times, one they repeat is the first and the answer says so; ``/event ics`` without
an event is the server's whole programme with the caller's answers marked; the DM that tells a
member a place opened up is in their language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from bot.sandbox.harness import LiaisonSandbox


def _bot_posts(sandbox: LiaisonSandbox, channel: Any) -> list[Any]:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return [m for m in sandbox.messages(channel) if m.author_id == sandbox.bot.user.id]


def _event_id(sandbox: LiaisonSandbox) -> str:
    card = _bot_posts(sandbox, sandbox.channels.events)[-1]
    return str(card.buttons()[0]["custom_id"].split(":")[2])


def _dms(sandbox: LiaisonSandbox, member: Any, at_least: int) -> list[str] | None:
    texts = [m.content for m in sandbox.dms(member)]
    return texts if len(texts) >= at_least else None


def _timestamps(text: str) -> list[int]:
    return [int(value) for value in re.findall(r"<t:(\d+):", text)]


async def test_a_start_the_clocks_skip_is_refused_and_one_they_repeat_is_the_first(
    sandbox: LiaisonSandbox,
) -> None:
    users = sandbox.users
    skipped = await sandbox.slash(
        "event create",
        user=users.alice,
        title="Night drill",
        start="2027-03-28 02:30",
        timezone="Europe/Paris",
    )
    text = skipped.content or ""
    assert skipped.ephemeral and "does not exist" in text, text
    assert "02:00" in text and "03:00" in text  # the jump
    for nearest in ("01:59", "03:00", "01:30", "03:30"):
        assert f"2027-03-28 {nearest}" in text, text
    assert not _bot_posts(sandbox, sandbox.channels.events)  # nothing created, nothing announced

    repeated = await sandbox.slash(
        "event create",
        user=users.alice,
        title="Night drill",
        start="2027-10-31 02:30",
        timezone="Europe/Paris",
    )
    text = repeated.content or ""
    assert repeated.ephemeral and "created" in text and "happens twice" in text and "first" in text, text
    assert "UTC+02:00" in text and "UTC+01:00" in text
    first = int(datetime(2027, 10, 31, 0, 30, tzinfo=UTC).timestamp())  # 02:30 summer time
    assert first in _timestamps(text)
    event_id = _event_id(sandbox)

    moved = await sandbox.slash("event edit", user=users.alice, event=event_id, start="2028-03-26 02:15")
    assert moved.ephemeral and "does not exist" in (moved.content or "")
    assert "2028-03-26 01:59" in (moved.content or "") and "2028-03-26 03:00" in (moved.content or "")
    info = await sandbox.slash("event info", user=users.alice, event=event_id)
    assert first in _timestamps(str(info.embeds))  # the refused edit changed nothing

    # /remind reads an absolute time in the member's zone and refuses the same way.
    await sandbox.slash("me settings", user=users.carol, timezone="Europe/Paris")
    remind = await sandbox.slash("remind", user=users.carol, when="2027-03-28 02:30", what="call")
    assert remind.ephemeral and "does not exist" in (remind.content or "")
    assert "2027-03-28 03:00" in (remind.content or "")
    twice = await sandbox.slash("remind", user=users.carol, when="2027-10-31 02:30", what="call")
    assert twice.ephemeral and "happens twice" in (twice.content or ""), twice.content
    assert first in _timestamps(twice.content or "")


async def test_the_whole_programme_in_one_file_with_my_answers(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    for title, start, zone, repeat in (
        ("Weekly course", "2027-01-04 09:00", "Europe/Paris", "weekly"),
        ("Workshop", "2027-02-10 14:00", "America/New_York", "none"),
        ("Webinar", "2027-03-01 12:00", "UTC", "monthly"),
    ):
        done = await sandbox.slash(
            "event create", user=users.alice, title=title, start=start, timezone=zone, repeat=repeat
        )
        assert done.ephemeral and "created" in (done.content or ""), done.content
    cards = [m for m in _bot_posts(sandbox, sandbox.channels.events) if m.buttons()]
    await sandbox.click(cards[-3], index=0, user=users.carol)  # going to the course
    await sandbox.click(cards[-2], index=1, user=users.carol)  # maybe to the workshop

    answer = await sandbox.slash("event ics", user=users.carol)
    assert answer.ephemeral and "3 upcoming" in (answer.content or ""), answer.content
    [(name, data)] = answer.files
    assert name.endswith(".ics")
    assert data.count(b"\r\n") == data.count(b"\n") and data.endswith(b"\r\n")  # CRLF only
    calendar = Calendar.from_ical(data)
    zones = sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE"))
    assert zones == ["America/New_York", "Europe/Paris"]
    paris = next(zone for zone in calendar.walk("VTIMEZONE") if str(zone["TZID"]) == "Europe/Paris")
    (summer,) = paris.walk("DAYLIGHT")  # one yearly rule, no end: right for every occurrence
    assert summer.to_ical().count(b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") == 1
    assert summer["DTSTART"].dt.strftime("%H%M") == "0200"  # local time before the change
    assert summer["TZOFFSETFROM"].td == timedelta(hours=1)
    found = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(found) == {"Weekly course", "Workshop", "Webinar"}
    course, workshop, webinar = found["Weekly course"], found["Workshop"], found["Webinar"]
    assert str(course["X-LIAISON-RSVP"]) == "GOING" and "Your answer: going" in str(course["DESCRIPTION"])
    assert str(course["TRANSP"]) == "OPAQUE" and course["RRULE"]["FREQ"] == ["WEEKLY"]
    assert str(workshop["X-LIAISON-RSVP"]) == "MAYBE" and "Your answer: maybe" in str(workshop["DESCRIPTION"])
    assert "X-LIAISON-RSVP" not in webinar and webinar["RRULE"]["FREQ"] == ["MONTHLY"]
    assert b"DTSTART;TZID=Europe/Paris:20270104T090000" in data
    assert b"DTSTART;TZID=America/New_York:20270210T140000" in data

    # Someone else's file marks their own answers, not carol's.
    other = await sandbox.slash("event ics", user=users.dmitri)
    [(_name, other_data)] = other.files
    assert b"X-LIAISON-RSVP" not in other_data


async def test_the_promotion_dm_is_in_the_members_language(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    done = await sandbox.slash(
        "event create", user=users.alice, title="Atelier", start="2027-05-03 10:00", timezone="Europe/Paris",
        capacity=1,
    )  # fmt: skip
    assert done.ephemeral and "created" in (done.content or "")
    card = _bot_posts(sandbox, sandbox.channels.events)[-1]
    await sandbox.click(card, index=0, user=users.carol)  # takes the only place
    waiting = await sandbox.click(card, index=0, user=users.bruno)  # French client: waiting list
    assert "liste d'attente" in str([m.content for m in waiting.responses])
    await sandbox.click(card, index=2, user=users.carol)  # carol gives her place up
    dm = await sandbox.wait_for(
        lambda: [m.content for m in sandbox.dms(users.bruno) if "Atelier" in m.content]
    )
    assert dm[0].startswith("Une place s'est libérée"), dm

    # The change and the cancellation reach him in French too; carol (English client) in English.
    await sandbox.click(card, index=1, user=users.carol)  # carol: maybe
    event_id = card.buttons()[0]["custom_id"].split(":")[2]
    await sandbox.slash("event edit", user=users.alice, event=event_id, start="2027-05-04 10:00")
    prompt = await sandbox.slash("event cancel", user=users.alice, event=event_id)
    await sandbox.click(prompt, label="Confirm", user=users.alice)
    bruno = await sandbox.wait_for(lambda: _dms(sandbox, users.bruno, 3))
    assert any("a été déplacé" in text for text in bruno) and any("a été annulé" in text for text in bruno)
    carol = await sandbox.wait_for(lambda: _dms(sandbox, users.carol, 2))
    assert any("has moved" in text for text in carol) and any("has been cancelled" in text for text in carol)


async def test_personal_reminders_follow_the_members_locale_then_the_server(sandbox: LiaisonSandbox) -> None:
    """bruno's client is French, carol's English, frida's German: the server's language (French,
    chosen after frida asked) is hers."""
    users = sandbox.users
    frida = sandbox.add_member("frida", locale="de")
    for member in (users.bruno, users.carol, frida):
        done = await sandbox.slash("remind", user=member, when="in 30m", what="call the desk")
        assert done.ephemeral and "<t:" in (done.content or ""), done.content
    await sandbox.slash("liaison setup", user=users.alice, language="fr")
    await sandbox.advance(timedelta(minutes=31))
    expected = {users.bruno: "⏰ Rappel", users.carol: "⏰ Reminder", frida: "⏰ Rappel"}
    for member, start in expected.items():
        [dm] = await sandbox.wait_for(lambda m=member: _dms(sandbox, m, 1))
        assert dm.startswith(start), (member, dm)
