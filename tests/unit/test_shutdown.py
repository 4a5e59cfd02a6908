"""Shutdown: scheduled work is not cut by the scheduler's shutdown, and a stuck thread cannot keep
a stopped process alive."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import cli
from bot.client import LiaisonBot
from bot.config import load_settings


async def test_a_scheduled_job_running_at_shutdown_finishes_and_logs_no_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = LiaisonBot(load_settings(env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/j.db"))
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[bool] = []

    async def sweep() -> None:
        started.set()
        await release.wait()
        finished.append(True)

    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
    scheduler.start()
    scheduler.add_job(bot.scheduled(sweep), "interval", minutes=5, next_run_time=datetime.now(UTC))
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.INFO, logger="apscheduler"):
        scheduler.shutdown(wait=False)  # cancels the jobs that are running
        await asyncio.sleep(0.05)
        release.set()
        await bot.close()  # waits for the work (bounded)
    assert finished == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_a_stuck_thread_does_not_keep_a_stopped_process_alive(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    never = threading.Event()
    stuck = threading.Thread(target=never.wait, name="aiosqlite-like worker")
    stuck.start()
    exits: list[int] = []

    class Exited(Exception):
        pass

    def fake_exit(code: int) -> None:
        exits.append(code)
        raise Exited

    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    monkeypatch.setattr(cli.logging, "shutdown", lambda: None)
    try:
        with caplog.at_level(logging.WARNING, logger="liaison"), pytest.raises(Exited):
            cli._exit_even_with_stuck_threads(0)
    finally:
        never.set()
        stuck.join()
    assert exits == [0]
    assert "aiosqlite-like worker" in caplog.text


def test_a_signal_before_the_loop_takes_over_is_remembered_not_fatal() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with cli._signals_remembered() as stop_asked:
        assert not stop_asked()
        os.kill(os.getpid(), signal.SIGTERM)  # without the handler: this test process dies
        time.sleep(0.05)  # delivered between two bytecodes
        assert stop_asked()
    assert signal.getsignal(signal.SIGTERM) is before
