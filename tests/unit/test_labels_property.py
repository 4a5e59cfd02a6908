"""Property: whatever happens (resources added, some AMBER; suggestions; verifications; expiries;
erasures), nothing shown to a member who is not verified holds an AMBER title, link, word or
marker: search results and their did-you-mean, autocomplete, tags, show, a suggestion's refusal,
the member's export. Outputs are rendered as the bot renders them (embeds, the error mapping).

Each example plays in a server of its own (a fresh guild id) of one SQLite database, on one event
loop: bounded to a few seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import i18n
from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import LiaisonError
from bot.services import experts, labels, privacy, resources
from bot.services.experts import ProfileInput
from bot.services.resources import suggestions
from bot.ui.errors import message_for
from cogs.resources import _render
from tests.conftest import START
from tests.databases import copy_sqlite

MOD = 10
GUILDS = itertools.count(1)
MEMBERS = (101, 102, 103)
# AMBER material uses words of its own (and near-misses of open words, for did-you-mean).
OPEN_WORDS = ("portal", "monitor", "dosimetry", "border", "detector")
AMBER_WORDS = ("zephyrine", "monitar", "quorvex", "dosimetra", "borker")

Action = tuple[Any, ...]
actions = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.booleans(), st.integers(0, 4)),
        st.tuples(st.just("suggest"), st.sampled_from(MEMBERS), st.integers(0, 6)),
        st.tuples(st.just("verify"), st.sampled_from(MEMBERS)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("erase"), st.sampled_from(MEMBERS)),
        st.tuples(st.just("look"), st.sampled_from(MEMBERS), st.sampled_from(OPEN_WORDS + AMBER_WORDS)),
    ),
    min_size=3,
    max_size=12,
)


@dataclass
class World:
    db: Database
    clock: FrozenClock
    guild: int
    added: int = 0
    amber: set[str] = field(default_factory=set)  # titles and URLs of AMBER entries
    typed: dict[int, set[str]] = field(default_factory=dict)  # URLs each member suggested

    def forbidden(self, member: int) -> list[str]:
        """What may not reach ``member``; a link they typed themselves is theirs to see (in their
        export), and tells them nothing."""
        return [*(self.amber - self.typed.get(member, set())), "TLP:AMBER", *AMBER_WORDS]


def _check(world: World, member: int, shown: str) -> None:
    lowered = shown.lower()
    leaked = [f for f in world.forbidden(member) if f.lower() in lowered]
    assert leaked == [], (leaked, shown)


async def _add(world: World, amber: bool, word: int) -> None:
    world.added += 1
    n = world.added
    words = AMBER_WORDS if amber else OPEN_WORDS
    title = f"{words[word].title()} guide {n}"
    url = f"https://example.org/{'a' if amber else 'g'}{n}"
    fields = resources.fields(
        title_text=title,
        url_text=url,
        description_text=f"About {words[word]}",
        tags_value=words[word],
        label_text="TLP:AMBER" if amber else "TLP:GREEN",
    )
    async with world.db.transaction() as session:
        await resources.add(session, world.guild, MOD, fields, world.clock.now())
    if amber:
        world.amber |= {title, url}


async def _verified(world: World, member: int) -> bool:
    async with world.db.transaction() as session:
        return await labels.is_verified(session, world.guild, member, world.clock.now())


async def _suggest(world: World, member: int, which: int) -> None:
    url = f"https://example.org/{'a' if which % 2 else 'g'}{which}"  # often an existing entry's
    fields = resources.fields(
        title_text=f"Suggested {which}", url_text=url, description_text="", tags_value=""
    )
    verified = await _verified(world, member)
    world.typed.setdefault(member, set()).add(url)
    try:
        async with world.db.transaction() as session:
            row = await suggestions.suggest(
                session, world.guild, member, fields, world.clock.now(), verified=verified
            )
            shown = i18n.t("en", "resource.suggested", id=row.id, title=_render.safe(row.title, 200))
    except LiaisonError as error:
        shown = message_for(error, "en")[0]
    if not verified:
        _check(world, member, shown)


async def _verify(world: World, member: int) -> None:
    async with world.db.transaction() as session:
        if await experts.get_row(session, world.guild, member) is None:
            data = ProfileInput("Customs", "FR", "Dosimetry", "en", "UTC", None, "members")
            await experts.register(
                session, world.guild, member, data, consent_text="ok", now=world.clock.now()
            )
        await experts.verify(session, world.guild, MOD, member, now=world.clock.now(), months=1)


async def _look(world: World, member: int, word: str) -> None:
    """Everything the member may ask for, rendered; checked when they are not verified."""
    verified = await _verified(world, member)
    if verified:
        return
    t = partial(i18n.t, "en")
    shown: list[str] = []
    async with world.db.transaction() as session:
        for query in (word, word[:-1] + "x"):
            try:
                result = await resources.search(session, world.guild, query, verified=False)
            except LiaisonError as error:
                shown.append(message_for(error, "en")[0])
                continue
            # (rendered without the query: the member's own words are echoed back, harmlessly)
            pages = _render.result_pages(t, "…", result.hits)
            shown += [json.dumps(page.to_dict(), ensure_ascii=False) for page in pages]
            shown.append(str(result.corrected))
        hits = await resources.autocomplete(session, world.guild, word[:3], verified=False)
        shown += [f"{h.title} {h.url} {h.label}" for h in hits]
        shown.append(str(await resources.tag_names(session, world.guild, verified=False)))
        for resource_id in range(1, world.added + 1):
            try:
                hit = await resources.show(session, world.guild, str(resource_id), verified=False)
                shown.append(f"{hit.title} {hit.url} {hit.label}")
            except LiaisonError as error:
                shown.append(message_for(error, "en")[0])
        exported = await privacy.export(session, world.guild, member, now=world.clock.now(), verified=False)
        shown.append(json.dumps(exported, ensure_ascii=False, default=str))
    _check(world, member, "\n".join(shown))


async def _scenario(db: Database, steps: list[Action]) -> None:
    world = World(db, FrozenClock(START), next(GUILDS))
    for step in steps:
        kind, *args = step
        if kind == "add":
            await _add(world, *args)
        elif kind == "suggest":
            await _suggest(world, *args)
        elif kind == "verify":
            await _verify(world, *args)
        elif kind == "expire":
            world.clock.advance(timedelta(days=40))
        elif kind == "erase":
            async with world.db.transaction() as session:
                await privacy.erase(session, world.guild, args[0])
        if kind == "look":
            await _look(world, *args)
    for member in MEMBERS:  # and at the end, everyone who is not verified, on a hidden word
        await _look(world, member, "monitar")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_nothing_amber_reaches_an_unverified_member(steps: list[Action], shared: Shared) -> None:
    shared.loop.run_until_complete(_scenario(shared.db, steps))


@dataclass
class Shared:
    loop: asyncio.AbstractEventLoop
    db: Database


@pytest.fixture
def shared(migrated_template: Path, tmp_path: Path) -> Iterator[Shared]:
    loop = asyncio.new_event_loop()
    db = Database(copy_sqlite(migrated_template, tmp_path))
    yield Shared(loop, db)
    loop.run_until_complete(db.dispose())
    loop.close()
