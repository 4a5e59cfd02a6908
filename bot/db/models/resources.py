"""Resource library: curated entries, their tags, members' suggestions, and the per-server glossary.

The full-text index over ``resources`` (``resources_fts``) exists only in the database: it is
created, with the triggers that keep it in sync, by migration 0002 through ``bot.db.search``. Ranked
search reads ``resource_terms``, filed by triggers (migration 0013, ``bot.db.postings``) from each
row's ``search_terms``, which the model computes from the text whenever it changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.analysis import document_json
from bot.db.base import Base, Snowflake, UTCDateTime
from bot.db.search import FullTextIndex

RESOURCES_INDEX = FullTextIndex(
    name="resources_fts",
    table="resources",
    columns=("title", "tags", "description"),
    weights=(8.0, 4.0, 1.0),
)


class Resource(Base):
    """One curated entry of a server's library."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("guild_id", "url", name="uq_resources_guild_url"),
        Index("ix_resources_guild_views_id", "guild_id", "views", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    tags: Mapped[str] = mapped_column(String(500), default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    label: Mapped[str] = mapped_column(String(16), default="TLP:GREEN", server_default="TLP:GREEN")
    added_by: Mapped[int | None] = mapped_column(Snowflake)
    suggested_by: Mapped[int | None] = mapped_column(Snowflake)
    views: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # (term, impact) pairs of bot.db.analysis, as JSON; kept in step with the text below
    search_terms: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


def search_terms_of(title: str | None, tags: str | None, description: str | None) -> str:
    """What ``Resource.search_terms`` holds for this text (for inserts that bypass the ORM)."""
    return document_json(title, tags, description)


@event.listens_for(Resource, "before_insert")
@event.listens_for(Resource, "before_update")
def _terms_follow_the_text(_mapper: Any, _connection: Any, target: Resource) -> None:
    target.search_terms = search_terms_of(target.title, target.tags, target.description)


class ResourceTag(Base):
    """One normalised tag of a resource: for tag filters, the tag list and tag autocomplete."""

    __tablename__ = "resource_tags"
    __table_args__ = (Index("ix_resource_tags_guild_tag", "guild_id", "tag"),)

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)


class ResourceSuggestion(Base):
    """A member's suggestion, waiting in the review queue or decided."""

    __tablename__ = "resource_suggestions"
    __table_args__ = (Index("ix_resource_suggestions_guild_status", "guild_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    tags: Mapped[str] = mapped_column(String(500), default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Promoted Q&A answers keep their question's label; members' suggestions are TLP:GREEN.
    label: Mapped[str] = mapped_column(String(24), default="TLP:GREEN", server_default="TLP:GREEN")
    suggested_by: Mapped[int | None] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(Snowflake)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The review channel's announcement, edited when the member erases their data.
    review_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    review_message_id: Mapped[int | None] = mapped_column(Snowflake)


class GlossaryEntry(Base):
    """A server's own glossary entry: an acronym and the phrases it stands for (en and fr).

    Overlays the built-in glossary; an entry with no expansions hides a built-in acronym.
    """

    __tablename__ = "resource_glossary"
    __table_args__ = (UniqueConstraint("guild_id", "acronym", name="uq_resource_glossary_guild_acronym"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    acronym: Mapped[str] = mapped_column(String(100))  # an acronym, or a term in either language
    expansions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
