"""Permissions Liaison found missing at run time: one row per (server, channel, permission), so
that the moderators are told once, not at every refused post."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime


class MissingPermission(Base):
    __tablename__ = "missing_permissions"
    __table_args__ = (
        UniqueConstraint("guild_id", "channel_id", "permission", name="uq_missing_permissions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    channel_id: Mapped[int] = mapped_column(Snowflake)
    permission: Mapped[str] = mapped_column(String(40))
    feature: Mapped[str] = mapped_column(String(40))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
