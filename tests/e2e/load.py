"""A burst of interactions fired at once through the sandbox, shared by ``test_load`` and
``bench/bench_load.py``: searches, RSVPs to one event with a capacity, expert registrations and
questions, with the exact outcome each one should leave.

Interactions are dispatched without the driver's per-interaction polling (``slash`` polls every
5 ms and would compete with the bot for the one event loop); one waiter watches them all.
"""

from __future__ import annotations

import gc
import random
import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.db.models.experts import ExpertProfile
from bot.db.models.qa import Question
from bot.sandbox.commands import command_data
from bot.sandbox.driver import Sandbox
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Interaction, User
from bot.services import events

MIX = {"search": 0.4, "rsvp": 0.3, "register": 0.15, "ask": 0.15}
CAPACITY = 40
TOPICS = ["dosimetry", "portal", "spectrum", "calibration", "transport", "waste", "border"]


async def fire(sandbox: Sandbox, command: str, user: User, **options: Any) -> Interaction:
    """Dispatch ``/command`` as ``user`` in #general and return at once (no waiting)."""
    channel = sandbox.channels.general
    data = command_data(sandbox.world, channel.guild_id, command, options, sandbox.server.base_url)
    return await sandbox._interact(2, user, channel, data)


async def settle(sandbox: Sandbox, interactions: list[Interaction], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Every interaction acknowledged (or refused by the server), deferrals replaced (a deferred
    update followed by its edit), then quiet."""

    def done() -> bool:
        return all((i.acked or i.errors) and not i.thinking and not i.updating for i in interactions)

    await sandbox.wait_for(done, timeout=timeout)
    await sandbox.quiet(0.2)


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Objects alive now left out of garbage collection until the end of the block.

    In a pytest process, earlier tests leave objects behind (twice the bot's own, some 250,000):
    every full collection during the burst walked them too, and the acknowledgements came later
    than in a process of their own (p99 about 2.2 s in the e2e suite, 1.5 s alone).
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


@dataclass
class Burst:
    """What was fired, by kind, and by whom."""

    fired: dict[str, list[tuple[User, Interaction]]] = field(default_factory=dict)
    event_id: int = 0

    @property
    def all(self) -> list[Interaction]:
        return [i for pairs in self.fired.values() for _, i in pairs]

    def latencies(self) -> list[float]:
        return [i.acked_in for i in self.all if i.acked_in is not None]


def add_members(sandbox: Sandbox, count: int) -> list[User]:
    return [sandbox.add_member(f"member{n}", locale="fr" if n % 3 == 0 else "en-US") for n in range(count)]


async def prepare(sandbox: LiaisonSandbox, members: int) -> tuple[list[User], int]:
    """Members, a few resources to find and one event with a capacity; returns the event id."""
    assert sandbox.bot is not None and sandbox.guild is not None
    users = add_members(sandbox, members)
    alice = sandbox.users.alice
    for n, topic in enumerate(TOPICS):
        await sandbox.slash(
            "resource add",
            user=alice,
            title=f"{topic.title()} handbook {n}",
            url=f"https://example.org/{topic}",
            description=f"Everything about {topic}.",
            tags=topic,
        )
    start = (sandbox.bot.clock.now() + timedelta(days=7)).strftime("%Y-%m-%d 09:00")
    created = await sandbox.slash(
        "event create", user=alice, title="Workshop", start=start, timezone="UTC", capacity=CAPACITY
    )
    assert created.error is None, created.errors
    async with sandbox.bot.db.transaction() as session:
        [event] = await events.upcoming(session, sandbox.guild.id, sandbox.bot.clock.now())
    await sandbox.quiet()
    return users, event.id


async def burst(
    sandbox: LiaisonSandbox, users: list[User], event_id: int, total: int, seed: int = 8
) -> Burst:
    """``total`` interactions dispatched back to back, each by a different member."""
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX.items() for _ in range(round(total * share))][:total]
    rng.shuffle(kinds)
    result = Burst(event_id=event_id)
    for n, (kind, user) in enumerate(zip(kinds, users, strict=False)):
        if kind == "search":
            inter = await fire(sandbox, "resource search", user, query=rng.choice(TOPICS))
        elif kind == "rsvp":
            inter = await fire(sandbox, "event rsvp", user, event=str(event_id), status="going")
        elif kind == "register":
            inter = await fire(
                sandbox,
                "expert register",
                user,
                agency=f"Agency {n}",
                country="FR",
                expertise=rng.choice(TOPICS),
                languages="en, fr",
            )
        else:
            topic = rng.choice(TOPICS)
            inter = await fire(sandbox, "ask", user, question=f"Q{n}: who knows {topic} case {n * 7919}?")
        result.fired.setdefault(kind, []).append((user, inter))
    await settle(sandbox, result.all)
    return result


async def confirm_registrations(sandbox: LiaisonSandbox, burst_: Burst) -> list[Interaction]:
    """Click every consent prompt's Confirm at once (the second half of a registration)."""
    clicks = []
    for user, prompt in burst_.fired.get("register", []):
        message = next(m for m in prompt.responses if m.components)
        button = next(
            c
            for row in message.components
            for c in row.get("components", [])
            if c.get("type") == 2 and c.get("label") in ("Confirm", "Confirmer")
        )
        data = {"custom_id": button["custom_id"], "component_type": 2}
        channel = sandbox.world.channels[message.channel_id]
        clicks.append(await sandbox._interact(3, user, channel, data, message))
    await settle(sandbox, clicks)
    return clicks


def problems(interactions: list[Interaction], window: float = 3.0) -> list[str]:
    found = []
    for inter in interactions:
        if not inter.acked or inter.ack_status != 200:
            found.append(f"{inter.id}: not acknowledged ({inter.errors})")
        elif inter.acked_in is None or inter.acked_in >= window:
            found.append(f"{inter.id}: acknowledged in {inter.acked_in:.2f} s")
        elif inter.errors or inter.thinking or inter.updating:
            found.append(f"{inter.id}: {inter.errors or 'never answered'}")
    return found


async def outcome(sandbox: LiaisonSandbox, burst_: Burst) -> dict[str, int]:
    """What the database holds after the burst."""
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        counts = await events.counts(session, burst_.event_id)
        profiles = await session.scalar(select(func.count()).select_from(ExpertProfile))
        questions = await session.scalar(select(func.count()).select_from(Question))
    return {
        "going": counts.going,
        "waiting": counts.waiting,
        "profiles": int(profiles or 0),
        "questions": int(questions or 0),
        "threads": len(sandbox.threads(sandbox.channels.qa)),
    }


def kinds(burst_: Burst) -> Counter[str]:
    return Counter({kind: len(pairs) for kind, pairs in burst_.fired.items()})
