"""Soak: mixed traffic against Liaison in the sandbox for a long time, with RSS sampled.

Every few seconds a wave of searches, RSVPs, questions, reminders, suggestions and /me exports
runs; the bot's clock moves forward so reminders fire; the gateway is dropped now and then. RSS
(the whole process: sandbox and bot share it) is sampled once a minute and printed, with the
growth from the first minute to the last.

    .venv/bin/python bench/soak.py                # an hour
    .venv/bin/python bench/soak.py --minutes 5
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import Database, migrate  # noqa: E402
from bot.sandbox.harness import LiaisonSandbox, start_liaison_sandbox  # noqa: E402
from tests.e2e import load  # noqa: E402

KEEP_PER_CHANNEL = 100  # older channel posts live in Discord's memory, not the bot's


def trim_sandbox(sandbox: LiaisonSandbox) -> None:
    """Forget what the sandbox recorded (requests, settled interactions, ephemeral and DM
    messages, channel posts beyond the newest ``KEEP_PER_CHANNEL``) so that RSS growth is the
    bot's, not the fake Discord's memory of everything."""
    world = sandbox.world
    sandbox.server.requests.clear()
    for iid, inter in list(world.interactions.items()):
        if inter.acked and not inter.thinking:
            del world.interactions[iid]
            world.interactions_by_token.pop(inter.token, None)
    dm_channels = {c.id for c in world.channels.values() if c.type == 1}
    archived = auto_archive(sandbox)
    kept_per_channel: dict[int, int] = {}
    for mid in sorted(world.messages, reverse=True):  # newest first
        message = world.messages[mid]
        seen = kept_per_channel.get(message.channel_id, 0)
        kept_per_channel[message.channel_id] = seen + 1
        if (
            message.visible_to is not None
            or message.channel_id in dm_channels | archived
            or seen >= KEEP_PER_CHANNEL
        ):
            del world.messages[mid]
    kept = {att.id for message in world.messages.values() for att in message.attachments}
    for attachment_id in set(world.attachments) - kept:  # the fake CDN's files (exports…)
        del world.attachments[attachment_id]
    sandbox.last_interaction = None


def auto_archive(sandbox: LiaisonSandbox) -> set[int]:
    """Archive every open thread, as Discord does to idle ones (here, between two trims):
    a THREAD_UPDATE tells the bot, whose thread cache then lets them go, as in production
    where question threads go idle. Returns the ids archived (their messages can be forgotten)."""
    archived = set()
    for channel in list(sandbox.world.channels.values()):
        if channel.is_thread and not channel.archived:
            channel.archived = True
            sandbox.server.dispatch_channel("THREAD_UPDATE", channel)
            archived.add(channel.id)
    return archived


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wave(sandbox: LiaisonSandbox, users: list, event_id: int, rng: random.Random, n: int) -> int:
    """One mixed wave of interactions, fired together; returns how many went wrong."""
    fired = []
    for user in rng.sample(users, 20):
        kind = rng.choice(["search", "rsvp", "ask", "remind", "suggest", "export", "rsvp_maybe"])
        if kind == "search":
            fired.append(await load.fire(sandbox, "resource search", user, query=rng.choice(load.TOPICS)))
        elif kind.startswith("rsvp"):
            status = "maybe" if kind == "rsvp_maybe" else rng.choice(["going", "not_going"])
            fired.append(await load.fire(sandbox, "event rsvp", user, event=str(event_id), status=status))
        elif kind == "ask":
            fired.append(
                await load.fire(sandbox, "ask", user, question=f"Soak {n}: {rng.random()} about portals?")
            )
        elif kind == "remind":
            fired.append(await load.fire(sandbox, "remind", user, when="in 10m", what=f"soak {n}"))
        elif kind == "suggest":
            fired.append(
                await load.fire(
                    sandbox,
                    "resource suggest",
                    user,
                    title=f"Soak {n}",
                    url=f"https://example.org/s{n}/{rng.random()}",
                    description="x",
                    tags="soak",
                )
            )
        else:
            fired.append(await load.fire(sandbox, "me export", user))
    await load.settle(sandbox, fired, timeout=120)
    return len(load.problems(fired))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true", help="do not trim the sandbox's records")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: top growing files")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'soak.db'}"
    database = Database(url)
    await migrate.upgrade(database.engine)
    await database.dispose()
    sandbox = await start_liaison_sandbox(url)
    rng = random.Random(1)
    try:
        users, event_id = await load.prepare(sandbox, 200)
        assert sandbox.bot is not None
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        end = started + args.minutes * 60
        n = failures = 0
        baseline: tracemalloc.Snapshot | None = None
        next_sample = started
        while time.monotonic() < end:
            n += 1
            failures += await wave(sandbox, users, event_id, rng, n)
            if n % 10 == 0:
                await sandbox.advance(timedelta(minutes=5))
            if n % 50 == 0:
                await sandbox.drop_gateway()
                await sandbox.wait_for_bot()
            if not args.keep and n % 10 == 0:
                trim_sandbox(sandbox)
            if args.trace and n == 20:
                tracemalloc.start(10)
                baseline = tracemalloc.take_snapshot()
            if time.monotonic() >= next_sample:
                gc.collect()
                samples.append(((time.monotonic() - started) / 60, rss_mib()))
                print(
                    f"{samples[-1][0]:6.1f} min  RSS {samples[-1][1]:7.1f} MiB  waves {n}  "
                    f"failures {failures}",
                    flush=True,
                )
                next_sample += 60
        gc.collect()
        samples.append(((time.monotonic() - started) / 60, rss_mib()))
        first, last = samples[0][1], samples[-1][1]
        print(f"waves {n} ({n * 20} interactions), failures {failures}")
        print(f"RSS start {first:.1f} MiB, end {last:.1f} MiB, growth {last - first:+.1f} MiB")
        half = samples[-1][0] / 2
        middle = next(rss for minute, rss in samples if minute >= half)
        print(f"growth over the second half (from {half:.0f} min): {last - middle:+.1f} MiB")
        if baseline is not None:
            top = tracemalloc.take_snapshot().compare_to(baseline, "traceback")[:8]
            for stat in top:
                print(f"{stat.size_diff / 1024:9.1f} KiB  {stat.count_diff:+7d} blocks")
                for frame in stat.traceback.format()[-12:]:
                    print("   ", frame)
    finally:
        await sandbox.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
