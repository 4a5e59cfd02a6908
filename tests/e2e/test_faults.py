"""Faults: in the middle of a burst of commands and of reminders falling due, the sandbox answers
500s and 429s and drops the gateway. Afterwards every reminder was delivered exactly once, every
write the bot acknowledged is in the database, and the bot is still connected and answering.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models.events import SENT, Reminder
from bot.db.models.resources import ResourceSuggestion
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Interaction, User
from bot.services import events
from tests.e2e.load import add_members, fire, settle

# reminders claimed exactly once through faults; a burst timed against the window: alone
pytestmark = [pytest.mark.engines, pytest.mark.serial]

MEMBERS = 12
TITLE = "Fault drill"


def inject(sandbox: LiaisonSandbox) -> None:
    """Server errors and rate limits on the routes a burst and its reminders use."""
    sandbox.fail_next("/messages", status=500, count=1, method="POST")
    sandbox.fail_next("/messages", status=429, count=3, retry_after=0.1, method="POST")
    sandbox.fail_next("/callback", status=500, count=1)
    sandbox.fail_next("/webhooks/", status=429, count=2, retry_after=0.1)
    sandbox.fail_next("/users/@me/channels", status=500, count=1)


async def create_event(sandbox: LiaisonSandbox) -> int:
    assert sandbox.bot is not None and sandbox.guild is not None
    start = (sandbox.bot.clock.now() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    created = await sandbox.slash(
        "event create",
        user=sandbox.users.alice,
        title=TITLE,
        start=start,
        timezone="UTC",
        reminders="1h, 30m",
    )
    assert created.error is None and created.ephemeral, created.content
    async with sandbox.bot.db.transaction() as session:
        [event] = await events.upcoming(session, sandbox.guild.id, sandbox.bot.clock.now())
    return event.id


async def burst(sandbox: LiaisonSandbox, members: list[User], event_id: int) -> dict[str, list[Any]]:
    """RSVPs, personal reminders and suggestions; the gateway drops halfway."""
    fired: dict[str, list[Any]] = {"rsvp": [], "remind": [], "suggest": []}
    for n, user in enumerate(members):
        if n == len(members) // 2:
            await sandbox.drop_gateway()
            await sandbox.wait_for_bot()
        fired["rsvp"].append((user, await fire(sandbox, "event rsvp", user, event=str(event_id))))
        fired["remind"].append(
            (user, await fire(sandbox, "remind", user, when="in 10m", what=f"note {n} @everyone"))
        )
        suggestion = {"title": f"Guide {n}", "url": f"https://example.org/fault/{n}"}
        fired["suggest"].append(
            (
                suggestion["url"],
                await fire(
                    sandbox, "resource suggest", user, description="Steps.", tags="faults", **suggestion
                ),
            )
        )
    await settle(sandbox, [i for pairs in fired.values() for _, i in pairs])
    return fired


async def all_due_sent(sandbox: LiaisonSandbox) -> bool:
    assert sandbox.bot is not None
    now = sandbox.bot.clock.now()
    async with sandbox.bot.db.transaction() as session:
        states = set(await session.scalars(select(Reminder.state).where(Reminder.fire_at <= now)))
    return states == {SENT}


def acknowledged(inter: Interaction) -> bool:
    return inter.acked and inter.ack_status == 200 and not inter.errors


def reminder_dms(sandbox: LiaisonSandbox, user: User) -> Counter[str]:
    return Counter(m.content for m in sandbox.dms(user) if "⏰" in m.content)


async def test_faults_in_a_burst_lose_and_double_nothing(sandbox: LiaisonSandbox) -> None:
    assert sandbox.bot is not None and sandbox.guild is not None
    members = add_members(sandbox, MEMBERS)
    event_id = await create_event(sandbox)
    inject(sandbox)
    fired = await burst(sandbox, members, event_id)
    assert all(acknowledged(i) for pairs in fired.values() for _, i in pairs)

    # each stage checked once its deliveries are done: one more reminder each, never two
    stages = [(timedelta(minutes=11), 1, 0), (timedelta(minutes=50), 1, 1), (timedelta(minutes=30), 1, 2)]
    for delta, personal, event_reminders in stages:
        inject(sandbox)
        if event_reminders == 1:
            await sandbox.drop_gateway()
        await sandbox.advance(delta)
        await sandbox.wait_for_bot()
        # discord.py sleeps before retrying a 5xx: let the delivery passes finish
        await sandbox.wait_for(lambda: all_due_sent(sandbox), timeout=60)
        await sandbox.quiet(0.3)
        for n, user in enumerate(members):
            dms = reminder_dms(sandbox, user)
            mine = sum(count for text, count in dms.items() if f"note {n} " in text)
            event_ones = sum(count for text, count in dms.items() if TITLE in text)
            assert (mine, event_ones) == (personal, event_reminders), (user.name, delta, dms)
        posted = [
            m for m in sandbox.messages(sandbox.channels.events) if "⏰" in m.content and TITLE in m.content
        ]
        assert len(posted) == event_reminders, delta

    async with sandbox.bot.db.transaction() as session:
        going = (await events.counts(session, event_id)).going
        urls = set(await session.scalars(select(ResourceSuggestion.url)))
        personal_rows = list(await session.scalars(select(Reminder).where(Reminder.kind != "event")))
    assert going == sum(acknowledged(i) for _, i in fired["rsvp"]) == MEMBERS
    assert {url for url, i in fired["suggest"] if acknowledged(i)} <= urls
    assert len(personal_rows) >= sum(acknowledged(i) for _, i in fired["remind"])

    assert sandbox.server.gateway.live_sessions and sandbox.bot.is_ready() and not sandbox.bot.is_closed()
    # faults left over (three 500s on the next callback) would make discord.py sleep 1 + 3 + 5 s
    # before its retries, past any acknowledgement window: the check below is of the bot, not them
    sandbox.server.faults.rules.clear()
    after = await sandbox.slash("resource search", user=members[0], query="guide", timeout=10)
    assert after.error is None and (after.content or after.embeds)
