"""The delivery engine: every due reminder delivered once, whatever the moment the process dies.

A pass (``run_due``):
1. rolls repeating events forward;
2. *expands* each due reminder, in one transaction that flips it from ``pending`` to ``claimed``:
   it is judged (too late? event started? cancelled?) and gets one delivery row per target;
3. delivers: each delivery is *claimed* (an atomic ``UPDATE … WHERE state='pending'``), sent with
   the nonce derived from its id, then marked ``sent``/``failed``/``skipped``. A claim left by a
   dead process is taken again at start (``recover``) and sent with the same nonce, so Discord
   returns the first message instead of posting a second one;
4. closes reminders whose deliveries are all resolved.

With several processes on one database (``shared=True``), each engine claims under its own
``owner`` id and renews its claims before sending whenever they are older than a quarter of
``stale_claim``; the claims of a process that died are taken over once older than
``stale_claim``, never at start (another process may be sending them right now).

Work goes by batches (one transaction to expand many reminders, one to claim many deliveries,
one to settle them), and the sends of a batch run concurrently (bounded), so a reminder to fifty
members, or a thousand reminders due the same minute, still go out within seconds.

Sending is done through a ``Sender`` (the cog's, with discord.py; the tests' fake), which raises
``Transient`` (5xx, 429: retried with backoff), ``Permanent`` (recorded, counted in stats) or
``Unreachable`` (closed DMs: the member is mentioned in the channel post instead); these errors
and ``Stopped`` are shared with exercise injects (``bot.delivery``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select

from bot.db import Database
from bot.db.models.events import FAILED, PENDING, SENT, SKIPPED, TARGET_CHANNEL, TARGET_DM, Reminder
from bot.delivery import STOP_POLL_SECONDS, Permanent, Stopped, Transient, Unreachable
from bot.services.reminders import batches, planning
from bot.services.reminders.batches import DM_CLOSED, FAR_FUTURE, Result
from bot.services.reminders.batches import Message as Outgoing

__all__ = [
    "DeliveryEngine",
    "Outgoing",
    "Permanent",
    "Sender",
    "Stopped",
    "Transient",
    "Unreachable",
    "judge",
]

log = logging.getLogger("liaison.reminders")


class Sender(Protocol):
    async def send(self, message: Outgoing) -> int | None:
        """Send; returns the message id. Raises Transient, Permanent or Unreachable."""


@dataclass
class PassReport:
    expanded: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    late: int = 0


@dataclass(frozen=True)
class Verdict:
    skip_reason: str | None
    late: bool


def judge(
    fire_at: datetime,
    occurrence_start: datetime | None,
    cancelled: bool,
    now: datetime,
    awake_since: datetime | None,
    grace: timedelta,
    late_after: timedelta,
) -> Verdict:
    """Send, send marked late, or skip? Reminders that fell due while the bot was down (before
    ``awake_since``) are sent late when still useful (within the grace, event not started)."""
    if cancelled:
        return Verdict("cancelled", False)
    if occurrence_start is not None and occurrence_start <= now:
        return Verdict("started", False)
    missed = awake_since is None or fire_at < awake_since
    if not missed:
        return Verdict(None, False)
    lateness = now - fire_at
    if lateness > grace:
        return Verdict("missed", False)
    return Verdict(None, lateness > late_after)


class DeliveryEngine:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        *,
        late_after: timedelta = timedelta(minutes=1),
        max_attempts: int = 5,
        backoff: float = 0.5,
        stale_claim: timedelta = timedelta(minutes=2),
        batch: int = 200,
        concurrency: int = 10,
        send_timeout: float = 30.0,
        stopped: Callable[[], bool] = lambda: False,
        shared: bool = False,
    ) -> None:
        self.db = db
        self.shared = shared
        # Shared databases: claims carry this process's id (None keeps single-process claims).
        self.owner = uuid.uuid4().hex if shared else None
        if shared:
            log.info("reminders: claiming as %s (claims taken over after %s)", self.owner, stale_claim)
        self.sender = sender
        self.late_after = late_after
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.stale_claim = stale_claim
        self.batch = batch
        self.awake_since: datetime | None = None
        self._lock = asyncio.Lock()
        self._sends = asyncio.Semaphore(concurrency)
        self.send_timeout = send_timeout
        # True once the bot is going down: a pass then stops before its next send, leaving
        # what it claimed to the next start (as a killed process would).
        self.stopped = stopped

    async def recover(self, now: datetime) -> PassReport:
        """At start: whatever is due or was left claimed by a dead process is settled now (on a
        shared database, only claims older than ``stale_claim``: the others may be alive)."""
        self.awake_since = now
        return await self.run_due(now, reclaim_all=not self.shared)

    async def run_due(self, now: datetime, *, reclaim_all: bool = False) -> PassReport:
        """One pass over everything due at ``now`` (passes never overlap)."""
        report = PassReport()
        async with self._lock:
            async with self.db.transaction() as session:
                await planning.roll_forward(session, now)
            while due := await self._due_ids(now):
                if self.stopped():
                    raise Stopped()
                await self._expand(due, now, report)
            cutoff = FAR_FUTURE if reclaim_all else now - self.stale_claim
            async with self.db.transaction() as session:
                open_ids = await batches.open_reminder_ids(session, cutoff)
            for start in range(0, len(open_ids), self.batch):
                if self.stopped():
                    raise Stopped()
                await self._deliver(open_ids[start : start + self.batch], now, cutoff, report)
        return report

    # -- expansion ---------------------------------------------------------------------------
    async def _due_ids(self, now: datetime) -> list[int]:
        async with self.db.transaction() as session:
            rows = await session.scalars(
                select(Reminder.id)
                .where(Reminder.state == PENDING, Reminder.fire_at <= now)
                .order_by(Reminder.fire_at, Reminder.id)
                .limit(self.batch)
            )
            return list(rows)

    async def _expand(self, ids: list[int], now: datetime, report: PassReport) -> None:
        """Judge each due reminder and give it its deliveries, all in one transaction."""
        async with self.db.transaction() as session:
            rows = await batches.claim_due(session, ids)
            events = await batches.events_of(session, rows)
            settings = batches.SettingsCache()
            for row in rows:
                event = events.get(row.event_id) if row.event_id is not None else None
                server = await settings.of(session, row.guild_id)
                verdict = judge(
                    row.fire_at,
                    row.occurrence_start,
                    event is not None and event.cancelled_at is not None,
                    now,
                    self.awake_since,
                    timedelta(minutes=server.reminder_grace_minutes),
                    self.late_after,
                )
                report.expanded += 1
                found = (
                    await batches.targets(session, row, event, server) if verdict.skip_reason is None else []
                )
                if not found:
                    row.state, row.reason, row.done_at = SKIPPED, verdict.skip_reason or "no_target", now
                    report.skipped += 1
                    continue
                row.late = verdict.late
                report.late += int(verdict.late)
                batches.add_deliveries(session, row, found)

    # -- delivery ----------------------------------------------------------------------------
    async def _deliver(
        self, reminder_ids: list[int], now: datetime, cutoff: datetime, report: PassReport
    ) -> None:
        """DMs first (the channel post mentions whoever could not get theirs), then channels:
        claim (committed), send concurrently, settle (committed)."""
        for target in (TARGET_DM, TARGET_CHANNEL):
            async with self.db.transaction() as session:
                claimed = await batches.claim(session, reminder_ids, target, now, cutoff, self.owner)
            if not claimed:
                continue
            lease = _Lease(self, [message.delivery_id for message in claimed], now)
            results = await asyncio.gather(*(self._send(message, lease) for message in claimed))
            settled = [result for result in results if result is not None]
            async with self.db.transaction() as session:
                await batches.settle(session, settled, now, self.owner)
            for result in settled:
                report.sent += result.state == SENT
                report.skipped += result.state == SKIPPED
                report.failed += result.state not in (SENT, SKIPPED)
        async with self.db.transaction() as session:
            await batches.close(session, reminder_ids, now)

    async def _send(self, message: Outgoing, lease: _Lease) -> Result | None:
        """One delivery, retried with backoff on transient errors; None when the claim was lost
        to another process (it took over after the timeout, and sends it itself)."""
        async with self._sends:
            for attempt in range(1, self.max_attempts + 1):
                if self.stopped():
                    raise Stopped()
                if not await lease.holds(message.delivery_id):
                    log.warning("reminder delivery %s was taken over by another process", message.delivery_id)
                    return None
                try:
                    message_id = await self._send_once(message)
                except Unreachable:
                    return Result(message, SKIPPED, DM_CLOSED, retries=attempt - 1)
                except Permanent as exc:
                    log.warning("reminder delivery %s failed: %s", message.delivery_id, exc.reason)
                    return Result(message, FAILED, exc.reason, retries=attempt - 1)
                except Transient as exc:
                    if attempt == self.max_attempts:
                        log.warning("reminder delivery %s gave up: %s", message.delivery_id, exc.reason)
                        return Result(message, FAILED, f"gave up: {exc.reason}", retries=attempt - 1)
                    await asyncio.sleep(max(exc.retry_after or 0.0, self.backoff * 2 ** (attempt - 1)))
                else:
                    return Result(message, SENT, message_id=message_id, retries=attempt - 1)
        raise AssertionError("unreachable")

    async def _send_once(self, message: Outgoing) -> int | None:
        """A send that cannot hang a pass: past ``send_timeout`` it counts as transient (retried
        with the same nonce, so a send that did reach Discord is not posted twice), and it is
        abandoned as soon as the bot is going down."""
        task = asyncio.ensure_future(self.sender.send(message))
        deadline = asyncio.get_running_loop().time() + self.send_timeout
        try:
            while not task.done():
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    raise Transient(f"no answer in {self.send_timeout:.0f} s")
                if self.stopped():
                    raise Stopped()
                await asyncio.wait({task}, timeout=min(left, STOP_POLL_SECONDS))
        finally:
            if not task.done():
                task.cancel()
        return task.result()


class _Lease:
    """The claims of one batch, renewed (one UPDATE for the whole batch) before a send when
    older than a quarter of the timeout, so a live process never loses them; a delivery that
    another process took over is reported lost. Single-process engines never renew."""

    def __init__(self, engine: DeliveryEngine, delivery_ids: list[int], now: datetime) -> None:
        self.engine = engine
        self.ids = set(delivery_ids)
        self.renewed = time.monotonic()
        self.now = now
        self._lock = asyncio.Lock()

    async def holds(self, delivery_id: int) -> bool:
        engine = self.engine
        if not engine.shared:
            return True
        async with self._lock:
            if time.monotonic() - self.renewed > engine.stale_claim.total_seconds() / 4:
                elapsed = timedelta(seconds=time.monotonic() - self.renewed)
                async with engine.db.transaction() as session:
                    self.ids = await batches.renew(
                        session, sorted(self.ids), engine.owner, self.now + elapsed
                    )
                self.renewed = time.monotonic()
                self.now += elapsed
        return delivery_id in self.ids
