"""Foundation tables: per-server settings, per-member preferences, audit log, notices, bot state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime

DEFAULT_REMINDER_OFFSETS = "1d, 1h"


class GuildSettings(Base):
    """One row per Discord server: its channels, moderator role, language and defaults."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    qa_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    events_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    review_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    exercises_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    moderator_role_id: Mapped[int | None] = mapped_column(Snowflake)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    reminder_offsets: Mapped[str] = mapped_column(
        String(200), default=DEFAULT_REMINDER_OFFSETS, server_default=DEFAULT_REMINDER_OFFSETS
    )
    reminder_grace_minutes: Mapped[int] = mapped_column(Integer, default=360, server_default="360")
    retention_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    qa_escalation_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    qa_daily_cap: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    qa_archive_hours: Mapped[int] = mapped_column(Integer, default=72, server_default="72")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberSettings(Base):
    """A member's own preferences in one server (``/me settings``)."""

    __tablename__ = "member_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    dm_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    qa_routing: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Who did what, when: every moderator action and every erasure (without personal data)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_guild_created", "guild_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    actor_id: Mapped[int | None] = mapped_column(Snowflake)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notice(Base):
    """A message for a member that could not be delivered by DM: shown next time they use the bot."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_guild_user", "guild_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    key: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BotState(Base):
    """Small key/value facts about the bot itself, such as the hash of the last command sync."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
