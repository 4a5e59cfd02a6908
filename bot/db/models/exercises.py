"""Tables of tabletop exercises: the exercise (its scenario and clock), who plays, the injects and
their deliveries, and what the teams and observers record (decisions, observations, hot wash).

Injects are delivered as reminders are: each message to a thread is a delivery row, claimed in the
database before it is sent (``pending`` -> ``claimed`` -> ``sent``/``failed``) and sent with a
nonce derived from its id, so a process dying at any moment neither loses it nor posts it twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime

# Exercise states
LOADED = "loaded"
RUNNING = "running"
PAUSED = "paused"
ENDED = "ended"

# Roles of an assigned member
PLAYER = "player"
CONTROLLER = "controller"
OBSERVER = "observer"
ROLES = (PLAYER, CONTROLLER, OBSERVER)

# Observation ratings
RATINGS = ("met", "partly", "not_met")

# Inject and delivery states
PENDING = "pending"
CLAIMED = "claimed"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"


class Exercise(Base):
    """A loaded scenario and its run. The clock: exercise seconds ``clock_base`` at the real moment
    ``clock_anchor``, running at ``speed`` (``clock_anchor`` is None when paused or not started)."""

    __tablename__ = "exercises"
    __table_args__ = (Index("ix_exercises_guild_state", "guild_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    title: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    # The language of the facilitator who started it: the control thread's.
    control_language: Mapped[str | None] = mapped_column(String(8))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Library resources linked by the injects, resolved at load: {id: {title, url}}.
    links: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loaded_by: Mapped[int | None] = mapped_column(Snowflake)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    control_thread_id: Mapped[int | None] = mapped_column(Snowflake)
    state: Mapped[str] = mapped_column(String(16), default=LOADED, server_default=LOADED)
    speed: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    clock_base: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    clock_anchor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ExerciseMember(Base):
    """A member assigned to an exercise: a team's player, a controller or an observer."""

    __tablename__ = "exercise_members"
    __table_args__ = (
        UniqueConstraint("exercise_id", "user_id", name="uq_exercise_members_exercise_user"),
        Index("ix_exercise_members_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExerciseTeam(Base):
    """A team of a started exercise and its private thread."""

    __tablename__ = "exercise_teams"
    __table_args__ = (
        UniqueConstraint("exercise_id", "name", name="uq_exercise_teams_exercise_name"),
        Index("ix_exercise_teams_thread", "thread_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8))
    thread_id: Mapped[int] = mapped_column(Snowflake)


class ExerciseInject(Base):
    """An inject of a started exercise (copied from the scenario, or ad hoc), with when it was sent."""

    __tablename__ = "exercise_injects"
    __table_args__ = (Index("ix_exercise_injects_exercise_number", "exercise_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    scripted: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Planned exercise time in seconds (ad hoc: the exercise time it was asked at).
    offset: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(Snowflake)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, server_default=PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_offset: Mapped[float | None] = mapped_column(Float)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ExerciseDelivery(Base):
    """One message of an inject to one thread (a team's, or the control thread when ``team`` is
    None), claimed before it is sent, with its own nonce."""

    __tablename__ = "exercise_deliveries"
    __table_args__ = (
        UniqueConstraint("inject_id", "channel_id", name="uq_exercise_deliveries_inject_channel"),
        Index("ix_exercise_deliveries_state_due", "state", "due_at"),
        Index("ix_exercise_deliveries_exercise", "exercise_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    inject_id: Mapped[int] = mapped_column(ForeignKey("exercise_injects.id", ondelete="CASCADE"))
    team: Mapped[str | None] = mapped_column(String(60))
    channel_id: Mapped[int] = mapped_column(Snowflake)
    # Real moment it is due; None while the exercise is paused.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, server_default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    nonce: Mapped[str | None] = mapped_column(String(25))
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(Snowflake)


class ExerciseDecision(Base):
    """A team's decision, logged with its exercise time (``/exercise decision`` or an inject's button)."""

    __tablename__ = "exercise_decisions"
    __table_args__ = (Index("ix_exercise_decisions_exercise", "exercise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    team: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(Snowflake)
    inject_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_injects.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    offset: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The bot's posts of it (in the team's thread, naming the member; its mirror in the control
    # thread), for ``/me delete`` to edit.
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    mirror_message_id: Mapped[int | None] = mapped_column(Snowflake)


class ExerciseObservation(Base):
    """A controller's or observer's note, maybe about an inject, rated against its expected actions."""

    __tablename__ = "exercise_observations"
    __table_args__ = (Index("ix_exercise_observations_exercise", "exercise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(Snowflake)
    inject_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_injects.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(16))
    offset: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExerciseHotwash(Base):
    """A member's answers to the hot-wash questions, for their team."""

    __tablename__ = "exercise_hotwash"
    __table_args__ = (Index("ix_exercise_hotwash_exercise", "exercise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    team: Mapped[str | None] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(Snowflake)
    answers: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
