"""Members suggest, moderators review: the queue of suggestions and its two outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.resources import Resource, ResourceSuggestion
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit
from bot.services.resources import catalog, validation
from bot.services.resources.validation import Fields
from bot.services.values import copied

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
PENDING_PER_MEMBER = 10


@dataclass(frozen=True)
class Outcome:
    """What the suggester is told: which suggestion, approved or not, why, and the new entry."""

    suggestion_id: int
    suggested_by: int | None
    title: str
    approved: bool
    reason: str = ""
    resource_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """A suggestion as the review queue and the review channel show it."""

    id: int
    title: str
    url: str
    description: str
    tags: str
    language: str
    label: str
    suggested_by: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: ResourceSuggestion) -> Suggestion:
        return copied(cls, row)


async def suggest(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    fields: Fields,
    now: datetime,
    *,
    verified: bool = False,
) -> ResourceSuggestion:
    """Queue a suggestion. A link already in the library is refused with its entry, when the
    member may see it; a member who may not (an AMBER entry, an unverified member) gets the
    answer an unknown link gets, so that the refusal reveals nothing: the suggestion waits for a
    moderator, who sees the duplicate on review."""
    await catalog.refuse_duplicate(session, guild_id, fields.url, verified=verified)
    same_url = await session.scalar(
        select(ResourceSuggestion.id).where(
            ResourceSuggestion.guild_id == guild_id,
            ResourceSuggestion.status == PENDING,
            ResourceSuggestion.url == fields.url,
        )
    )
    if same_url is not None:
        raise Conflict("resource.already_suggested")
    mine = await session.scalar(
        select(func.count()).where(
            ResourceSuggestion.guild_id == guild_id,
            ResourceSuggestion.status == PENDING,
            ResourceSuggestion.suggested_by == user_id,
        )
    )
    if (mine or 0) >= PENDING_PER_MEMBER:
        raise Invalid("resource.too_many_pending", limit=PENDING_PER_MEMBER)
    row = ResourceSuggestion(
        guild_id=guild_id,
        title=fields.title,
        url=fields.url,
        description=fields.description,
        tags=fields.tags_text,
        language=fields.language,
        label=fields.label,
        suggested_by=user_id,
        status=PENDING,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


@unit_of_work
async def set_announcement(
    session: AsyncSession, guild_id: int, suggestion_id: int, channel_id: int, message_id: int
) -> None:
    """Where the review channel was told of the suggestion (edited if its author erases their data)."""
    row = await session.scalar(
        select(ResourceSuggestion).where(
            ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.id == suggestion_id
        )
    )
    if row is not None:
        row.review_channel_id, row.review_message_id = channel_id, message_id


async def queue(session: AsyncSession, guild_id: int) -> list[ResourceSuggestion]:
    """Pending suggestions, oldest first."""
    rows = await session.scalars(
        select(ResourceSuggestion)
        .where(ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.status == PENDING)
        .order_by(ResourceSuggestion.id)
    )
    return list(rows)


@unit_of_work
async def find(session: AsyncSession, guild_id: int, suggestion_id: int) -> Suggestion | None:
    """The suggestion ``suggestion_id`` of this server, whatever its state; None when gone."""
    row = await session.scalar(
        select(ResourceSuggestion).where(
            ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.id == suggestion_id
        )
    )
    return None if row is None else Suggestion.of(row)


async def _pending(session: AsyncSession, guild_id: int, suggestion_id: int) -> ResourceSuggestion:
    row = await session.scalar(
        select(ResourceSuggestion).where(
            ResourceSuggestion.guild_id == guild_id, ResourceSuggestion.id == suggestion_id
        )
    )
    if row is None:
        raise NotFound("resource.suggestion_not_found")
    if row.status != PENDING:
        raise Conflict("resource.suggestion_decided")
    return row


async def approve(
    session: AsyncSession, guild_id: int, reviewer_id: int, suggestion_id: int, now: datetime
) -> tuple[Resource, Outcome]:
    """The suggestion becomes a resource with its label (TLP:GREEN for members' suggestions, the
    question's for a promoted answer; a moderator may edit it afterwards)."""
    row = await _pending(session, guild_id, suggestion_id)
    fields = validation.fields(
        title_text=row.title,
        url_text=row.url,
        description_text=row.description,
        tags_value=row.tags,
        language_text=row.language,
        label_text=row.label,
    )
    resource = await catalog.create(
        session, guild_id, fields, added_by=reviewer_id, now=now, suggested_by=row.suggested_by
    )
    row.status, row.reviewer_id, row.decided_at, row.resource_id = APPROVED, reviewer_id, now, resource.id
    await audit.record(session, guild_id, reviewer_id, "resource.approve", f"#{resource.id} {resource.title}")
    return resource, Outcome(row.id, row.suggested_by, row.title, True, resource_id=resource.id)


async def reject(
    session: AsyncSession, guild_id: int, reviewer_id: int, suggestion_id: int, reason: str, now: datetime
) -> Outcome:
    row = await _pending(session, guild_id, suggestion_id)
    text = validation.reason(reason)
    row.status, row.reviewer_id, row.decided_at, row.reason = REJECTED, reviewer_id, now, text
    await audit.record(session, guild_id, reviewer_id, "resource.reject", f"suggestion {row.id} {row.title}")
    return Outcome(row.id, row.suggested_by, row.title, False, reason=text)
