"""Events and reminders through the sandbox: create, RSVP with the buttons, reminders when the
clock moves, closed DMs, restarts (clean and killed) with nothing sent twice, /remind, ics."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.harness import LiaisonSandbox
from bot.services import reminders


def _start(sandbox: LiaisonSandbox, delta: timedelta) -> str:
    assert sandbox.bot is not None
    return (sandbox.bot.clock.now() + delta).strftime("%Y-%m-%d %H:%M")


def _bot_posts(sandbox: LiaisonSandbox, channel: Any) -> list[Any]:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return [m for m in sandbox.messages(channel) if m.author_id == sandbox.bot.user.id]


async def _create(sandbox: LiaisonSandbox, **options: Any) -> Any:
    values: dict[str, Any] = {
        "title": "Border drill",
        "start": _start(sandbox, timedelta(days=2)),
        "timezone": "UTC",
        "reminders": "1h",
    }
    values.update(options)
    created = await sandbox.slash("event create", user=sandbox.users.alice, **values)
    assert created.ephemeral and "created" in (created.content or ""), created.content
    return _bot_posts(sandbox, sandbox.channels.events)[-1]


def _labels(message: Any) -> list[str]:
    return [b.get("label") for b in message.buttons()]


async def test_announcement_buttons_counts_waiting_list_and_reminder(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    announcement = await _create(sandbox, capacity=2)
    assert "Border drill" in str(announcement.embeds)
    assert _labels(announcement)[:3] == ["Going (0)", "Maybe (0)", "Not going (0)"]
    for member in (users.bruno, users.eve):
        answer = await sandbox.click(announcement, index=0, user=member)
        assert any(m.ephemeral and "**Border drill**" in m.content for m in answer.responses), (
            answer.responses
        )
    waiting = await sandbox.click(announcement, index=0, user=users.carol)
    followups = str([m.content for m in waiting.responses])
    assert "waiting list" in followups and "position 1" in followups
    assert _labels(announcement)[0] == "Going (2)"
    refused = await sandbox.slash(
        "event create", user=users.carol, title="x", start="tomorrow 10:00", timezone="UTC"
    )
    assert refused.ephemeral and "moderators" in (refused.content or "")

    await sandbox.advance(timedelta(days=2) - timedelta(hours=1) + timedelta(seconds=5))
    [reminder] = [m for m in _bot_posts(sandbox, sandbox.channels.events) if "⏰" in m.content]
    assert "Border drill" in reminder.content and f"<@{users.eve.id}>" in reminder.content
    assert [int(u) for u in reminder.allowed_mentions["users"]] == [users.eve.id]
    assert reminder.nonce and str(reminder.nonce).startswith("liaison-")
    [bruno_dm] = [m.content for m in sandbox.dms(users.bruno) if "⏰" in m.content]
    assert bruno_dm.startswith("⏰ Rappel")  # he answered in French
    assert not [m for m in sandbox.dms(users.carol) if "⏰" in m.content]  # waiting, not going


@pytest.mark.engines  # reminders claimed across a killed process
async def test_killed_during_downtime_then_restarted_nothing_twice(sandbox: LiaisonSandbox) -> None:
    announcement = await _create(sandbox, start=_start(sandbox, timedelta(hours=3)), reminders="2h, 1h")
    await sandbox.click(announcement, index=0, user=sandbox.users.bruno)
    assert sandbox.bot is not None
    clock = sandbox.bot.clock
    await sandbox.kill_bot()
    clock.advance(timedelta(hours=1, minutes=30))  # the 2h reminder falls due while down
    await sandbox.start_bot()
    await sandbox.recovered()
    reminders = [m for m in _bot_posts(sandbox, sandbox.channels.events) if "⏰" in m.content]
    assert len(reminders) == 1 and "late" in reminders[0].content
    await sandbox.restart_bot()
    await sandbox.restart_bot(kill=True)
    await sandbox.recovered()
    assert len([m for m in _bot_posts(sandbox, sandbox.channels.events) if "⏰" in m.content]) == 1
    await sandbox.advance(timedelta(minutes=31))  # the 1h reminder, on time
    posted = [m for m in _bot_posts(sandbox, sandbox.channels.events) if "⏰" in m.content]
    assert len(posted) == 2 and "late" not in posted[1].content
    assert len([m for m in sandbox.dms(sandbox.users.bruno) if "⏰" in m.content]) == 2


async def test_remind_edit_cancel_and_ics(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    done = await sandbox.slash("remind", user=users.carol, when="in 30m", what="Call the @everyone desk")
    assert done.ephemeral and "<t:" in (done.content or "")
    bad = await sandbox.slash("remind", user=users.carol, when="yesterday-ish", what="x")
    assert bad.ephemeral and "yesterday-ish" in (bad.content or "")
    await sandbox.advance(timedelta(minutes=31))
    [dm] = [m for m in sandbox.dms(users.carol) if "⏰" in m.content]
    assert "Call the" in dm.content and "@everyone" not in dm.content.replace("@\u200beveryone", "")

    announcement = await _create(sandbox, title="Course", repeat="weekly", timezone="Europe/Paris")
    await sandbox.click(announcement, index=0, user=users.carol)
    event_id = announcement.buttons()[0]["custom_id"].split(":")[2]
    choices = await sandbox.autocomplete("event info", "event", "cour", user=users.carol)
    assert choices and choices[0]["value"] == event_id
    info = await sandbox.slash("event info", user=users.carol, event=event_id)
    assert info.ephemeral and "Course" in str(info.embeds) and "every week" in str(info.embeds)
    ics = await sandbox.slash("event ics", user=users.carol, event=event_id)
    [(name, data)] = ics.files
    assert name.endswith(".ics") and b"RRULE:FREQ=WEEKLY" in data and b"TZID=Europe/Paris" in data

    moved = await sandbox.slash(
        "event edit", user=users.alice, event=event_id, start=_start(sandbox, timedelta(days=3))
    )
    assert moved.ephemeral and "now starts" in (moved.content or "")
    prompt = await sandbox.slash("event cancel", user=users.alice, event=event_id)
    await sandbox.click(prompt, label="Confirm", user=users.alice)
    told = [m.content for m in sandbox.dms(users.carol)]
    assert any("has moved" in text for text in told) and any("cancelled" in text for text in told)
    assert all(b.get("disabled") for b in announcement.buttons()[:3])
    listed = await sandbox.slash("event list", user=users.carol)
    assert listed.ephemeral and "No upcoming events" in (listed.content or "")


async def test_without_an_events_channel_the_answer_is_the_announcement(bare_sandbox: LiaisonSandbox) -> None:
    sandbox = bare_sandbox
    created = await sandbox.slash(
        "event create",
        user=sandbox.users.dmitri,  # Manage Server
        title="Webinar @everyone",
        start=_start(sandbox, timedelta(hours=10)),  # read at UTC+7: in 3 hours
        timezone="Asia/Phnom_Penh",
        reminders="1h",
    )
    [announcement] = [m for m in created.responses if not m.ephemeral]
    assert "No events channel" in announcement.content
    assert "@everyone" not in str(announcement.embeds).replace("@\u200beveryone", "")
    assert any(m.ephemeral and "created" in m.content for m in created.responses)
    answer = await sandbox.click(announcement, index=0, user=sandbox.users.eve)  # DMs closed
    assert any(m.ephemeral for m in answer.responses)
    await sandbox.advance(timedelta(hours=2, seconds=5))
    # Reminders go where the event was announced; eve's closed DMs make it mention her.
    [reminder] = [m for m in _bot_posts(sandbox, sandbox.channels.general) if "⏰" in m.content]
    assert f"<@{sandbox.users.eve.id}>" in reminder.content
    assert [int(u) for u in reminder.allowed_mentions["users"]] == [sandbox.users.eve.id]


@pytest.mark.engines  # reminders claimed across killed processes
async def test_twenty_kills_with_fifty_reminders_in_flight(sandbox: LiaisonSandbox) -> None:
    """Kill the bot before, during and after reminders' moments, 20 times: every reminder is
    delivered exactly once (the sandbox, like Discord, returns the first message for a nonce
    sent again), those missed while down marked late."""
    rng = random.Random(2026)
    assert sandbox.bot is not None and sandbox.guild is not None
    clock = sandbox.bot.clock
    members = [sandbox.add_member(f"member{n}") for n in range(50)]
    async with sandbox.bot.db.transaction() as session:
        for n, member in enumerate(members):
            # Spread over the 20 cycles of 5 minutes.
            await reminders.remind(
                session, sandbox.guild.id, member.id, f"{2 * n + 1}m", f"reminder {n}", clock.now()
            )
    for _cycle in range(20):
        if rng.random() < 0.5:
            await sandbox.kill_bot()  # killed before the moment: the clock moves while it is down
            clock.advance(timedelta(minutes=5))
            await sandbox.start_bot()
        else:  # killed during the pass the moment triggers
            moving = asyncio.create_task(sandbox.advance(timedelta(minutes=5)))
            await asyncio.sleep(rng.uniform(0, 0.05))
            await sandbox.kill_bot()
            await asyncio.gather(moving, return_exceptions=True)
            await sandbox.start_bot()
    clock.advance(timedelta(minutes=5))
    await sandbox.restart_bot()

    def everyone_reminded() -> bool:
        return all(any(m.author_id != member.id for m in sandbox.dms(member)) for member in members)

    # The last start's recovery pass may begin well after "ready" on a busy machine: wait for
    # it to be done (a lost reminder fails below, one sent twice too).
    await sandbox.recovered(timeout=60)
    await sandbox.wait_for(everyone_reminded, timeout=5)
    received = {
        n: [m for m in sandbox.dms(member) if m.author_id != member.id] for n, member in enumerate(members)
    }
    assert all(len(messages) == 1 for messages in received.values()), {
        n: len(messages) for n, messages in received.items() if len(messages) != 1
    }
    assert all(f"reminder {n}" in messages[0].content for n, messages in received.items())
    assert any("late" in messages[0].content for messages in received.values())


async def test_the_calendar_button_works_after_a_restart(sandbox: LiaisonSandbox) -> None:
    """A persistent button (``bot.ui.buttons.IdButton``) posted before a restart is answered
    after it, from its ``custom_id`` alone, in the clicking member's language."""
    users = sandbox.users
    announcement = await _create(sandbox, title="Course", timezone="Europe/Paris")
    assert _labels(announcement)[3] == "Add to calendar"
    await sandbox.restart_bot()
    answer = await sandbox.click(announcement, label="Add to calendar", user=users.carol)
    [(name, data)] = answer.files
    assert answer.ephemeral and name.endswith(".ics") and b"TZID=Europe/Paris" in data
    assert "Here is **Course**" in (answer.content or "")
    french = await sandbox.click(announcement, label="Add to calendar", user=users.bruno)
    assert french.ephemeral and "Voici **Course**" in (french.content or "") and french.files
