"""The database side of the delivery engine, a batch at a time: expand due reminders, claim
deliveries (building what the sender needs), settle them, close finished reminders.

Every function here is one short transaction's worth of work; the engine commits between them,
so what has been claimed is on disk before anything is sent.

Several processes may share the database (sharded operation). A claim is a conditional
``UPDATE … WHERE state = 'pending'`` over rows picked with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL;
SQLite has one writer at a time and ignores the clause): two processes never win the same row,
and one does not wait on the rows another is claiming. A delivery records its claimer
(``claimed_by``); the claimer renews ``claimed_at`` while it works and settles only deliveries it
still holds, so a claim taken over after the timeout (its process died) is settled by the new
holder alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast as as_type

from sqlalchemy import ColumnElement, String, Table, and_, bindparam, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from bot.services import guild_settings, notices
from bot.services.reminders import planning

DM_CLOSED = "dm_closed"
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Message:
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

    @property
    def to_channel(self) -> bool:
        """Posted in the event's channel (else a direct message)."""
        return self.target == TARGET_CHANNEL

    @property
    def personal(self) -> bool:
        """A ``/remind`` of one member's own (else an event's reminder)."""
        return self.kind == KIND_PERSONAL


@dataclass(frozen=True)
class Result:
    """How one send ended: ``state`` is SENT, FAILED or SKIPPED (closed DMs)."""

    message: Message
    state: str
    error: str | None = None
    message_id: int | None = None
    retries: int = 0


def is_open(cutoff: datetime) -> ColumnElement[bool]:
    """Pending, or claimed before ``cutoff`` by a process that never confirmed."""
    return or_(Delivery.state == PENDING, and_(Delivery.state == CLAIMED, Delivery.claimed_at < cutoff))


class SettingsCache(dict[int, GuildSettings]):
    async def of(self, session: AsyncSession, guild_id: int) -> GuildSettings:
        if guild_id not in self:
            self[guild_id] = await guild_settings.get(session, guild_id)
        return self[guild_id]


# -- expansion -------------------------------------------------------------------------------
async def claim_due(session: AsyncSession, ids: list[int]) -> list[Reminder]:
    """Flip due reminders from pending to claimed; returns those this process won."""
    free = (
        select(Reminder.id)
        .where(Reminder.id.in_(ids), Reminder.state == PENDING)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    won = await session.execute(
        update(Reminder)
        .where(Reminder.id.in_(free), Reminder.state == PENDING)
        .values(state=CLAIMED)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    won_ids = list(won.scalars())
    if not won_ids:
        return []
    return list(await session.scalars(select(Reminder).where(Reminder.id.in_(won_ids)).order_by(Reminder.id)))


async def events_of(session: AsyncSession, rows: Iterable[Reminder]) -> dict[int, Event]:
    ids = {row.event_id for row in rows if row.event_id is not None}
    if not ids:
        return {}
    return {event.id: event for event in await session.scalars(select(Event).where(Event.id.in_(ids)))}


async def targets(
    session: AsyncSession, row: Reminder, event: Event | None, settings: GuildSettings
) -> list[tuple[str, int]]:
    """Who gets a due reminder: its owner (personal); members going with DMs on, and the events
    channel (an event's)."""
    if row.kind == KIND_PERSONAL:
        return [(TARGET_DM, row.user_id)] if row.user_id is not None else []
    if event is None:
        return []
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
    found = [(TARGET_DM, user_id) for user_id in going]
    channel_id = event.channel_id or settings.events_channel_id
    if channel_id is not None:
        found.append((TARGET_CHANNEL, channel_id))
    return found


def add_deliveries(session: AsyncSession, row: Reminder, found: list[tuple[str, int]]) -> None:
    """One row per target (flushed with the batch; the nonce is written when first claimed)."""
    session.add_all(
        Delivery(guild_id=row.guild_id, reminder_id=row.id, target=target, target_id=target_id, late=row.late)
        for target, target_id in found
    )


# -- claiming --------------------------------------------------------------------------------
async def open_reminder_ids(session: AsyncSession, cutoff: datetime) -> list[int]:
    open_deliveries = select(Delivery.reminder_id).where(is_open(cutoff)).distinct()
    unfinished = select(Reminder.id).where(Reminder.state == CLAIMED)
    ids = set(await session.scalars(open_deliveries)) | set(await session.scalars(unfinished))
    return sorted(ids)


async def claim(
    session: AsyncSession,
    reminder_ids: list[int],
    target: str,
    now: datetime,
    cutoff: datetime,
    owner: str | None = None,
) -> list[Message]:
    """Claim (for ``owner``) the open deliveries of these reminders to one kind of target;
    their messages."""
    free = (
        select(Delivery.id)
        .where(Delivery.reminder_id.in_(reminder_ids), Delivery.target == target, is_open(cutoff))
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    won = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(free), is_open(cutoff))
        .values(
            state=CLAIMED,
            claimed_at=now,
            claimed_by=owner,
            attempts=Delivery.attempts + 1,
            # planning.nonce_for(id) in SQL: the same nonce however often it is claimed.
            nonce=func.coalesce(Delivery.nonce, literal(planning.NONCE_PREFIX) + cast(Delivery.id, String)),
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(won.scalars())
    return await messages(session, ids) if ids else []


async def messages(session: AsyncSession, delivery_ids: list[int]) -> list[Message]:
    deliveries = list(
        await session.scalars(select(Delivery).where(Delivery.id.in_(delivery_ids)).order_by(Delivery.id))
    )
    rows = {
        r.id: r
        for r in await session.scalars(
            select(Reminder).where(Reminder.id.in_({d.reminder_id for d in deliveries}))
        )
    }
    events = await events_of(session, rows.values())
    settings = SettingsCache()
    language = await _languages(session, deliveries, rows)
    closed = await _closed_dms(session, [d.reminder_id for d in deliveries if d.target == TARGET_CHANNEL])
    out = []
    for delivery in deliveries:
        row = rows[delivery.reminder_id]
        event = events.get(row.event_id) if row.event_id is not None else None
        server = (await settings.of(session, row.guild_id)).language
        out.append(
            Message(
                delivery_id=delivery.id,
                nonce=delivery.nonce or planning.nonce_for(delivery.id),
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
                language=language(delivery, row) or server,
                mentions=tuple(closed.get(row.id, ())),
            )
        )
    return out


async def _languages(
    session: AsyncSession, deliveries: list[Delivery], rows: dict[int, Reminder]
) -> Callable[[Delivery, Reminder], str | None]:
    """A member's DM language: ``/me settings``, else the language they answered or asked in."""
    users = {d.target_id for d in deliveries if d.target == TARGET_DM}
    if not users:
        return lambda _delivery, _row: None
    chosen: dict[tuple[int, int], str] = {
        (m.guild_id, m.user_id): m.language
        for m in await session.scalars(
            select(MemberSettings).where(
                MemberSettings.user_id.in_(users), MemberSettings.language.is_not(None)
            )
        )
        if m.language
    }
    event_ids = {r.event_id for r in rows.values() if r.event_id is not None}
    answered: dict[tuple[int, int], str] = {}
    if event_ids:
        answered = {
            (r.event_id, r.user_id): r.language
            for r in await session.scalars(
                select(Rsvp).where(Rsvp.event_id.in_(event_ids), Rsvp.user_id.in_(users))
            )
            if r.language
        }

    def pick(delivery: Delivery, row: Reminder) -> str | None:
        if delivery.target != TARGET_DM:
            return None
        member = chosen.get((row.guild_id, delivery.target_id))
        return member or row.language or answered.get((row.event_id or 0, delivery.target_id))

    return pick


async def _closed_dms(session: AsyncSession, reminder_ids: list[int]) -> dict[int, list[int]]:
    """Members whose DM could not be delivered, per reminder: the channel post mentions them."""
    if not reminder_ids:
        return {}
    rows = await session.execute(
        select(Delivery.reminder_id, Delivery.target_id)
        .where(
            Delivery.reminder_id.in_(reminder_ids), Delivery.target == TARGET_DM, Delivery.error == DM_CLOSED
        )
        .order_by(Delivery.id)
    )
    closed: dict[int, list[int]] = {}
    for reminder_id, user_id in rows:
        closed.setdefault(reminder_id, []).append(user_id)
    return closed


async def renew(session: AsyncSession, delivery_ids: list[int], owner: str | None, now: datetime) -> set[int]:
    """Extend this owner's claims on these deliveries; returns those it still holds (a claim
    taken over by another process after the timeout is not renewed, and must not be sent)."""
    held = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(delivery_ids), Delivery.state == CLAIMED, _held_by(owner))
        .values(claimed_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(held.scalars())


def _held_by(owner: str | None) -> ColumnElement[bool]:
    return Delivery.claimed_by.is_(None) if owner is None else Delivery.claimed_by == owner


# -- settling --------------------------------------------------------------------------------
async def settle(
    session: AsyncSession, results: list[Result], now: datetime, owner: str | None = None
) -> None:
    """Record how each send ended (one executemany), for the deliveries ``owner`` still holds;
    closed DMs leave a notice unless a channel post covers them."""
    table = as_type(Table, Delivery.__table__)
    held_by = table.c.claimed_by.is_(None) if owner is None else table.c.claimed_by == owner
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.state == CLAIMED, held_by)
        .values(
            state=bindparam("b_state"),
            error=bindparam("b_error"),
            sent_at=bindparam("b_sent_at"),
            message_id=bindparam("b_message_id"),
            attempts=table.c.attempts + bindparam("b_retries"),
        ),
        [
            {
                "b_id": r.message.delivery_id,
                "b_state": r.state,
                "b_error": r.error[:200] if r.error else None,
                "b_sent_at": now if r.state == SENT else None,
                "b_message_id": r.message_id,
                "b_retries": r.retries,
            }
            for r in results
        ],
    )
    unreachable = [r for r in results if r.error == DM_CLOSED]
    covered = await _with_channel_post(session, [r.message for r in unreachable])
    for result in unreachable:
        message = result.message
        if message.kind == KIND_PERSONAL or message.delivery_id not in covered:
            key = "reminders.notice.personal" if message.kind == KIND_PERSONAL else "reminders.notice.event"
            when = int((message.start or message.fire_at).timestamp())
            await notices.leave(
                session,
                message.guild_id,
                message.target_id,
                key,
                what=message.text or "",
                title=message.title or "",
                when=when,
            )


async def _with_channel_post(session: AsyncSession, dms: list[Message]) -> set[int]:
    if not dms:
        return set()
    reminder_of = {
        delivery_id: reminder_id
        for delivery_id, reminder_id in await session.execute(
            select(Delivery.id, Delivery.reminder_id).where(Delivery.id.in_([m.delivery_id for m in dms]))
        )
    }
    posting = set(
        await session.scalars(
            select(Delivery.reminder_id).where(
                Delivery.reminder_id.in_(set(reminder_of.values())), Delivery.target == TARGET_CHANNEL
            )
        )
    )
    return {delivery_id for delivery_id, reminder_id in reminder_of.items() if reminder_id in posting}


async def close(session: AsyncSession, reminder_ids: list[int], now: datetime) -> None:
    """Reminders whose deliveries are all resolved get their final state (one executemany)."""
    rows = await session.execute(
        select(Delivery.reminder_id, Delivery.state).where(Delivery.reminder_id.in_(reminder_ids))
    )
    states: dict[int, set[str]] = {reminder_id: set() for reminder_id in reminder_ids}
    for reminder_id, state in rows:
        states[reminder_id].add(state)
    finals = [
        {"b_id": reminder_id, "b_state": SENT if SENT in found else FAILED if FAILED in found else SKIPPED}
        for reminder_id, found in states.items()
        if not found & {PENDING, CLAIMED}
    ]
    if finals:
        table = as_type(Table, Reminder.__table__)
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.state == CLAIMED)
            .values(state=bindparam("b_state"), done_at=now),
            finals,
        )
