"""The hooks gathered by name: ``stats`` for /liaison stats, ``export_member`` / ``erase_member``
for /me export and /me delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.resources import GlossaryEntry, Resource, ResourceSuggestion
from bot.services.resources import glossary


async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    count, views = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Resource.views), 0)).where(
                Resource.guild_id == guild_id
            )
        )
    ).one()
    pending = await session.scalar(
        select(func.count()).where(
            ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.status == "pending"
        )
    )
    return {
        "resource.stats.count": int(count or 0),
        "resource.stats.views": int(views or 0),
        "resource.stats.pending": int(pending or 0),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    suggestions = list(
        await session.scalars(
            select(ResourceSuggestion)
            .where(ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.suggested_by == user_id)
            .order_by(ResourceSuggestion.id)
        )
    )
    # An approved suggestion carries the label its library entry has now (a moderator may have
    # made it AMBER): the export leaves out what the member may not see (``labels.redact``).
    taken = {s.resource_id for s in suggestions if s.resource_id is not None}
    entry_labels: dict[int, str] = {}
    if taken:
        found = await session.execute(select(Resource.id, Resource.label).where(Resource.id.in_(taken)))
        entry_labels = {resource_id: label for resource_id, label in found}
    added = await session.execute(
        select(
            Resource.id,
            Resource.title,
            Resource.url,
            Resource.label,
            Resource.added_by,
            Resource.suggested_by,
        )
        .where(
            Resource.guild_id == guild_id,
            (Resource.added_by == user_id) | (Resource.suggested_by == user_id),
        )
        .order_by(Resource.id)
    )
    glossary_terms = await session.scalars(
        select(GlossaryEntry.acronym).where(
            GlossaryEntry.guild_id == guild_id, GlossaryEntry.updated_by == user_id
        )
    )
    return {
        "suggestions": [
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "description": s.description,
                "tags": s.tags,
                "language": s.language,
                "status": s.status,
                "label": entry_labels.get(s.resource_id, "TLP:GREEN") if s.resource_id else "TLP:GREEN",
                "reason": s.reason,
                "created_at": _iso(s.created_at),
                "decided_at": _iso(s.decided_at),
            }
            for s in suggestions
        ],
        "resources": [
            {
                "id": r.id,
                "title": r.title,
                "url": r.url,
                "label": r.label,
                "added": r.added_by == user_id,
                "suggested": r.suggested_by == user_id,
            }
            for r in added
        ],
        "glossary_entries_edited": list(glossary_terms),
    }


async def bot_messages(
    session: AsyncSession, guild_id: int, user_id: int, *, erase_text: bool = False
) -> list[tuple[str, tuple[int, ...], int, int, bool]]:
    """The review channel's announcements of the member's suggestions, for ``/me delete`` to
    edit: (kind, where, message id, suggestion id, its text erased too: not taken into the library)."""
    rows = await session.execute(
        select(
            ResourceSuggestion.id,
            ResourceSuggestion.review_channel_id,
            ResourceSuggestion.review_message_id,
            ResourceSuggestion.status,
        ).where(
            ResourceSuggestion.guild_id == guild_id,
            ResourceSuggestion.suggested_by == user_id,
            ResourceSuggestion.review_message_id.is_not(None),
        )
    )
    return [
        ("resources.suggestion", (channel,), message, sid, status != "approved")
        for sid, channel, message, status in rows
        if channel is not None and message is not None
    ]


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> list[str]:
    """Suggestions not taken into the library are the member's own text: deleted. Library entries
    stay (the community needs them), without the member's id; reviews keep no reviewer id.
    Returns the texts erased, for the audit log's scrubbing (a rejection names the title)."""
    own = await session.execute(
        select(ResourceSuggestion.title, ResourceSuggestion.url, ResourceSuggestion.description).where(
            ResourceSuggestion.guild_id == guild_id,
            ResourceSuggestion.suggested_by == user_id,
            ResourceSuggestion.status != "approved",
        )
    )
    erased = [text for row in own for text in row if text]
    await session.execute(
        delete(ResourceSuggestion).where(
            ResourceSuggestion.guild_id == guild_id,
            ResourceSuggestion.suggested_by == user_id,
            ResourceSuggestion.status != "approved",
        )
    )
    for column in (ResourceSuggestion.suggested_by, ResourceSuggestion.reviewer_id):
        await session.execute(
            update(ResourceSuggestion)
            .where(ResourceSuggestion.guild_id == guild_id, column == user_id)
            .values({column.key: None})
        )
    for column in (Resource.added_by, Resource.suggested_by):
        await session.execute(
            update(Resource)
            .where(Resource.guild_id == guild_id, column == user_id)
            .values({column.key: None})
        )
    await glossary.erase_member(session, guild_id, user_id)
    return erased
