"""Tables of the courses feature ("learn"): courses, each member's progress and answers,
certificates, and the cohorts that link a course to an event.

A course's content is kept as loaded (``source``, the file's text) and as parsed (``content``,
plain JSON): the steps a member walks are computed from ``content``. A certificate outlives the
member's erasure as a bare code (no id, no name) so that verifying it says it was withdrawn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("guild_id", "slug", name="uq_courses_guild_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(24), default="TLP:GREEN", server_default="TLP:GREEN")
    languages: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    # A new random value at every load: the parsed course is cached under it.
    revision: Mapped[str] = mapped_column(String(32), default="", server_default="")
    loaded_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Progress(Base):
    """Where a member stands in a course: the step shown, the attempt of each quiz."""

    __tablename__ = "course_progress"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id", name="uq_course_progress_course_user"),
        Index("ix_course_progress_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # {part: attempt number} for the module quizzes (a retry starts the next attempt)
    attempts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(Base):
    """One answer to one question of one part (``pre``, ``post`` or a module's quiz ``m1``…)."""

    __tablename__ = "course_answers"
    __table_args__ = (
        UniqueConstraint(
            "progress_id", "part", "question", "attempt", name="uq_course_answers_progress_part"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("course_progress.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(16))
    question: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    choices: Mapped[str] = mapped_column(String(32))
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(Base):
    __tablename__ = "course_certificates"
    __table_args__ = (
        UniqueConstraint("code", name="uq_course_certificates_code"),
        Index("ix_course_certificates_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(Snowflake)
    member_name: Mapped[str | None] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(200))
    # The course's sharing label when issued: verifying an AMBER course's certificate is for
    # verified members only (to others the code does not exist).
    label: Mapped[str] = mapped_column(String(24), default="TLP:GREEN", server_default="TLP:GREEN")
    code: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Assignment(Base):
    """A course that prepares the participants of an event (``/learn assign``)."""

    __tablename__ = "course_assignments"
    __table_args__ = (UniqueConstraint("course_id", "event_id", name="uq_course_assignments_course_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    assigned_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CohortMember(Base):
    """A member of an assignment's cohort (RSVP ``going``) and what they were sent, when."""

    __tablename__ = "course_cohort_members"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", name="uq_course_cohort_members_assignment_user"),
        Index("ix_course_cohort_members_guild_user", "guild_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("course_assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
