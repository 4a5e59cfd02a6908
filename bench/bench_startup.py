"""Cold start to ready, and idle memory (RSS) of the connected bot.

Runs `python -m bot run` as an operator would, against the local sandbox (no Discord needed), on a
fresh database (migrations included) and then on the same database again (a warm restart).

    python bench/bench_startup.py [--runs 3] [--idle 5]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.driver import Sandbox  # noqa: E402
from bot.sandbox.harness import spawn_liaison  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_run(sandbox: Sandbox, db_url: str, idle: float) -> tuple[float, float]:
    before = len(sandbox.server.gateway.live_sessions)
    started = time.perf_counter()
    quiet = asyncio.subprocess.DEVNULL
    process = await spawn_liaison(sandbox, db_url, stdout=quiet, stderr=quiet, LOG_LEVEL="WARNING")
    await sandbox.wait_for(lambda: len(sandbox.server.gateway.live_sessions) > before, timeout=60)
    await sandbox.quiet(0.05)
    ready = time.perf_counter() - started
    await asyncio.sleep(idle)
    memory = rss_mib(process.pid)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 30)
    return ready, memory


async def main(runs: int, idle: float) -> None:
    sandbox = await Sandbox.start()
    try:
        cold, warm, memory = [], [], []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite+aiosqlite:///{folder}/bench.db"
                ready, rss = await one_run(sandbox, url, idle)
                cold.append(ready)
                ready, rss = await one_run(sandbox, url, idle)
                warm.append(ready)
                memory.append(rss)
        print(
            f"cold start to ready (fresh database, migrations): median {statistics.median(cold):.2f} s "
            f"(runs: {', '.join(f'{c:.2f}' for c in cold)})"
        )
        print(f"warm start to ready (migrated database):          median {statistics.median(warm):.2f} s")
        print(f"idle RSS of the connected bot after {idle:.0f} s: median {statistics.median(memory):.1f} MiB")
    finally:
        await sandbox.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--quick", action="store_true", help="one run, 1 s idle")
    options = parser.parse_args()
    asyncio.run(main(1 if options.quick else options.runs, 1.0 if options.quick else options.idle))
