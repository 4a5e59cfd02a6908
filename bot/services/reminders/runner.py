"""What wakes the reminders' delivery engine: ``ReminderWakeups`` (the shared ``bot.delivery.Wakeups``
heap, rebuilt from the pending reminders and the repeating events to roll forward) and
``ReminderRunner``, which the events cog owns: start, recovery once connected, passes that never
overlap, polling on a shared database. It may use APScheduler's types, never discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.db.models.events import PENDING, REPEAT_NONE, Event, Reminder
from bot.delivery import STOP_POLL_SECONDS, Stopped, Wakeups
from bot.services.reminders import planning
from bot.services.reminders.delivery import DeliveryEngine, PassReport

log = logging.getLogger("liaison.scheduling")

JOB_ID = "liaison-reminders-wakeup"
POLL_JOB_ID = "liaison-reminders-poll"


class ReminderWakeups(Wakeups):
    """The wake-ups of reminders: every pending reminder, and each repeating event's next roll."""

    def __init__(
        self,
        scheduler: BaseScheduler | None,
        clock: Clock,
        run: Callable[[], Awaitable[object]],
        *,
        resolution: float = 0.1,
        job_id: str = JOB_ID,
    ) -> None:
        super().__init__(scheduler, clock, run, resolution=resolution, job_id=job_id)

    async def pending_buckets(self, session: AsyncSession, dialect: str) -> set[int]:
        """Computed by the database (``DISTINCT``), so 100,000 pending reminders come back as a
        few ten thousand integers, with no datetime objects made on the way."""
        pending = select(self._bucket_sql(Reminder.fire_at, dialect)).where(Reminder.state == PENDING)
        rolls = select(self._bucket_sql(Event.materialized_until, dialect)).where(
            Event.repeat != REPEAT_NONE, Event.cancelled_at.is_(None)
        )
        buckets = set((await session.scalars(pending.distinct())).all())
        buckets.update((await session.scalars(rolls.distinct())).all())
        return buckets


class ReminderRunner:
    """The engine and its wake-ups, as the events cog owns them."""

    def __init__(
        self, db: Database, clock: Clock, scheduler: BaseScheduler | None, engine: DeliveryEngine
    ) -> None:
        self.db = db
        self.clock = clock
        self.engine = engine
        self.wakeups = ReminderWakeups(scheduler, clock, self.run)
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
        if self.engine.shared:
            self.wakeups.poll(self.engine.stale_claim / 3, self._poll, POLL_JOB_ID)
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
            self.wakeups.add(await planning.next_due(session))
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
