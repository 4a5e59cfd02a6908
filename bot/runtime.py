"""All of the bot's background work: one scheduler, one stop signal, tracked tasks.

Everything that runs outside an interaction goes through one ``Runtime``: ``spawn`` for work to
do now, ``every`` for periodic sweeps (``soon`` to bring one's turn forward), ``at`` for a moment,
``cancel`` to withdraw a named job,
and ``close`` at shutdown. APScheduler only decides *when*: each job body runs as tracked work
(``spawn``), because APScheduler's shutdown cancels the jobs that are running, which would cut
their database work in half; ``close`` lets tracked work finish (bounded) instead.

What is due later lives in the database (reminders, injects); the scheduler is rebuilt from it at
start, so nothing here needs to survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

Job = Coroutine[Any, Any, None]

log = logging.getLogger("liaison.runtime")


class Runtime:
    """The bot's one runtime for background work. ``start`` inside the event loop."""

    def __init__(self) -> None:
        self._scheduler: AsyncIOScheduler | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
        self._scheduler.start()

    @property
    def scheduler(self) -> AsyncIOScheduler:
        """The one APScheduler (for the reminder wake-ups' heap); AttributeError before ``start``."""
        if self._scheduler is None:
            raise AttributeError("the runtime has not started")
        return self._scheduler

    @property
    def stopping(self) -> bool:
        """The one stop signal: set when ``close`` begins; long work checks it between steps."""
        return self._stopping

    async def close(self, also_wait_for: Iterable[asyncio.Task[Any]] = (), grace: float = 10.0) -> None:
        """Stop waking anything, then let tracked work (and ``also_wait_for``) finish, bounded."""
        self._stopping = True
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        pending = (self._tasks | set(also_wait_for)) - {asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=grace)

    # -- work ------------------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
        """Work to do now, in the background; ``close`` waits for it (bounded)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def in_flight(self) -> set[asyncio.Task[Any]]:
        """The background work started with ``spawn`` that has not finished yet."""
        return {task for task in self._tasks if not task.done()}

    def job(self, work: Callable[[], Job]) -> Callable[[], Job]:
        """``work`` as a scheduler job whose body runs as tracked work (see the module's doc)."""

        async def job() -> None:
            task = self.spawn(work(), name=getattr(work, "__qualname__", None))
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

        job.__qualname__ = job.__name__ = getattr(work, "__qualname__", "job")
        return job

    def every(self, name: str, work: Callable[[], Job], *, minutes: float, now: bool = False) -> None:
        """Run ``work`` every ``minutes`` (and once right away with ``now``); one job per name."""
        options: dict[str, Any] = {"next_run_time": datetime.now(UTC)} if now else {}
        self.scheduler.add_job(
            self.job(work), "interval", minutes=minutes, id=name, replace_existing=True, **options
        )

    def soon(self, name: str) -> None:
        """Run the periodic job ``name`` now rather than at its next turn (it keeps its period from
        then on); nothing if there is no such job (or the runtime is closed)."""
        if self._scheduler is None or not self._scheduler.running:
            return
        with contextlib.suppress(JobLookupError):
            self._scheduler.modify_job(name, next_run_time=datetime.now(UTC))

    def at(self, name: str, moment: datetime, work: Callable[[], Job]) -> None:
        """Run ``work`` once at ``moment`` (wall-clock UTC); one job per name, re-armed if named again."""
        self.scheduler.add_job(
            self.job(work), "date", run_date=moment, id=name, replace_existing=True, misfire_grace_time=None
        )

    def cancel(self, name: str) -> None:
        """Withdraw the job ``name``, if any (and nothing once the runtime is closed)."""
        if self._scheduler is None or not self._scheduler.running:
            return
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(name)
