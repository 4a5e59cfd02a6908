"""The library itself: add, edit, remove, look up and show resources (moderators curate)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.resources import Resource, ResourceTag
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotFound
from bot.ids import parse_id
from bot.services import audit, labels
from bot.services.resources import validation
from bot.services.resources.searching import Hit, search
from bot.services.resources.validation import Fields
from bot.services.values import copied


@dataclass(frozen=True)
class Entry:
    """A resource as a command shows it: its fields, who added it, when, when last verified."""

    id: int
    title: str
    url: str
    description: str
    tags: str
    language: str
    label: str
    views: int
    added_by: int | None
    created_at: datetime
    verified_at: datetime

    @classmethod
    def of(cls, row: Resource) -> Entry:
        return copied(cls, row)


@dataclass(frozen=True)
class Edit:
    """What ``/resource edit`` may change; None leaves a field as it is."""

    title: str | None = None
    url: str | None = None
    description: str | None = None
    tags: str | None = None
    language: str | None = None
    label: str | None = None


async def by_url(session: AsyncSession, guild_id: int, url: str) -> Resource | None:
    return await session.scalar(select(Resource).where(Resource.guild_id == guild_id, Resource.url == url))


async def refuse_duplicate(
    session: AsyncSession, guild_id: int, url: str, *, except_id: int = 0, verified: bool = True
) -> None:
    """Duplicate URLs are refused with a pointer to the entry that already has it, when the caller
    may see that entry; an entry they may not see is not revealed (no refusal: see ``suggest``)."""
    existing = await by_url(session, guild_id, url)
    if existing is not None and existing.id != except_id and labels.may_see(existing.label, verified):
        raise Conflict("resource.duplicate_url", id=existing.id, title=existing.title)


async def set_tags(session: AsyncSession, row: Resource, tags: tuple[str, ...]) -> None:
    """The tag text (shown, searched) and the tag rows (filters, lists) change together."""
    row.tags = ", ".join(tags)
    if row.id is not None:
        await session.execute(delete(ResourceTag).where(ResourceTag.resource_id == row.id))
    await session.flush()
    session.add_all(ResourceTag(resource_id=row.id, tag=tag, guild_id=row.guild_id) for tag in tags)


async def create(
    session: AsyncSession,
    guild_id: int,
    fields: Fields,
    *,
    added_by: int | None,
    now: datetime,
    suggested_by: int | None = None,
) -> Resource:
    """Store a validated resource (no audit: the caller says why it was created)."""
    await refuse_duplicate(session, guild_id, fields.url)
    row = Resource(
        guild_id=guild_id,
        title=fields.title,
        url=fields.url,
        description=fields.description,
        language=fields.language,
        label=fields.label,
        added_by=added_by,
        suggested_by=suggested_by,
        created_at=now,
        updated_at=now,
        verified_at=now,
    )
    session.add(row)
    await set_tags(session, row, fields.tags)
    await session.flush()
    return row


async def add(session: AsyncSession, guild_id: int, actor_id: int, fields: Fields, now: datetime) -> Resource:
    """A moderator adds a resource."""
    row = await create(session, guild_id, fields, added_by=actor_id, now=now)
    await audit.record(session, guild_id, actor_id, "resource.add", f"#{row.id} {row.title}")
    return row


async def get(session: AsyncSession, guild_id: int, resource_id: int) -> Resource:
    row = await session.scalar(
        select(Resource).where(Resource.guild_id == guild_id, Resource.id == resource_id)
    )
    if row is None:
        raise NotFound("resource.not_found", value=str(resource_id))
    return row


async def resolve(session: AsyncSession, guild_id: int, text: str, *, verified: bool) -> Resource:
    """The resource an option names: an id (what autocomplete sends), ``#id``, an exact title, or
    else the best search hit. What the member may not see is 'not found', never 'not allowed'."""
    typed = (text or "").strip()
    missing = NotFound("resource.not_found", value=typed[:80])
    visible = labels.sql_visible(Resource.label, verified)
    base = select(Resource).where(Resource.guild_id == guild_id, visible)
    row: Resource | None = None
    if (typed_id := parse_id(typed.lstrip("#"))) is not None:
        row = await session.scalar(base.where(Resource.id == typed_id))
    if row is None and typed:
        row = await session.scalar(base.where(func.lower(Resource.title) == typed.lower()).limit(1))
    if row is None and typed and not typed.lstrip("#").isdigit():
        try:
            found = (await search(session, guild_id, typed, verified=verified, limit=1)).hits
        except Invalid:  # nothing searchable in the text: simply not a resource
            found = []
        if found:
            row = await session.get(Resource, found[0].id)
    if row is None:
        raise missing
    return row


async def show(session: AsyncSession, guild_id: int, text: str, *, verified: bool) -> Hit:
    """``/resource show``: the resource, its view counted."""
    row = await resolve(session, guild_id, text, verified=verified)
    views = await session.scalar(
        update(Resource)
        .where(Resource.id == row.id)
        .values(views=Resource.views + 1)
        .returning(Resource.views)
        .execution_options(synchronize_session=False)
    )
    return replace(Hit.of(row, 0.0), views=int(views or 0))


def _changed(row: Resource, edit: Edit) -> dict[str, object]:
    values: dict[str, object] = {}
    if edit.title is not None:
        values["title"] = validation.title(edit.title)
    if edit.url is not None:
        values["url"] = validation.url(edit.url)
    if edit.description is not None:
        values["description"] = validation.description(edit.description)
    if edit.tags is not None:
        values["tags"] = validation.tags(edit.tags)
    if edit.language is not None:
        values["language"] = validation.language(edit.language)
    if edit.label is not None:
        values["label"] = labels.parse(edit.label).value
    current = {key: getattr(row, key) for key in values}
    if "tags" in current:
        current["tags"] = tuple(t.strip() for t in row.tags.split(",") if t.strip())
    return {key: value for key, value in values.items() if current[key] != value}


async def edit(
    session: AsyncSession, guild_id: int, actor_id: int, text: str, change: Edit, now: datetime
) -> tuple[Resource, list[str]]:
    """Change what is given, validated first; returns the row and the names of changed fields.

    Editing counts as verifying the entry (``verified_at``), even when nothing changed."""
    row = await resolve(session, guild_id, text, verified=True)
    values = _changed(row, change)
    if "url" in values:
        await refuse_duplicate(session, guild_id, str(values["url"]), except_id=row.id)
    for key, value in values.items():
        if key == "tags":
            assert isinstance(value, tuple)
            await set_tags(session, row, value)
        else:
            setattr(row, key, value)
    row.verified_at = now
    if values:
        row.updated_at, row.revision = now, row.revision + 1
        await audit.record(
            session, guild_id, actor_id, "resource.edit", f"#{row.id} {row.title}", {"fields": sorted(values)}
        )
    await session.flush()
    return row, sorted(values)


@unit_of_work
async def remove(session: AsyncSession, guild_id: int, actor_id: int, resource_id: int) -> str:
    """Delete a resource (after the moderator confirmed); returns its title."""
    row = await get(session, guild_id, resource_id)
    title = row.title
    await session.execute(delete(ResourceTag).where(ResourceTag.resource_id == row.id))
    await session.execute(delete(Resource).where(Resource.id == row.id, Resource.guild_id == guild_id))
    await audit.record(session, guild_id, actor_id, "resource.remove", f"#{resource_id} {title}")
    return title
