"""Delivering injects: every due delivery sent once, in order, whatever the moment the process dies.

The reminders' pattern (``bot.services.reminders.delivery``; the errors shared in ``bot.delivery``),
for exercise deliveries:
1. *claim* a batch of due deliveries (one atomic ``UPDATE … WHERE state='pending'``, under the
   process's ``owner`` id when several processes share the database), which gives each its nonce;
2. send them with that nonce (threads in parallel, each thread's messages in exercise order);
3. *settle* them (``sent``/``failed``), and stamp each inject with the moment and exercise time it
   first went out.
A claim left by a dead process is taken again at start (``recover``; on a shared database only
once older than ``stale_claim``) and sent with the same nonce, so Discord shows it once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import String, and_, bindparam, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.db.models.exercises import (
    CLAIMED,
    FAILED,
    PENDING,
    SENT,
    Exercise,
    ExerciseDelivery,
    ExerciseInject,
    ExerciseTeam,
)
from bot.delivery import Permanent, Stopped, Transient, Unreachable
from bot.exercises import clock

log = logging.getLogger("liaison.exercises")

NONCE_PREFIX = "liaison-x"
LATE_AFTER = timedelta(seconds=10)
FAR_FUTURE = datetime(9999, 1, 1).astimezone()


EXERCISE_COLUMNS = (
    Exercise.id,
    Exercise.language,
    Exercise.control_language,
    Exercise.links,
    Exercise.label,
    Exercise.title,
)


@dataclass(frozen=True)
class _Exercise:
    id: int
    language: str
    control_language: str | None
    links: dict[str, Any]
    label: str
    title: str


def nonce_for(delivery_id: int) -> str:
    return f"{NONCE_PREFIX}{delivery_id}"[:25]


@dataclass(frozen=True)
class Outgoing:
    """One inject message to one thread, with everything needed to render it."""

    delivery_id: int
    nonce: str
    guild_id: int
    exercise_id: int
    inject_id: int
    channel_id: int
    team: str | None  # None: the control thread
    language: str
    number: int
    scripted: bool
    offset: float  # exercise time shown (planned, or when asked for an ad hoc one)
    due_at: datetime
    late: bool
    content: dict[str, Any]
    links: dict[str, Any]
    label: str
    exercise_title: str


@dataclass
class PassReport:
    sent: int = 0
    failed: int = 0
    late: int = 0
    lateness: list[float] = field(default_factory=list)
    next_due: datetime | None = None  # the earliest pending delivery after the pass


class Sender(Protocol):
    async def send(self, message: Outgoing) -> int | None:
        """Send; returns the message id. Raises Transient, Permanent or Unreachable."""


def _open(cutoff: datetime) -> Any:
    """Pending, or claimed before ``cutoff`` (a dead process's claim)."""
    return or_(
        ExerciseDelivery.state == PENDING,
        and_(ExerciseDelivery.state == CLAIMED, ExerciseDelivery.claimed_at < cutoff),
    )


async def claim(
    session: AsyncSession, now: datetime, cutoff: datetime, owner: str | None, limit: int
) -> list[Outgoing]:
    """Claim up to ``limit`` deliveries due at ``now`` (and stale claims), earliest first."""
    due = and_(ExerciseDelivery.due_at.is_not(None), ExerciseDelivery.due_at <= now)
    stale = and_(ExerciseDelivery.state == CLAIMED, ExerciseDelivery.claimed_at < cutoff)
    free = (
        select(ExerciseDelivery.id)
        .where(or_(and_(ExerciseDelivery.state == PENDING, due), stale))
        .order_by(ExerciseDelivery.due_at, ExerciseDelivery.inject_id, ExerciseDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    won = await session.execute(
        update(ExerciseDelivery)
        .where(ExerciseDelivery.id.in_(free), or_(and_(ExerciseDelivery.state == PENDING, due), stale))
        .values(
            state=CLAIMED,
            claimed_at=now,
            claimed_by=owner,
            attempts=ExerciseDelivery.attempts + 1,
            nonce=func.coalesce(
                ExerciseDelivery.nonce, literal(NONCE_PREFIX) + cast(ExerciseDelivery.id, String)
            ),
        )
        .returning(ExerciseDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(won.scalars())
    return await messages(session, ids, now) if ids else []


async def messages(session: AsyncSession, ids: list[int], now: datetime) -> list[Outgoing]:
    rows = list(
        await session.execute(
            # Only the exercise's small columns: its scenario (a large JSON) is not needed here.
            select(ExerciseDelivery, ExerciseInject, *EXERCISE_COLUMNS)
            .join(ExerciseInject, ExerciseInject.id == ExerciseDelivery.inject_id)
            .join(Exercise, Exercise.id == ExerciseDelivery.exercise_id)
            .where(ExerciseDelivery.id.in_(ids))
            .order_by(ExerciseDelivery.due_at, ExerciseInject.number, ExerciseDelivery.id)
        )
    )
    teams = {
        (t.exercise_id, t.name): t.language
        for t in await session.scalars(
            select(ExerciseTeam).where(ExerciseTeam.exercise_id.in_({r[2] for r in rows}))
        )
    }
    out = []
    for delivery, inject, *values in rows:
        exercise = _Exercise(*values)
        due_at = delivery.due_at or now
        late = delivery.late or (now - due_at > LATE_AFTER)
        delivery.late = late
        control = exercise.control_language or exercise.language
        language = teams.get((exercise.id, delivery.team), exercise.language) if delivery.team else control
        out.append(
            Outgoing(
                delivery_id=delivery.id,
                nonce=delivery.nonce or nonce_for(delivery.id),
                guild_id=delivery.guild_id,
                exercise_id=exercise.id,
                inject_id=inject.id,
                channel_id=delivery.channel_id,
                team=delivery.team,
                language=language,
                number=inject.number,
                scripted=inject.scripted,
                offset=float(inject.offset),
                due_at=due_at,
                late=late,
                content=inject.content,
                links=exercise.links or {},
                label=exercise.label,
                exercise_title=exercise.title,
            )
        )
    return out


@dataclass(frozen=True)
class Result:
    message: Outgoing
    state: str
    error: str | None = None
    message_id: int | None = None
    sent_at: datetime | None = None


async def settle(session: AsyncSession, results: list[Result], owner: str | None) -> None:
    """Record how each send ended (only what ``owner`` still holds), and when each inject went out."""
    if not results:
        return
    held_by = ExerciseDelivery.claimed_by.is_(None) if owner is None else ExerciseDelivery.claimed_by == owner
    table: Any = ExerciseDelivery.__table__
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.state == CLAIMED, held_by)
        .values(
            state=bindparam("b_state"),
            error=bindparam("b_error"),
            sent_at=bindparam("b_sent_at"),
            message_id=bindparam("b_message_id"),
        ),
        [
            {
                "b_id": r.message.delivery_id,
                "b_state": r.state,
                "b_error": r.error[:200] if r.error else None,
                "b_sent_at": r.sent_at if r.state == SENT else None,
                "b_message_id": r.message_id,
            }
            for r in results
        ],
    )
    sent = [r for r in results if r.state == SENT and r.sent_at is not None]
    if not sent:
        return
    first: dict[int, Result] = {}
    for result in sorted(sent, key=lambda r: r.sent_at or FAR_FUTURE):
        first.setdefault(result.message.inject_id, result)
    injects = await session.scalars(
        select(ExerciseInject).where(ExerciseInject.id.in_(first), ExerciseInject.sent_at.is_(None))
    )
    exercises = {
        row.id: clock.ClockState(row.speed, row.clock_base, row.clock_anchor)
        for row in await session.execute(
            select(Exercise.id, Exercise.speed, Exercise.clock_base, Exercise.clock_anchor).where(
                Exercise.id.in_({r.message.exercise_id for r in sent})
            )
        )
    }
    for inject in injects:
        result = first[inject.id]
        assert result.sent_at is not None
        inject.state, inject.sent_at, inject.late = SENT, result.sent_at, result.message.late
        inject.sent_offset = clock.elapsed(exercises[inject.exercise_id], result.sent_at)


async def next_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(func.min(ExerciseDelivery.due_at)).where(
            ExerciseDelivery.state == PENDING, ExerciseDelivery.due_at.is_not(None)
        )
    )


class InjectEngine:
    """Claims, sends and settles due deliveries; passes never overlap within a process."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        *,
        stale_claim: timedelta = timedelta(minutes=2),
        shared: bool = False,
        batch: int = 500,
        concurrency: int = 20,
        max_attempts: int = 4,
        backoff: float = 0.5,
        stopped: Callable[[], bool] = lambda: False,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.shared = shared
        self.owner = uuid.uuid4().hex if shared else None
        self.stale_claim = stale_claim
        self.batch = batch
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.stopped = stopped
        self.now = now
        self._lock = asyncio.Lock()
        self._threads = asyncio.Semaphore(concurrency)

    async def recover(self, now: datetime) -> PassReport:
        """At start: what is due, and what a dead process left claimed (all of it when alone)."""
        return await self.run_due(now, reclaim_all=not self.shared)

    async def run_due(self, now: datetime, *, reclaim_all: bool = False) -> PassReport:
        """Claim, send, settle until nothing is due; each batch is settled in the transaction
        that claims the next (two transactions for a pass that sends one batch), and what fell
        due meanwhile is taken in the same pass."""
        report = PassReport()
        async with self._lock:
            cutoff = FAR_FUTURE if reclaim_all else now - self.stale_claim
            results: list[Result] = []
            while True:
                if self.stopped():
                    await self._settle_before_stopping(results)
                    raise Stopped()
                async with self.db.transaction() as session:
                    await settle(session, results, self.owner)
                    claimed = await claim(session, now, cutoff, self.owner, self.batch)
                    if not claimed:
                        report.next_due = await next_due(session)
                self._count(results, report)
                if not claimed:
                    break
                results = await self._send_all(claimed)
                cutoff = now - self.stale_claim  # what was reclaimed once is not taken again
                if self.now is not None:
                    now = max(now, self.now())
        return report

    async def _settle_before_stopping(self, results: list[Result]) -> None:
        """Record what was sent before going down (if the database still answers: otherwise the
        claims are settled at the next start, sent again with the same nonces)."""
        if not results:
            return
        try:
            async with self.db.transaction() as session:
                await settle(session, results, self.owner)
        except Exception:
            log.warning("could not record %d sent injects while stopping", len(results), exc_info=True)

    @staticmethod
    def _count(results: list[Result], report: PassReport) -> None:
        for result in results:
            report.sent += result.state == SENT
            report.failed += result.state == FAILED
            report.late += result.message.late
            if result.sent_at is not None:
                report.lateness.append((result.sent_at - result.message.due_at).total_seconds())

    async def _send_all(self, claimed: list[Outgoing]) -> list[Result]:
        by_thread: dict[int, list[Outgoing]] = defaultdict(list)
        for message in claimed:
            by_thread[message.channel_id].append(message)

        async def thread(messages: list[Outgoing]) -> list[Result]:
            async with self._threads:
                return [await self._send(message) for message in messages]

        batches = await asyncio.gather(*(thread(m) for m in by_thread.values()))
        return [result for batch in batches for result in batch]

    async def _send(self, message: Outgoing) -> Result:
        for attempt in range(1, self.max_attempts + 1):
            if self.stopped():
                raise Stopped()
            try:
                message_id = await self.sender.send(message)
            except (Permanent, Unreachable) as exc:
                log.warning("inject delivery %s failed: %s", message.delivery_id, exc.reason)
                return Result(message, FAILED, exc.reason)
            except Transient as exc:
                if attempt == self.max_attempts:
                    log.warning("inject delivery %s gave up: %s", message.delivery_id, exc.reason)
                    return Result(message, FAILED, f"gave up: {exc.reason}")
                await asyncio.sleep(max(exc.retry_after or 0.0, self.backoff * 2 ** (attempt - 1)))
            else:
                sent_at = self.now() if self.now is not None else datetime.now(message.due_at.tzinfo)
                return Result(message, SENT, message_id=message_id, sent_at=sent_at)
        raise AssertionError("unreachable")
