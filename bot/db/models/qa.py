"""Tables of the Q&A feature: questions (one per thread), expert notifications, digest marks.

The full-text index of solved questions (question + accepted answer) is a database-only object
created by migration 0005, kept in sync by triggers on ``qa_questions``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime

OPEN = "open"
SOLVED = "solved"


class Question(Base):
    """A question asked with ``/ask``, living in its own thread (a forum post or a public thread)."""

    __tablename__ = "qa_questions"
    __table_args__ = (
        UniqueConstraint("guild_id", "thread_id", name="uq_qa_questions_guild_thread"),
        Index("ix_qa_questions_guild_state_created", "guild_id", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    channel_id: Mapped[int] = mapped_column(Snowflake)
    thread_id: Mapped[int] = mapped_column(Snowflake)
    starter_message_id: Mapped[int | None] = mapped_column(Snowflake)
    # NULL once the asker erased their data: shown as "former member".
    author_id: Mapped[int | None] = mapped_column(Snowflake)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(100))
    agencies: Mapped[str | None] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(24), default="TLP:GREEN", server_default="TLP:GREEN")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    state: Mapped[str] = mapped_column(String(16), default=OPEN, server_default=OPEN)
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_answer_message_id: Mapped[int | None] = mapped_column(Snowflake)
    last_answer_author_id: Mapped[int | None] = mapped_column(Snowflake)
    accepted_message_id: Mapped[int | None] = mapped_column(Snowflake)
    accepted_text: Mapped[str | None] = mapped_column(Text)
    accepted_author_id: Mapped[int | None] = mapped_column(Snowflake)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExpertNotification(Base):
    """An expert mentioned in a question's thread: the daily cap counts these."""

    __tablename__ = "qa_expert_notifications"
    __table_args__ = (
        Index("ix_qa_expert_notifications_guild_expert_at", "guild_id", "expert_id", "notified_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(Snowflake)
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestMark(Base):
    """When the weekly digest of unanswered questions was last posted in a server."""

    __tablename__ = "qa_digest_marks"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionPost(Base):
    """A post of the bot that quotes a question's title outside its thread (a weekly digest, a
    moderators' escalation notice), for ``/me delete`` to edit when the question is erased."""

    __tablename__ = "qa_question_posts"
    __table_args__ = (Index("ix_qa_question_posts_question", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[int] = mapped_column(Snowflake)
    message_id: Mapped[int] = mapped_column(Snowflake)
