"""Tables of the events feature: events, RSVPs, reminders and their deliveries.

A reminder is the *what and when* (an event's offset, or a member's ``/remind``); when it becomes
due it is expanded, in one transaction, into deliveries: one per target (the events channel, each
member's DM). Each delivery is claimed in the database before it is sent and confirmed after, so
that a process dying at any moment neither loses it nor sends it twice (the nonce, derived from the
delivery id, lets Discord drop a repeated send).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime

# RSVP statuses
GOING = "going"
MAYBE = "maybe"
NOT_GOING = "not_going"
WAITING = "waiting"

# Repeat rules
REPEAT_NONE = "none"
REPEAT_WEEKLY = "weekly"
REPEAT_MONTHLY = "monthly"

# Reminder and delivery states
PENDING = "pending"
CLAIMED = "claimed"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"

# Reminder kinds and delivery targets
KIND_EVENT = "event"
KIND_PERSONAL = "personal"
TARGET_CHANNEL = "channel"
TARGET_DM = "dm"


class Event(Base):
    """A workshop, course or exercise. ``starts_at`` is the first occurrence, in UTC; the wall-clock
    time is that instant in ``timezone`` (recurrences keep that wall-clock time)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_guild_starts", "guild_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    capacity: Mapped[int | None] = mapped_column(Integer)
    repeat: Mapped[str] = mapped_column(String(16), default=REPEAT_NONE, server_default=REPEAT_NONE)
    reminder_offsets: Mapped[str] = mapped_column(String(200))
    # Start (UTC) of the latest occurrence whose reminders exist; repeating events roll it forward.
    materialized_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped by every RSVP under the row lock: serialises capacity decisions and orders the list.
    rsvp_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Rsvp(Base):
    """A member's answer to an event; ``waiting`` when they wanted to go but it was full."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_rsvps_event_user"),
        Index("ix_event_rsvps_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(16))
    # The event's rsvp_seq when this status was set: the waiting list's order.
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The language of the member's Discord client when they last answered (en/fr, else None): DMs
    # about the event use it unless /me settings names one; otherwise the server's language.
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Reminder(Base):
    """Something to say at ``fire_at``: an event's reminder or a member's own ``/remind``."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_state_fire", "state", "fire_at"),
        Index("ix_reminders_event", "event_id"),
        Index("ix_reminders_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    kind: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Owner of a personal reminder (None for an event's reminder).
    user_id: Mapped[int | None] = mapped_column(Snowflake)
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    # Minutes before the occurrence (event-relative reminders), so edits can move them.
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    occurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, server_default=PENDING)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One message of a due reminder to one target, with its own state and nonce."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "target", "target_id", name="uq_reminder_deliveries_target"),
        Index("ix_reminder_deliveries_state", "state"),
        Index("ix_reminder_deliveries_guild_state", "guild_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Snowflake)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, server_default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    nonce: Mapped[str | None] = mapped_column(String(25))
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process holding the claim (see bot.services.reminders.batches.claim).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
