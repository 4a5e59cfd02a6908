"""Courses under a burst: N members take a step of a course at once, against the bare bot.

N members each open the sample quick course (``/learn start``, one burst), then all click Next
on their step message at once (the step burst). For each click the sandbox gives the
acknowledgement latency (dispatch -> deferred update) and this bench the step latency (dispatch
-> the message edited to show the next step, polled every 10 ms). The bare discord.py bot of
``bench/bench_load.py`` answers a no-op ``/ping`` to as many interactions: the ceiling.

    .venv/bin/python bench/bench_learn.py            # 1,000 members
    .venv/bin/python bench/bench_learn.py --quick    # 100

Figures (2 cores shared with other work, load average about 5: the bare bot itself varied from
1.0 to 3.8 s p50 between runs, so read ratios within one run). 100 members at once: a step shown
p50 0.6 s, p99 0.95 s (ack p50 65 ms, bare 80 ms). 1,000 at once: acknowledged as fast as the
bare bot (p50 x0.6-1.3), every step shown with no error, the whole burst drained in 12-22 s
(p50 9-14 s, p99 12-22 s): about 10-20 ms of work per step (a transaction that reads the member's
language and verification, walks, renders), served one after another by one process and SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import Database, migrate  # noqa: E402
from bot.sandbox.harness import LiaisonSandbox, start_liaison_sandbox  # noqa: E402
from bot.sandbox.world import Interaction  # noqa: E402
from bot.services.learn import courses  # noqa: E402
from tests.e2e import load  # noqa: E402

QUICK = courses.SAMPLE_DIR / "quick_start.en.yaml"


def _bench_load() -> Any:
    spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).with_name("bench_load.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _until_edited(
    fired: list[Interaction], started: dict[int, float], within: float
) -> dict[int, float]:
    """When each clicked step message was edited (its deferred update followed by the edit),
    polled every 10 ms over those still pending (the poll shares the bot's process: keep it light)."""
    done: dict[int, float] = {}
    pending = list(fired)
    deadline = time.monotonic() + within
    while pending and time.monotonic() < deadline:
        now = time.monotonic()
        still = []
        for inter in pending:
            if inter.errors or (inter.acked and not inter.updating):
                done[inter.id] = now - started[inter.id]
            else:
                still.append(inter)
        pending = still
        await asyncio.sleep(0.01)
    return done


async def liaison(total: int, window: float) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    database = Database(url)
    await migrate.upgrade(database.engine)
    await database.dispose()
    sandbox: LiaisonSandbox = await start_liaison_sandbox(url)
    sandbox.world.ack_window = window
    try:
        assert sandbox.bot is not None and sandbox.guild is not None
        async with sandbox.bot.db.transaction() as session:
            loaded = await courses.load(
                session,
                sandbox.guild.id,
                sandbox.users.alice.id,
                QUICK.read_text("utf-8"),
                sandbox.bot.clock.now(),
            )
        users = load.add_members(sandbox, total)
        await sandbox.quiet(0.3)
        starts = [
            await load.fire(sandbox, "learn start", user, course=str(loaded.course_id)) for user in users
        ]
        await load.settle(sandbox, starts, timeout=300)
        channel = sandbox.channels.general
        clicks: list[Interaction] = []
        started: dict[int, float] = {}
        with load.heap_frozen():
            for user, opened in zip(users, starts, strict=True):
                message = sandbox._message_of(opened)
                [begin] = [b for b in message.buttons() if str(b.get("custom_id")).endswith(":next")]
                data = {"custom_id": begin["custom_id"], "component_type": 2}
                inter = await sandbox._interact(3, user, channel, data, message)
                started[inter.id] = inter.created
                clicks.append(inter)
            edited = await _until_edited(clicks, started, within=300)
        await load.settle(sandbox, clicks, timeout=300)
        shown = sum(
            1
            for c in clicks
            if ("step 2/" in str(c.response.embeds if c.response else ""))
            or "étape 2/" in str(c.response.embeds if c.response else "")
        )
        print(
            f"   steps shown after the click: {shown}/{total}; errors: {sum(1 for c in clicks if c.errors)}"
        )
        return {
            "start ack": [i.acked_in for i in starts if i.acked_in is not None],
            "step ack": [i.acked_in for i in clicks if i.acked_in is not None],
            "step": list(edited.values()),
        }
    finally:
        await sandbox.close()
        shutil.rmtree(folder, ignore_errors=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 members instead of 1,000")
    parser.add_argument("-n", type=int, default=None, help="members in the burst")
    args = parser.parse_args()
    total = args.n or (100 if args.quick else 1000)
    logging.basicConfig(level=logging.CRITICAL)
    window = 120.0  # measure slow answers rather than fail them
    bench_load = _bench_load()
    bare = await bench_load.bare_bot(total, window)
    ours = await liaison(total, window)
    print(f"{total} members, one step each, at once (latency from dispatch)")
    base = bench_load.line("bare ack", bare)
    for name, values in ours.items():
        cuts = bench_load.line(name, values)
        print(
            "          ratio to bare: " + "  ".join(f"{k} x{cuts[k] / base[k]:.2f}" for k in ("p50", "p99"))
        )


if __name__ == "__main__":
    asyncio.run(main())
