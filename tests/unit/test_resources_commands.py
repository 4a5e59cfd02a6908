"""``/resource`` commands' units of work: one transaction each, plain values out, and the caller
(moderator role, AMBER visibility, language) read inside it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Invalid
from bot.services import guild_settings, member_prefs, resources
from bot.services.callers import Caller
from bot.services.guild_settings import SetupChange
from bot.services.member_prefs import PrefsChange
from bot.services.resources import commands
from bot.services.resources.catalog import Edit, Entry
from bot.services.resources.suggestions import Suggestion

G, MOD, MEMBER, MOD_ROLE, REVIEW = 1, 100, 200, 900, 950
AMBER = {"title": "Sealed source recovery plan", "url": "https://example.org/amber", "label": "TLP:AMBER"}
GREEN = {"title": "Orphan source recovery", "url": "https://example.org/green", "label": "TLP:GREEN"}


def _fields(entry: dict[str, str]) -> Any:
    return resources.fields(
        title_text=entry["title"],
        url_text=entry["url"],
        description_text="",
        tags_value="recovery",
        label_text=entry["label"],
    )


@pytest.fixture
def counted(db: Database) -> list[int]:
    """The transactions ``db`` opens from now on (one entry each)."""
    opened: list[int] = []
    original = db.transaction

    @asynccontextmanager
    async def transaction() -> AsyncIterator[Any]:
        opened.append(1)
        async with original() as session:
            yield session

    db.transaction = transaction  # type: ignore[method-assign]
    return opened


def _caller(clock: FrozenClock, **kw: Any) -> Caller:
    values: dict[str, Any] = {"guild_id": G, "user_id": MEMBER, "now": clock.now(), "moderator": None}
    return Caller(**{**values, **kw})


async def _library(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        await guild_settings.update(
            session, G, MOD, SetupChange(moderator_role_id=MOD_ROLE, language="fr", review_channel_id=REVIEW)
        )
        for entry in (GREEN, AMBER):
            await resources.add(session, G, MOD, _fields(entry), clock.now())


async def test_a_members_search_is_one_transaction_and_sees_by_the_moderator_role(
    db: Database, clock: FrozenClock, counted: list[int]
) -> None:
    await _library(db, clock)
    counted.clear()
    member = await commands.search(db, _caller(clock), "recovery", tag=None, language=None)
    assert [h.title for h in member.value.hits] == [GREEN["title"]]
    assert counted == [1]
    by_role = _caller(clock, role_ids=frozenset({MOD_ROLE}))
    moderator = await commands.search(db, by_role, "recovery", tag=None, language=None)
    assert {h.title for h in moderator.value.hits} == {GREEN["title"], AMBER["title"]}
    told = _caller(clock, moderator=False, role_ids=frozenset({MOD_ROLE}))  # Discord's word decides
    assert len((await commands.search(db, told, "recovery", tag=None, language=None)).value.hits) == 1
    assert counted == [1, 1, 1]
    with pytest.raises(Invalid):
        await commands.search(db, _caller(clock), "  ", tag=None, language=None)


async def test_the_callers_language_is_read_in_the_same_transaction(db: Database, clock: FrozenClock) -> None:
    await _library(db, clock)
    answer = await commands.tags(db, _caller(clock, locale="en-GB"))
    assert answer.language == "en" and answer.value == commands.Tags([("recovery", 1)], False)
    assert (await commands.tags(db, _caller(clock))).language == "fr"  # the server's
    async with db.transaction() as session:
        await member_prefs.update(session, G, MEMBER, PrefsChange(language="fr"))
    assert (await commands.tags(db, _caller(clock, locale="en-US"))).language == "fr"  # their setting
    verified = await commands.tags(db, _caller(clock, moderator=True))
    assert verified.value == commands.Tags([("recovery", 2)], True)  # counts AMBER: ephemeral


async def test_every_command_returns_plain_values(
    db: Database, clock: FrozenClock, counted: list[int]
) -> None:
    await _library(db, clock)
    moderator = _caller(clock, user_id=MOD, moderator=True)
    counted.clear()
    shown = await commands.show(db, _caller(clock), "1")
    assert isinstance(shown.value, Entry) and shown.value.views == 1 and shown.value.added_by == MOD
    added = await commands.add(db, moderator, _fields({**GREEN, "url": "https://example.org/3"}))
    edited = await commands.edit(db, moderator, str(added.value.id), Edit(title="Renamed"))
    assert edited.value.changed == ["title"] and edited.value.entry.title == "Renamed"
    assert (await commands.find(db, moderator, "Renamed")).value.id == added.value.id
    suggested = await commands.suggest(db, _caller(clock), _fields({**GREEN, "url": "https://example.org/s"}))
    assert suggested.value.review_channel_id == REVIEW and suggested.value.server_language == "fr"
    queue = await commands.review(db, moderator)
    assert [s.id for s in queue.value] == [suggested.value.suggestion.id]
    other = await commands.suggest(db, _caller(clock), _fields({**GREEN, "url": "https://example.org/t"}))
    decided = await commands.approve(db, G, MOD, suggested.value.suggestion.id, clock.now())
    outcome = decided.outcome
    assert outcome.approved and outcome.resource_id is not None
    assert [s.id for s in decided.queue] == [other.value.suggestion.id]  # the next one, same transaction
    rejected = await commands.reject(db, G, MOD, other.value.suggestion.id, "Off topic", clock.now())
    assert not rejected.outcome.approved and rejected.queue == []
    assert await commands.pending(db, G) == []
    page = await commands.edit_glossary(
        db, moderator, term="OSR", expansions="orphan source recovery", remove=False
    )
    assert page.value.changed == "OSR" and "OSR" in page.value.entries
    assert len(counted) == 11  # one per call
    plain: list[Any] = [shown, added, edited, suggested, queue, *queue.value, decided, outcome, page]
    for value in plain:
        assert dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert isinstance(suggested.value.suggestion, Suggestion)


async def test_choices_read_only_what_the_caller_may_see(db: Database, clock: FrozenClock) -> None:
    await _library(db, clock)
    choose: Callable[..., Any] = commands.resource_choices
    assert [h.title for h in await choose(db, _caller(clock), "")] == [GREEN["title"]]
    assert len(await choose(db, _caller(clock, role_ids=frozenset({MOD_ROLE})), "")) == 2
    assert await commands.tag_choices(db, _caller(clock), "rec", 25) == [("recovery", 1)]
