"""APScheduler wiring: wake the delivery engine at each due moment, rebuilt from the database.

The database is the truth; this only decides *when* to look. At start the pending moments are
read back and coalesced into buckets (a tenth of a second by default) kept in a heap; a single
APScheduler job points at the earliest bucket and is moved whenever the head changes. So 100,000
pending reminders cost one query and a heap (not 100,000 scheduler jobs), and a moment added
later (a new event, a ``/remind``) only moves the job if it comes first.

The bot's clock may run ahead of the wall clock (the sandbox moves it): a moment is scheduled at
``wall now + (moment - bot now)``, and the sandbox's ``clock_advanced`` runs a pass at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import BigInteger, Integer, cast, func, select

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.db.models.events import PENDING, REPEAT_NONE, Event, Reminder
from bot.services import reminders
from bot.services.reminder_delivery import STOP_POLL_SECONDS, DeliveryEngine, PassReport, Stopped

log = logging.getLogger("liaison.scheduling")

JOB_ID = "liaison-reminders-wakeup"
POLL_JOB_ID = "liaison-reminders-poll"


def claim_options(settings: Settings) -> dict[str, Any]:
    """How the delivery engine claims work: shared (several processes, claims renewed and taken
    over after the timeout) when the bot is sharded, else the single-process defaults."""
    if not settings.sharded:
        return {}
    return {"shared": True, "stale_claim": timedelta(seconds=settings.liaison_claim_timeout_seconds)}


SHUTDOWN_WAIT_SECONDS = 5.0


async def finish_or_cancel(tasks: Iterable[asyncio.Task[Any]], within: float) -> None:
    """Let ``tasks`` end by themselves (they watch for the shutdown), then cancel what is left."""
    pending = {task for task in tasks if not task.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=within)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=within)


class Wakeups:
    """A heap of due buckets (``floor(epoch / resolution) + 1``) and one scheduler job armed at
    the earliest: a wake-up never comes before the moments it stands for, at most one
    resolution after."""

    def __init__(
        self,
        scheduler: BaseScheduler | None,
        clock: Clock,
        run: Callable[[], Awaitable[object]],
        *,
        resolution: float = 0.1,
        job_id: str = JOB_ID,
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
        """Read every pending moment back from the database; returns how many buckets.

        The buckets are computed by the database (``DISTINCT``), so 100,000 pending reminders
        come back as a few ten thousand integers, with no datetime objects made on the way.
        """
        async with db.transaction() as session:
            dialect = db.dialect
            pending = select(self._bucket_sql(Reminder.fire_at, dialect)).where(Reminder.state == PENDING)
            rolls = select(self._bucket_sql(Event.materialized_until, dialect)).where(
                Event.repeat != REPEAT_NONE, Event.cancelled_at.is_(None)
            )
            buckets = set((await session.scalars(pending.distinct())).all())
            buckets.update((await session.scalars(rolls.distinct())).all())
        self._known |= {int(bucket) for bucket in buckets}
        self._heap = list(self._known)
        heapq.heapify(self._heap)
        self._arm()
        return len(self._heap)

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


class ReminderRunner:
    """The engine and its wake-ups, as the events cog owns them."""

    def __init__(
        self, db: Database, clock: Clock, scheduler: BaseScheduler | None, engine: DeliveryEngine
    ) -> None:
        self.db = db
        self.clock = clock
        self.engine = engine
        self.wakeups = Wakeups(scheduler, clock, self.run)
        self._recovered = asyncio.Event()
        self._passing = asyncio.Lock()
        self._abandoned = False
        self._next: asyncio.Future[PassReport] | None = None
        self._polling: asyncio.Task[None] | None = None

    @property
    def recovered(self) -> bool:
        return self._recovered.is_set()

    async def start(self) -> int:
        """Load the wake-ups; on a shared database also poll, at a third of the claim timeout:
        other processes add reminders this one was never told of, and leave the claims of a
        process that died to be taken over."""
        buckets = await self.wakeups.load(self.db)
        scheduler = self.wakeups.scheduler
        if self.engine.shared and scheduler is not None and scheduler.running:
            scheduler.add_job(
                self._poll,
                "interval",
                seconds=max(1.0, self.engine.stale_claim.total_seconds() / 3),
                id=POLL_JOB_ID,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
            )
        return buckets

    async def _poll(self) -> None:
        if not self.recovered or self.wakeups.stopped:
            return
        # The job returns at once and the pass runs in a task of its own, as for wake-ups:
        # APScheduler's shutdown would cancel a running job in the middle of its database work
        # (the pass sees the shutdown and stops by itself), and a job still running when the
        # next poll is due makes APScheduler log a warning every poll under load.
        if self._polling is not None and not self._polling.done():
            return  # the previous poll's pass is still at work
        self._polling = self.wakeups.track(
            asyncio.get_running_loop().create_task(self._poll_pass(), name="reminders-poll")
        )

    async def _poll_pass(self) -> None:
        try:
            await self.run()
        except Exception:
            if not self.wakeups.stopped:
                log.exception("reminder poll failed; will try again at the next poll")

    async def recover(self) -> PassReport:
        """Once connected: settle what was missed or left half-done while the bot was down."""
        report = await self.engine.recover(self.clock.now())
        self._recovered.set()
        await self._rearm()
        return report

    async def recover_until_done(self, retry_seconds: float = 30.0) -> PassReport | None:
        """``recover``, tried again until it succeeds (passes wait for it); None when the bot
        is going down meanwhile."""
        while True:
            try:
                report = await self.recover()
            except Exception:
                if self.wakeups.stopped:
                    log.warning("reminder recovery interrupted by shutdown", exc_info=True)
                    self._abandoned = True
                    self._recovered.set()  # release waiting passes: they stop too
                    return None
                log.exception("reminder recovery failed; trying again in %s s", retry_seconds)
                await asyncio.sleep(retry_seconds)
                continue
            log.info("reminders recovered at start: %s", report)
            return report

    async def run(self) -> PassReport:
        """A pass at the bot's current time; before the recovery pass is done, waits for it (the
        first pass after a start must be the one that judges what was missed).

        Calls made while a pass runs share the *next* pass (it reads the clock when it starts,
        so it covers what they asked for): under a burst, passes do not queue up one per call.
        """
        while not self._recovered.is_set():  # polled: a bot killed before recovering must not
            if self.wakeups.stopped:  # leave passes waiting forever
                raise Stopped()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recovered.wait(), STOP_POLL_SECONDS)
        if self._abandoned:
            raise Stopped()
        if self._next is not None:
            return await asyncio.shield(self._next)
        self._next = asyncio.get_running_loop().create_future()
        future = self._next
        try:
            async with self._passing:
                self._next = None
                report = await self.engine.run_due(self.clock.now())
                await self._rearm()
        except BaseException as exc:
            if self._next is future:
                self._next = None
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # marked retrieved: only callers that joined need to see it
            raise
        future.set_result(report)
        return report

    async def _rearm(self) -> None:
        async with self.db.transaction() as session:
            self.wakeups.add(await reminders.next_due(session))
        self.wakeups.rearm()

    def notify(self, moments: Iterable[datetime]) -> None:
        self.wakeups.add(moments)

    def stop(self) -> None:
        self._stop_polling()
        self.wakeups.stop()

    async def aclose(self) -> None:
        self._stop_polling()
        await self.wakeups.aclose()

    def _stop_polling(self) -> None:
        scheduler = self.wakeups.scheduler
        if scheduler is not None and scheduler.running and scheduler.get_job(POLL_JOB_ID) is not None:
            scheduler.remove_job(POLL_JOB_ID)
