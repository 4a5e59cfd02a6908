"""One unit of work per ``/resource`` command, plain values out (issue #16).

The cog calls each of these with ``bot.db``: the function opens the command's one transaction,
composes the feature's session-level services in it (which other services and the tests keep
calling on a session), and returns frozen dataclasses, never an ORM row. A member's command also
reads here who they are (``callers.seen``: may they see AMBER, their language), so that it costs
one transaction, not four.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services.callers import Caller, seen, verified
from bot.services.resources import catalog, glossary, searching, suggestions, typeahead
from bot.services.resources.catalog import Edit, Entry
from bot.services.resources.searching import Hit, SearchResult
from bot.services.resources.suggestions import Outcome, Suggestion
from bot.services.resources.validation import Fields

T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A command's result, and the caller's language to show it in (read in the same transaction)."""

    value: T
    language: str


# -- members -----------------------------------------------------------------------------------


@unit_of_work
async def search(
    session: AsyncSession, caller: Caller, text: str, *, tag: str | None, language: str | None
) -> Answer[SearchResult]:
    who = await seen(session, caller)
    result = await searching.search(
        session, caller.guild_id, text, verified=who.verified, tag=tag, language=language
    )
    return Answer(result, who.language)


@unit_of_work
async def show(session: AsyncSession, caller: Caller, text: str) -> Answer[Entry]:
    """The entry, its view counted."""
    who = await seen(session, caller)
    hit = await catalog.show(session, caller.guild_id, text, verified=who.verified)
    row = await catalog.get(session, caller.guild_id, hit.id)
    return Answer(replace(Entry.of(row), views=hit.views), who.language)


@dataclass(frozen=True)
class Tags:
    """(tag, visible resources) most used first; ``restricted`` when the counts include material
    only verified members see (the answer must then be ephemeral)."""

    found: list[tuple[str, int]]
    restricted: bool


@unit_of_work
async def tags(session: AsyncSession, caller: Caller) -> Answer[Tags]:
    who = await seen(session, caller)
    found = await searching.tag_names(session, caller.guild_id, verified=who.verified)
    open_only = await searching.tag_names(session, caller.guild_id, verified=False) if who.verified else found
    return Answer(Tags(found, found != open_only), who.language)


@dataclass(frozen=True)
class Suggested:
    """The queued suggestion, and where (and in which language) the review channel learns of it."""

    suggestion: Suggestion
    server_language: str
    review_channel_id: int | None


@unit_of_work
async def suggest(session: AsyncSession, caller: Caller, fields: Fields) -> Answer[Suggested]:
    who = await seen(session, caller)
    row = await suggestions.suggest(
        session, caller.guild_id, caller.user_id, fields, caller.now, verified=who.verified
    )
    return Answer(Suggested(Suggestion.of(row), who.server_language, who.review_channel_id), who.language)


@unit_of_work
async def resource_choices(session: AsyncSession, caller: Caller, current: str) -> list[Hit]:
    """Autocomplete of a resource option: what the caller may see."""
    may_see_amber = await verified(session, caller)
    return await typeahead.autocomplete(session, caller.guild_id, current, verified=may_see_amber)


@unit_of_work
async def tag_choices(
    session: AsyncSession, caller: Caller, current: str, limit: int
) -> list[tuple[str, int]]:
    """Autocomplete of a tag option: the tags of what the caller may see."""
    may_see_amber = await verified(session, caller)
    return await searching.tag_names(
        session, caller.guild_id, verified=may_see_amber, prefix=current, limit=limit
    )


# -- moderators (``moderator_only`` has checked the caller) ---------------------------------------


@unit_of_work
async def add(session: AsyncSession, caller: Caller, fields: Fields) -> Answer[Entry]:
    row = await catalog.add(session, caller.guild_id, caller.user_id, fields, caller.now)
    return Answer(Entry.of(row), (await seen(session, caller)).language)


@dataclass(frozen=True)
class Edited:
    entry: Entry
    changed: list[str]  # the names of the fields that changed (none: only verified)


@unit_of_work
async def edit(session: AsyncSession, caller: Caller, text: str, change: Edit) -> Answer[Edited]:
    row, changed = await catalog.edit(session, caller.guild_id, caller.user_id, text, change, caller.now)
    return Answer(Edited(Entry.of(row), changed), (await seen(session, caller)).language)


@unit_of_work
async def find(session: AsyncSession, caller: Caller, text: str) -> Answer[Entry]:
    """The entry a moderator's option names (every label)."""
    row = await catalog.resolve(session, caller.guild_id, text, verified=True)
    return Answer(Entry.of(row), (await seen(session, caller)).language)


@unit_of_work
async def review(session: AsyncSession, caller: Caller) -> Answer[list[Suggestion]]:
    """The review queue, oldest first."""
    return Answer(await _pending(session, caller.guild_id), (await seen(session, caller)).language)


@unit_of_work
async def pending(session: AsyncSession, guild_id: int) -> list[Suggestion]:
    """The review queue, oldest first (the review view moving on)."""
    return await _pending(session, guild_id)


async def _pending(session: AsyncSession, guild_id: int) -> list[Suggestion]:
    return [Suggestion.of(row) for row in await suggestions.queue(session, guild_id)]


@dataclass(frozen=True)
class Decided:
    """A suggestion approved or rejected, and the queue left (for the review view's next one)."""

    outcome: Outcome
    queue: list[Suggestion]


@unit_of_work
async def approve(
    session: AsyncSession, guild_id: int, reviewer_id: int, suggestion_id: int, now: datetime
) -> Decided:
    """The suggestion becomes a resource (``Outcome.resource_id``)."""
    _resource, outcome = await suggestions.approve(session, guild_id, reviewer_id, suggestion_id, now)
    return Decided(outcome, await _pending(session, guild_id))


@unit_of_work
async def reject(
    session: AsyncSession, guild_id: int, reviewer_id: int, suggestion_id: int, reason: str, now: datetime
) -> Decided:
    outcome = await suggestions.reject(session, guild_id, reviewer_id, suggestion_id, reason, now)
    return Decided(outcome, await _pending(session, guild_id))


@dataclass(frozen=True)
class GlossaryPage:
    """The term just defined or removed (if any), and every entry of the server's glossary."""

    changed: str | None
    entries: dict[str, tuple[str, ...]]


@unit_of_work
async def edit_glossary(
    session: AsyncSession, caller: Caller, *, term: str | None, expansions: str | None, remove: bool
) -> Answer[GlossaryPage]:
    """Remove ``term``, or define it as ``expansions``, or only list; then the server's glossary."""
    guild_id, changed = caller.guild_id, None
    if term and remove:
        changed = await glossary.forget(session, guild_id, caller.user_id, term, caller.now)
    elif term and expansions:
        changed, _values = await glossary.define(
            session, guild_id, caller.user_id, term, expansions, caller.now
        )
    entries = dict((await glossary.load(session, guild_id)).entries)
    return Answer(GlossaryPage(changed, entries), (await seen(session, caller)).language)
