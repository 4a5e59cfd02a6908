"""Sandbox figures: time from ``python -m bot sandbox`` to the first prompt, and the round trip of a
slash command through the sandbox (real HTTP and gateway, the real bot).

    .venv/bin/python bench/bench_sandbox.py [--quick]

Start-up is measured on a fresh database (migrations and the sample data written) and on one kept
from a previous run. The round trip is measured three ways: until the bot's answer is posted
(what a member waits for), the driver's ``slash()`` (which also waits until the bot has been idle
for its quiet period, 0.08 s), and a console line (``slash()`` plus rendering the transcript).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ("detection", "portal", "cppnm", "riid", "crime scene", "détection", "icsant", "border")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_prompt(db: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds from starting the process to the console's first prompt (stdin
    is a pipe). CPU time says what an idle machine would take, whatever else runs."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--db", str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        for line in proc.stdout:
            if "Type `help`" in line:
                elapsed = time.monotonic() - started, cpu_seconds(proc.pid)
                break
        else:
            raise RuntimeError("the sandbox ended before its first prompt")
        proc.stdin.write("quit\n")
        proc.stdin.close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{name:<44} median {statistics.median(ms):7.1f} ms   p95 {pct(ms, 95):7.1f} ms   (n={len(ms)})"


async def round_trips(db: Path, n: int) -> None:
    from bot.sandbox.cli import database_url, open_sandbox
    from bot.sandbox.console import Console

    sandbox, _ = await open_sandbox(database_url(db))
    answered: list[float] = []
    driver: list[float] = []
    console_lines: list[float] = []
    try:
        users = [sandbox.users.carol, sandbox.users.bruno]
        for i in range(n):
            started = time.monotonic()
            inter = await sandbox.slash("resource search", user=users[i % 2], query=QUERIES[i % len(QUERIES)])
            driver.append(time.monotonic() - started)
            assert inter.response is not None, inter.errors
            answered.append(inter.response.created - inter.created)
        console = Console(sandbox, io.StringIO())
        for i in range(n):
            started = time.monotonic()
            await console.step(f"/resource search query: {QUERIES[i % len(QUERIES)]}", echo=True)
            console_lines.append(time.monotonic() - started)
    finally:
        await sandbox.close()
    print(line("slash: until the bot's answer is posted", answered))
    print(line("slash: driver slash() incl. 0.08 s quiet", driver))
    print(line("console line: slash() + rendering", console_lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    runs, n = (1, 20) if args.quick else (3, 200)
    with tempfile.TemporaryDirectory() as tmp:
        fresh, kept = [], []
        for i in range(runs):
            db = Path(tmp) / f"start-{i}.db"
            fresh.append(first_prompt(db))
            kept.append(first_prompt(db))
        for name, figures in (("fresh database (migrate + seed)", fresh), ("database kept from a run", kept)):
            wall = statistics.median(w for w, _ in figures)
            cpu = statistics.median(c for _, c in figures)
            print(
                f"first prompt, {name:<32} median {wall:5.2f} s wall, {cpu:5.2f} s CPU   "
                f"runs: {', '.join(f'{w:.2f}' for w, _ in figures)}"
            )
        print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        asyncio.run(round_trips(Path(tmp) / "trips.db", n))


if __name__ == "__main__":
    main()
