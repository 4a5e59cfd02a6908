"""`liaison run` as an operator starts it: a real process against the sandbox's two URLs, stopped
with SIGTERM once ready, and at every stage of its start."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from bot.db import Database, migrate
from bot.sandbox.driver import Sandbox
from bot.sandbox.harness import spawn_liaison

READY = "ready as"
# Log lines of a start, in order: a stop right after each must end as cleanly as a later one.
START_STAGES = (
    "logging in using static token",  # talking to Discord's REST API
    "database at revision",  # migrated; cogs loading
    "wake-up moments loaded",  # the events cog loaded, the scheduler running jobs
    "slash commands",  # synced; connecting to the gateway
    READY,
)


class LiaisonProcess:
    """A `liaison run` process whose log (stderr) is collected line by line as it comes, by a
    task of its own (a read cut short by a timeout would lose what it had read)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, sandbox: Sandbox, db_url: str) -> LiaisonProcess:
        pipe = asyncio.subprocess.PIPE
        return cls(await spawn_liaison(sandbox, db_url, stdout=pipe, stderr=pipe))

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace"))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def wait_for_line(self, text: str, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while not any(text in line for line in self.lines):
            if self._reader.done():
                raise AssertionError(f"exited before logging {text!r}:\n{self.log[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged within {within:.0f} s:\n{self.log[-3000:]}")
            await asyncio.sleep(0.005)

    async def stop(self, within: float = 60.0) -> int:
        """SIGTERM, then the exit code. A process that does not exit in time has every thread's
        stack dumped into its log (SIGUSR1) before it is killed, for the failure report."""
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.send_signal(signal.SIGUSR1)
            await asyncio.sleep(2)
            self.process.kill()
            await self.process.wait()
            await self._reader
            raise AssertionError(f"no exit within {within:.0f} s of SIGTERM:\n{self.log[-6000:]}") from None
        await self._reader
        return self.process.returncode or 0


def assert_clean(log: str) -> None:
    for sign in ("Traceback", " ERROR ", "thread(s) still open"):
        assert sign not in log, log[-4000:]


async def test_run_migrates_connects_syncs_once_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    sandbox = await Sandbox.start()
    try:
        db_url = f"sqlite+aiosqlite:///{tmp_path}/run.db"
        first = await LiaisonProcess.start(sandbox, db_url)
        await first.wait_for_line(READY)
        first.process.send_signal(signal.SIGUSR1)  # an operator's stack dump; the bot runs on
        await first.wait_for_line("(most recent call first)", within=10)
        await sandbox.quiet(0.3)
        assert await first.stop() == 0, first.log
        assert "database at revision" in first.log
        assert_clean(first.log)
        syncs = [r for r in sandbox.requests if r.method == "PUT" and r.path.endswith("/commands")]
        assert len(syncs) == 1

        second = await LiaisonProcess.start(sandbox, db_url)
        await second.wait_for_line(READY)
        assert await second.stop() == 0, second.log
        assert "slash commands unchanged" in second.log
        assert_clean(second.log)
        assert len([r for r in sandbox.requests if r.method == "PUT" and r.path.endswith("/commands")]) == 1
        assert sandbox.unknown_routes == []
    finally:
        await sandbox.close()


@pytest.mark.parametrize("stage", START_STAGES)
async def test_sigterm_at_any_stage_of_a_start_exits_0_cleanly(tmp_path: Path, stage: str) -> None:
    """A stop while logging in, migrating, loading cogs (scheduler jobs running) or connecting:
    exit 0, no error logged, the database never left half-migrated (a stop waits for the
    migrations and the cogs to finish loading, then stops)."""
    sandbox = await Sandbox.start()
    try:
        db_url = f"sqlite+aiosqlite:///{tmp_path}/start.db"
        process = await LiaisonProcess.start(sandbox, db_url)
        await process.wait_for_line(stage)
        assert await process.stop(within=30) == 0, process.log
        assert_clean(process.log)
        database = Database(db_url)
        try:
            assert await migrate.current(database.engine) in (None, migrate.head())
        finally:
            await database.dispose()
    finally:
        await sandbox.close()
