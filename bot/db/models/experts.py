"""Expert directory: opt-in profiles, the server's list of expertise areas, and their links.

A profile's expertise areas and languages live in their own small tables so that ``/expert find``
and Q&A routing select candidates through indexes instead of scanning every profile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base, Snowflake, UTCDateTime


class ExpertProfile(Base):
    """One member's profile in one server, with the consent they gave and its verification."""

    __tablename__ = "expert_profiles"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id"),
        Index("ix_expert_profiles_guild_country", "guild_id", "country"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    agency: Mapped[str] = mapped_column(String(100))
    agency_key: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    bio: Mapped[str | None] = mapped_column(String(500))
    visibility: Mapped[str] = mapped_column(String(16), default="members", server_default="members")
    consent_text: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_by: Mapped[int | None] = mapped_column(Snowflake)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expiry_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the sweep took the verified role back after the verification expired (claimed once).
    verification_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ExpertiseArea(Base):
    """The server's list of expertise areas: ``key`` is the folded form used for matching.
    Curated areas (seeded, or added by moderators) stay when no profile uses them; the others
    were typed by members and go with the last profile that uses them."""

    __tablename__ = "expertise_areas"
    __table_args__ = (UniqueConstraint("guild_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(100))
    curated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ExpertArea(Base):
    """A profile has an expertise area."""

    __tablename__ = "expert_areas"
    __table_args__ = (Index("ix_expert_areas_guild_area", "guild_id", "area_id", "profile_id"),)

    profile_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("expert_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("expertise_areas.id", ondelete="CASCADE"), primary_key=True
    )
    guild_id: Mapped[int] = mapped_column(Snowflake)


class ExpertLanguage(Base):
    """A profile speaks a language (ISO 639-1 code)."""

    __tablename__ = "expert_languages"
    __table_args__ = (Index("ix_expert_languages_guild_code", "guild_id", "code", "profile_id"),)

    profile_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("expert_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)


class ExpertDirectoryState(Base):
    """Where a server's directory stands: ``version`` grows (by a random step) with every write,
    ``epoch`` is drawn once, so an in-memory index knows whether it is current, and of which
    database."""

    __tablename__ = "expert_directory_state"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(BigInteger)


class ExpertDirectoryChange(Base):
    """Which profile a version changed, so an index catches up without reloading everything."""

    __tablename__ = "expert_directory_changes"
    __table_args__ = (Index("ix_expert_directory_changes_guild_version", "guild_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    version: Mapped[int] = mapped_column(BigInteger)
    profile_id: Mapped[int] = mapped_column(Integer)
