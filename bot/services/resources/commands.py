"""One unit of work per ``/resource`` command, plain values out (issue #16).

The cog calls each of these with ``bot.db``: the function opens the command's one transaction,
composes the feature's session-level services in it (which other services and the tests keep
calling on a session), and returns frozen dataclasses, never an ORM row. A member's command also
reads here who they are (``access.seen``: may they see AMBER, their language), so that it costs
one transaction, not four.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services.resources import catalog, glossary, searching, suggestions
from bot.services.resources.access import Caller, seen, verified
from bot.services.resources.catalog import Edit, Entry
from bot.services.resources.searching import Hit, SearchResult
from bot.services.resources.suggestions import Outcome, Suggestion
from bot.services.resources.validation import Fields

# -- members -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """``/resource search``: the result, and the language to show it in."""

    result: SearchResult
    language: str


@unit_of_work
async def search(
    session: AsyncSession, caller: Caller, text: str, *, tag: str | None, language: str | None
) -> Found:
    who = await seen(session, caller)
    result = await searching.search(
        session, caller.guild_id, text, verified=who.verified, tag=tag, language=language
    )
    return Found(result, who.language)


@dataclass(frozen=True)
class Shown:
    """``/resource show``: the entry (its view counted), and the language to show it in."""

    entry: Entry
    language: str


@unit_of_work
async def show(session: AsyncSession, caller: Caller, text: str) -> Shown:
    who = await seen(session, caller)
    hit = await catalog.show(session, caller.guild_id, text, verified=who.verified)
    row = await catalog.get(session, caller.guild_id, hit.id)
    return Shown(replace(Entry.of(row), views=hit.views), who.language)


@dataclass(frozen=True)
class Tags:
    """``/resource tags``: (tag, visible resources) most used first; ``restricted`` when the
    counts include material only verified members see (the answer must then be ephemeral)."""

    found: list[tuple[str, int]]
    restricted: bool
    language: str


@unit_of_work
async def tags(session: AsyncSession, caller: Caller) -> Tags:
    who = await seen(session, caller)
    found = await searching.tag_names(session, caller.guild_id, verified=who.verified)
    open_only = await searching.tag_names(session, caller.guild_id, verified=False) if who.verified else found
    return Tags(found, found != open_only, who.language)


@dataclass(frozen=True)
class Suggested:
    """``/resource suggest``: the queued suggestion, the member's language, and where (and in
    which language) the review channel is told of it."""

    suggestion: Suggestion
    language: str
    server_language: str
    review_channel_id: int | None


@unit_of_work
async def suggest(session: AsyncSession, caller: Caller, fields: Fields) -> Suggested:
    who = await seen(session, caller)
    row = await suggestions.suggest(
        session, caller.guild_id, caller.user_id, fields, caller.now, verified=who.verified
    )
    return Suggested(Suggestion.of(row), who.language, who.server_language, who.review_channel_id)


@unit_of_work
async def resource_choices(session: AsyncSession, caller: Caller, current: str) -> list[Hit]:
    """Autocomplete of a resource option: what the caller may see."""
    may_see_amber = await verified(session, caller)
    return await searching.autocomplete(session, caller.guild_id, current, verified=may_see_amber)


@unit_of_work
async def tag_choices(
    session: AsyncSession, caller: Caller, current: str, limit: int
) -> list[tuple[str, int]]:
    """Autocomplete of a tag option: the tags of what the caller may see."""
    may_see_amber = await verified(session, caller)
    return await searching.tag_names(
        session, caller.guild_id, verified=may_see_amber, prefix=current, limit=limit
    )


# -- moderators --------------------------------------------------------------------------------


@unit_of_work
async def add(session: AsyncSession, guild_id: int, actor_id: int, fields: Fields, now: datetime) -> Entry:
    return Entry.of(await catalog.add(session, guild_id, actor_id, fields, now))


@unit_of_work
async def edit(
    session: AsyncSession, guild_id: int, actor_id: int, text: str, change: Edit, now: datetime
) -> tuple[Entry, list[str]]:
    """The entry as edited, and the names of the fields that changed."""
    row, changed = await catalog.edit(session, guild_id, actor_id, text, change, now)
    return Entry.of(row), changed


@unit_of_work
async def find(session: AsyncSession, guild_id: int, text: str) -> Entry:
    """The entry a moderator's option names (every label)."""
    return Entry.of(await catalog.resolve(session, guild_id, text, verified=True))


@unit_of_work
async def pending(session: AsyncSession, guild_id: int) -> list[Suggestion]:
    """The review queue, oldest first."""
    return [Suggestion.of(row) for row in await suggestions.queue(session, guild_id)]


@unit_of_work
async def approve(
    session: AsyncSession, guild_id: int, reviewer_id: int, suggestion_id: int, now: datetime
) -> Outcome:
    """The suggestion becomes a resource (``Outcome.resource_id``)."""
    _resource, outcome = await suggestions.approve(session, guild_id, reviewer_id, suggestion_id, now)
    return outcome


@dataclass(frozen=True)
class GlossaryPage:
    """``/resource glossary``: the term just defined or removed (if any), and every entry."""

    changed: str | None
    entries: dict[str, tuple[str, ...]]


@unit_of_work
async def edit_glossary(
    session: AsyncSession,
    guild_id: int,
    actor_id: int,
    now: datetime,
    *,
    term: str | None,
    expansions: str | None,
    remove: bool,
) -> GlossaryPage:
    """Remove ``term``, or define it as ``expansions``, or only list; then the server's glossary."""
    changed: str | None = None
    if term and remove:
        changed = await glossary.forget(session, guild_id, actor_id, term, now)
    elif term and expansions:
        changed, _values = await glossary.define(session, guild_id, actor_id, term, expansions, now)
    return GlossaryPage(changed, dict((await glossary.load(session, guild_id)).entries))
