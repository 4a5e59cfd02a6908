"""Acknowledgement latency under a burst: Liaison against a bare discord.py bot, same run.

N interactions are dispatched at once through the sandbox (the mix of ``tests/e2e/load.py``:
searches, RSVPs to one event with a capacity, expert registrations, questions); the sandbox
measures each acknowledgement from dispatch to callback. The bare bot (``tests/sandbox/
protocol_bot.py``) answers a no-op ``/ping`` to as many interactions, on the same machine, in the
same process: the ceiling of discord.py + sandbox + one event loop. The ratio says how far
Liaison is from it.

    .venv/bin/python bench/bench_load.py            # 500 interactions
    .venv/bin/python bench/bench_load.py --quick    # 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import Database, migrate  # noqa: E402
from bot.sandbox.driver import Sandbox  # noqa: E402
from bot.sandbox.harness import start_liaison_sandbox  # noqa: E402
from tests.e2e import load  # noqa: E402
from tests.sandbox.protocol_bot import ProtocolBot, pointed_at  # noqa: E402


async def bare_bot(total: int, window: float) -> list[float]:
    sandbox = await Sandbox.start()
    sandbox.world.ack_window = window
    assert sandbox.guild is not None
    with pointed_at(sandbox.api_base, sandbox.gateway_url):
        bot = ProtocolBot(sandbox.guild.id)
        task = asyncio.create_task(bot.start(sandbox.world.token))
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        await sandbox.wait_for(lambda: sandbox.commands, timeout=10)
        users = load.add_members(sandbox, total)
        await sandbox.quiet(0.3)
        fired = [await load.fire(sandbox, "ping", user) for user in users]
        await load.settle(sandbox, fired)
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await sandbox.close()
    return [i.acked_in for i in fired if i.acked_in is not None]


async def liaison(total: int, window: float) -> tuple[list[float], dict[str, int], list[str]]:
    folder = Path(tempfile.mkdtemp())
    database = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await migrate.upgrade(database.engine)
    await database.dispose()
    sandbox = await start_liaison_sandbox(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    sandbox.world.ack_window = window
    try:
        users, event_id = await load.prepare(sandbox, total)
        started = time.perf_counter()
        fired = await load.burst(sandbox, users, event_id, total)
        elapsed = time.perf_counter() - started
        late = load.problems(fired.all, 3.0)
        await load.confirm_registrations(sandbox, fired)
        result = await load.outcome(sandbox, fired)
        result["burst_seconds_x100"] = round(elapsed * 100)
        result |= {f"fired_{k}": v for k, v in load.kinds(fired).items()}
        return fired.latencies(), result, late
    finally:
        await sandbox.close()
        shutil.rmtree(folder, ignore_errors=True)


def line(name: str, values: list[float]) -> dict[str, float]:
    cuts = load.percentiles(values)
    print(f"{name:>8}: n={len(values)}  " + "  ".join(f"{k} {v * 1000:7.1f} ms" for k, v in cuts.items()))
    return cuts


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 interactions instead of 500")
    parser.add_argument("-n", type=int, default=None, help="interactions in the burst")
    args = parser.parse_args()
    total = args.n or (100 if args.quick else 500)
    logging.basicConfig(level=logging.CRITICAL)
    # the bench measures; it does not let the 3 s window turn slow answers into failures
    window = 120.0
    bare = await bare_bot(total, window)
    ours, result, late = await liaison(total, window)
    print(f"{total} interactions dispatched at once; acknowledgement latency (dispatch -> callback)")
    b, o = line("bare", bare), line("liaison", ours)
    print("   ratio: " + "  ".join(f"{k} x{o[k] / b[k]:.2f}" for k in ("p50", "p95", "p99")))
    print(f" outcome: {result}")
    print(f"   late (>= 3 s) or failed: {len(late)}")


if __name__ == "__main__":
    asyncio.run(main())
