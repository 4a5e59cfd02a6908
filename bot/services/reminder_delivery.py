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

Sending is done through a ``Sender`` (the cog's, with discord.py; the tests' fake), which raises
``Transient`` (5xx, 429: retried with backoff), ``Permanent`` (recorded, counted in stats) or
``Unreachable`` (closed DMs: the member is mentioned in the channel post instead).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.db.models import GuildSettings, MemberSettings
from bot.db.models.events import (
    CLAIMED,
    FAILED,
    GOING,
    KIND_PERSONAL,
    PENDING,
    SENT,
    SKIPPED,
    TARGET_CHANNEL,
    TARGET_DM,
    Delivery,
    Event,
    Reminder,
    Rsvp,
)
from bot.services import guild_settings, notices, reminders

log = logging.getLogger("liaison.reminders")

DM_CLOSED = "dm_closed"
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


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


@dataclass(frozen=True)
class Outgoing:
    """Everything a sender needs to word and send one delivery."""

    delivery_id: int
    nonce: str
    guild_id: int
    target: str
    target_id: int
    kind: str
    fire_at: datetime
    late: bool
    title: str | None
    text: str | None
    event_id: int | None
    start: datetime | None
    location: str | None
    language: str | None
    mentions: tuple[int, ...] = ()


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
    ) -> None:
        self.db = db
        self.sender = sender
        self.late_after = late_after
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.stale_claim = stale_claim
        self.batch = batch
        self.awake_since: datetime | None = None
        self._lock = asyncio.Lock()

    async def recover(self, now: datetime) -> PassReport:
        """At start: whatever is due or was left claimed by a dead process is settled now."""
        self.awake_since = now
        return await self.run_due(now, reclaim_all=True)

    async def run_due(self, now: datetime, *, reclaim_all: bool = False) -> PassReport:
        """One pass over everything due at ``now`` (passes never overlap)."""
        report = PassReport()
        async with self._lock:
            async with self.db.transaction() as session:
                await reminders.roll_forward(session, now)
            while due := await self._due_ids(now):
                for reminder_id in due:
                    await self._expand(reminder_id, now, report)
            cutoff = FAR_FUTURE if reclaim_all else now - self.stale_claim
            for reminder_id in await self._open_reminder_ids(cutoff):
                await self._deliver_reminder(reminder_id, now, cutoff, report)
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

    async def _expand(self, reminder_id: int, now: datetime, report: PassReport) -> None:
        async with self.db.transaction() as session:
            won = await session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.state == PENDING)
                .values(state=CLAIMED)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                return
            row = await session.get(Reminder, reminder_id)
            assert row is not None
            event = await session.get(Event, row.event_id) if row.event_id else None
            settings = await guild_settings.get(session, row.guild_id)
            verdict = judge(
                row.fire_at,
                row.occurrence_start,
                event is not None and event.cancelled_at is not None,
                now,
                self.awake_since,
                timedelta(minutes=settings.reminder_grace_minutes),
                self.late_after,
            )
            report.expanded += 1
            if verdict.skip_reason is None:
                targets = await _targets(session, row, event, settings)
                if not targets:
                    verdict = Verdict("no_target", False)
            if verdict.skip_reason is not None:
                row.state, row.reason, row.done_at = SKIPPED, verdict.skip_reason, now
                report.skipped += 1
                return
            row.late = verdict.late
            report.late += int(verdict.late)
            deliveries = [
                Delivery(
                    guild_id=row.guild_id,
                    reminder_id=row.id,
                    target=target,
                    target_id=target_id,
                    late=row.late,
                )
                for target, target_id in targets
            ]
            session.add_all(deliveries)
            await session.flush()
            for delivery in deliveries:
                delivery.nonce = reminders.nonce_for(delivery.id)

    # -- delivery ----------------------------------------------------------------------------
    async def _open_reminder_ids(self, cutoff: datetime) -> list[int]:
        async with self.db.transaction() as session:
            open_deliveries = select(Delivery.reminder_id).where(_open(cutoff)).distinct()
            unfinished = select(Reminder.id).where(Reminder.state == CLAIMED)
            ids = set(await session.scalars(open_deliveries)) | set(await session.scalars(unfinished))
            return sorted(ids)

    async def _deliver_reminder(
        self, reminder_id: int, now: datetime, cutoff: datetime, report: PassReport
    ) -> None:
        async with self.db.transaction() as session:
            rows = await session.execute(
                select(Delivery.id, Delivery.target).where(Delivery.reminder_id == reminder_id, _open(cutoff))
            )
            # DMs first: the channel post mentions whoever could not get theirs.
            ordered = sorted(rows, key=lambda r: (r.target == TARGET_CHANNEL, r.id))
        for delivery_id, _target in ordered:
            await self._deliver(delivery_id, now, cutoff, report)
        async with self.db.transaction() as session:
            await _close_reminder(session, reminder_id, now)

    async def _claim(self, delivery_id: int, now: datetime, cutoff: datetime) -> Outgoing | None:
        async with self.db.transaction() as session:
            won = await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, _open(cutoff))
                .values(state=CLAIMED, claimed_at=now, attempts=Delivery.attempts + 1)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return await _outgoing(session, delivery_id)

    async def _deliver(self, delivery_id: int, now: datetime, cutoff: datetime, report: PassReport) -> None:
        message = await self._claim(delivery_id, now, cutoff)
        if message is None:
            return
        for attempt in range(1, self.max_attempts + 1):
            try:
                message_id = await self.sender.send(message)
            except Unreachable as exc:
                await self._unreachable(message, now, exc.reason)
                report.skipped += 1
                return
            except Permanent as exc:
                log.warning("reminder delivery %s failed: %s", delivery_id, exc.reason)
                await self._settle(delivery_id, FAILED, now, error=exc.reason)
                report.failed += 1
                return
            except Transient as exc:
                if attempt == self.max_attempts:
                    await self._settle(delivery_id, FAILED, now, error=f"gave up: {exc.reason}")
                    report.failed += 1
                    return
                await self._note_retry(delivery_id, exc.reason)
                await asyncio.sleep(max(exc.retry_after or 0.0, self.backoff * 2 ** (attempt - 1)))
            else:
                await self._settle(delivery_id, SENT, now, message_id=message_id)
                report.sent += 1
                return

    async def _settle(
        self,
        delivery_id: int,
        state: str,
        now: datetime,
        *,
        error: str | None = None,
        message_id: int | None = None,
    ) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == CLAIMED)
                .values(
                    state=state,
                    error=error[:200] if error else None,
                    message_id=message_id,
                    sent_at=now if state == SENT else None,
                )
            )

    async def _note_retry(self, delivery_id: int, reason: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(attempts=Delivery.attempts + 1, error=f"retrying: {reason}"[:200])
            )

    async def _unreachable(self, message: Outgoing, now: datetime, reason: str) -> None:
        """Closed DMs: mentioned in the channel post if there is one, else a notice for later."""
        async with self.db.transaction() as session:
            has_channel_post = await session.scalar(
                select(Delivery.id).where(
                    Delivery.reminder_id
                    == select(Delivery.reminder_id)
                    .where(Delivery.id == message.delivery_id)
                    .scalar_subquery(),
                    Delivery.target == TARGET_CHANNEL,
                )
            )
            if message.kind == KIND_PERSONAL or has_channel_post is None:
                key = (
                    "reminders.notice.personal" if message.kind == KIND_PERSONAL else "reminders.notice.event"
                )
                await notices.leave(
                    session,
                    message.guild_id,
                    message.target_id,
                    key,
                    what=message.text or "",
                    title=message.title or "",
                    when=int((message.start or message.fire_at).timestamp()),
                )
            await session.execute(
                update(Delivery)
                .where(Delivery.id == message.delivery_id, Delivery.state == CLAIMED)
                .values(state=SKIPPED, error=DM_CLOSED)
            )


def _open(cutoff: datetime) -> ColumnElement[bool]:
    return or_(Delivery.state == PENDING, and_(Delivery.state == CLAIMED, Delivery.claimed_at < cutoff))


async def _targets(
    session: AsyncSession, row: Reminder, event: Event | None, settings: GuildSettings
) -> list[tuple[str, int]]:
    if row.kind == KIND_PERSONAL:
        return [(TARGET_DM, row.user_id)] if row.user_id is not None else []
    assert event is not None
    going = await session.scalars(
        select(Rsvp.user_id)
        .outerjoin(
            MemberSettings,
            and_(MemberSettings.guild_id == Rsvp.guild_id, MemberSettings.user_id == Rsvp.user_id),
        )
        .where(
            Rsvp.event_id == event.id,
            Rsvp.status == GOING,
            or_(MemberSettings.dm_reminders.is_(None), MemberSettings.dm_reminders.is_(True)),
        )
        .order_by(Rsvp.seq, Rsvp.id)
    )
    targets = [(TARGET_DM, user_id) for user_id in going]
    channel_id = event.channel_id or settings.events_channel_id
    if channel_id is not None:
        targets.append((TARGET_CHANNEL, channel_id))
    return targets


async def _outgoing(session: AsyncSession, delivery_id: int) -> Outgoing:
    delivery = await session.get(Delivery, delivery_id)
    assert delivery is not None
    row = await session.get(Reminder, delivery.reminder_id)
    assert row is not None
    event = await session.get(Event, row.event_id) if row.event_id else None
    language = (await guild_settings.get(session, row.guild_id)).language
    mentions: tuple[int, ...] = ()
    if delivery.target == TARGET_DM:
        answered_in = row.language or await session.scalar(
            select(Rsvp.language).where(Rsvp.event_id == row.event_id, Rsvp.user_id == delivery.target_id)
        )
        chosen = await guild_settings.member_language(session, row.guild_id, delivery.target_id)
        language = chosen or answered_in or language
    else:
        closed = await session.scalars(
            select(Delivery.target_id)
            .where(Delivery.reminder_id == row.id, Delivery.target == TARGET_DM, Delivery.error == DM_CLOSED)
            .order_by(Delivery.id)
        )
        mentions = tuple(closed)
    return Outgoing(
        delivery_id=delivery.id,
        nonce=delivery.nonce or reminders.nonce_for(delivery.id),
        guild_id=row.guild_id,
        target=delivery.target,
        target_id=delivery.target_id,
        kind=row.kind,
        fire_at=row.fire_at,
        late=row.late,
        title=event.title if event else None,
        text=row.text,
        event_id=row.event_id,
        start=row.occurrence_start,
        location=event.location if event else None,
        language=language,
        mentions=mentions,
    )


async def _close_reminder(session: AsyncSession, reminder_id: int, now: datetime) -> None:
    states = set(await session.scalars(select(Delivery.state).where(Delivery.reminder_id == reminder_id)))
    if states & {PENDING, CLAIMED}:
        return
    final = SENT if SENT in states else FAILED if FAILED in states else SKIPPED
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.state == CLAIMED)
        .values(state=final, done_at=now)
    )
