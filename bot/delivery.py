"""What every feature that delivers messages on its own schedule shares (reminders, exercise
injects): the send errors a sender raises, the stop signal of a pass, how claims are taken on a
shared database, the shutdown of passes under way, and ``Wakeups``, the heap of due moments
that arms one scheduler job at the earliest.

The database is the truth; ``Wakeups`` only decides *when* to look. At start the pending moments
are read back and coalesced into buckets (a tenth of a second by default) kept in a heap; a single
APScheduler job points at the earliest bucket and is moved whenever the head changes. So 100,000
pending reminders cost one query and a heap (not 100,000 scheduler jobs), and a moment added
later (a new event, a ``/remind``) only moves the job if it comes first.

The bot's clock may run ahead of the wall clock (the sandbox moves it): a moment is scheduled at
``wall now + (moment - bot now)``, and the sandbox's ``clock_advanced`` runs a pass at once.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import BigInteger, Integer, cast, func
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.db.unit import unit_of_work

log = logging.getLogger("liaison.scheduling")

STOP_POLL_SECONDS = 0.25
SHUTDOWN_WAIT_SECONDS = 5.0


# ---- what a sender raises -------------------------------------------------------------------
class SendFailure(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:150]
        self.retry_after = retry_after


class Transient(SendFailure):
    """Worth retrying: a 5xx, a 429, a network error."""


class Permanent(SendFailure):
    """Will not work by retrying: unknown channel, missing access…"""


class Unreachable(SendFailure):
    """The member does not accept DMs from the bot."""


class Stopped(Exception):
    """The bot is going down: the pass stops; claimed deliveries are settled at the next start."""


# ---- claims and shutdown --------------------------------------------------------------------
def claim_options(settings: Settings) -> dict[str, Any]:
    """How a delivery engine claims work: shared (several processes, claims renewed and taken
    over after the timeout) when the bot is sharded, else the single-process defaults."""
    if not settings.sharded:
        return {}
    return {"shared": True, "stale_claim": timedelta(seconds=settings.liaison_claim_timeout_seconds)}


async def finish_or_cancel(tasks: Iterable[asyncio.Task[Any]], within: float) -> None:
    """Let ``tasks`` end by themselves (they watch for the shutdown), then cancel what is left."""
    pending = {task for task in tasks if not task.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=within)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=within)


# ---- wake-ups -------------------------------------------------------------------------------
class Wakeups:
    """A heap of due buckets (``floor(epoch / resolution) + 1``) and one scheduler job armed at
    the earliest: a wake-up never comes before the moments it stands for, at most one
    resolution after. A feature says which moments are pending (``pending_buckets``)."""

    def __init__(
        self,
        scheduler: BaseScheduler | None,
        clock: Clock,
        run: Callable[[], Awaitable[object]],
        *,
        resolution: float = 0.1,
        job_id: str,
    ) -> None:
        self.job_id = job_id  # one job per feature that wakes up this way (reminders, injects)
        self.scheduler = scheduler
        self.clock = clock
        self.run = run
        self.resolution = resolution
        self._heap: list[int] = []
        self._known: set[int] = set()
        self.armed_at: datetime | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._heap)

    def bucket(self, moment: datetime) -> int:
        return math.floor(moment.timestamp() / self.resolution) + 1

    async def load(self, db: Database) -> int:
        """Read every pending moment back from the database; returns how many buckets."""
        buckets = await _pending_buckets(db, self, db.dialect)
        self._known |= {int(bucket) for bucket in buckets}
        self._heap = list(self._known)
        heapq.heapify(self._heap)
        self._arm()
        return len(self._heap)

    async def pending_buckets(self, session: AsyncSession, dialect: str) -> set[int]:
        """The buckets of every pending moment, computed by the database (``_bucket_sql``)."""
        raise NotImplementedError

    def _bucket_sql(self, column: Any, dialect: str) -> Any:
        """``bucket()`` in SQL: ``floor(epoch / resolution) + 1``."""
        per_day = 86400.0 / self.resolution
        if dialect == "sqlite":
            # SQLite stores UTC text; julianday() reads it, 2440587.5 is the Unix epoch.
            return cast((func.julianday(column) - 2440587.5) * per_day, Integer) + 1
        return cast(func.floor(func.extract("epoch", column) / self.resolution), BigInteger) + 1

    def add(self, moments: Iterable[datetime]) -> None:
        head = self._heap[0] if self._heap else None
        for moment in moments:
            bucket = self.bucket(moment)
            if bucket not in self._known:
                self._known.add(bucket)
                heapq.heappush(self._heap, bucket)
        if self._heap and self._heap[0] != head:
            self._arm()

    def _pop_due(self) -> None:
        now = self.bucket(self.clock.now())
        while self._heap and self._heap[0] <= now:
            self._known.discard(heapq.heappop(self._heap))

    def rearm(self) -> None:
        self._arm()

    def _arm(self) -> None:
        if not self._heap or self.scheduler is None or not self.scheduler.running:
            return
        head = self._heap[0] * self.resolution
        wait = max(0.0, head - self.clock.now().timestamp())
        run_date = datetime.now(UTC) + timedelta(seconds=wait)
        self.armed_at = run_date
        self.scheduler.add_job(
            self._fire,
            "date",
            run_date=run_date,
            id=self.job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    async def _fire(self) -> None:
        """The job itself returns at once: a job still running when it is re-armed would make
        APScheduler skip (and drop) the new run. The pass runs in its own task."""
        self.track(asyncio.get_running_loop().create_task(self.wake(), name="reminders-wake"))

    def poll(self, every: timedelta, job: Callable[[], Awaitable[None]], job_id: str) -> None:
        """Also run ``job`` every ``every`` (at least a second): on a database that several
        processes share, what the others added, and the claims of one that died, are found so."""
        if self.scheduler is None or not self.scheduler.running:
            return
        self.scheduler.add_job(
            job,
            "interval",
            seconds=max(1.0, every.total_seconds()),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    def track(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        """A pass that ``aclose`` lets end by itself (then cancels if it must)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wake(self) -> None:
        """The job: forget the buckets now due, run a pass, arm for the next bucket."""
        self._pop_due()
        try:
            await self.run()
        except Exception:
            if self.stopped:
                # The bot is going down under us (its HTTP session or database closed): what was
                # claimed stays claimed and is settled at the next start, with the same nonces.
                log.warning("reminder pass interrupted by shutdown", exc_info=True)
                return
            log.exception("reminder pass failed; will try again at the next wake-up")
            self.add([self.clock.now() + timedelta(seconds=30)])
        finally:
            self._arm()

    @property
    def stopped(self) -> bool:
        """The scheduler was shut down (the bot is closing, or was killed)."""
        return self.scheduler is not None and not self.scheduler.running

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.get_job(self.job_id) is not None:
            self.scheduler.remove_job(self.job_id)

    async def aclose(self) -> None:
        """Stop waking up; a pass under way sees the scheduler stopped and ends before its next
        send (what it claimed is settled at the next start). It is cancelled only if it has not
        ended within seconds: cancelling database work midway is the last resort."""
        self.stop()
        await finish_or_cancel(self._tasks, SHUTDOWN_WAIT_SECONDS)


@unit_of_work
async def _pending_buckets(session: AsyncSession, wakeups: Wakeups, dialect: str) -> set[int]:
    """``wakeups.pending_buckets`` (a method, per feature) as one unit of work."""
    return await wakeups.pending_buckets(session, dialect)
