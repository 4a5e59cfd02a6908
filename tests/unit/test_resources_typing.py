"""Type-ahead (``typeahead.autocomplete``): the newest matches of titles and tags this member may
see here, whichever way the engine finds them (on PostgreSQL: among the newest documents first,
then through the index)."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.services import resources
from bot.services.resources import typeahead

pytestmark = pytest.mark.engines  # PostgreSQL has a way of its own

G, OTHER, MOD = 1, 2, 100


async def _library(db: Database, clock: FrozenClock) -> list[tuple[int, int, str, str]]:
    """(id, server, label, title) of 90 resources: guides and manuals, some AMBER, some elsewhere."""
    made = []
    async with db.transaction() as session:
        for i in range(90):
            guild = OTHER if i % 5 == 0 else G
            label = "TLP:AMBER" if i % 3 == 0 else "TLP:GREEN"
            title = f"Guide {i}" if i % 2 else f"Manual {i}"
            fields = resources.fields(
                title_text=title,
                url_text=f"https://t.example/{i}",
                description_text="guide",  # not a title: never a type-ahead match
                tags_value="",
                label_text=label,
            )
            row = await resources.add(session, guild, MOD, fields, clock.now())
            made.append((row.id, guild, label, title))
    return made


@pytest.mark.parametrize("recent", [3, 2000])
@pytest.mark.parametrize("verified", [False, True])
async def test_typing_gives_the_newest_visible_matches(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, recent: int, verified: bool
) -> None:
    """With few newest documents looked through first (then the index) or many (a full page
    among them), the same page: the newest guides of this server the member may see."""
    made = await _library(db, clock)
    monkeypatch.setattr(typeahead, "TYPING_RECENT", recent)
    visible = [
        i
        for i, guild, label, title in made
        if guild == G and title.startswith("Guide") and (verified or label != "TLP:AMBER")
    ]
    for limit in (5, 12):
        async with db.sessions() as session:
            found = await typeahead.autocomplete(session, G, "gui", verified=verified, limit=limit)
        assert [hit.id for hit in found] == sorted(visible, reverse=True)[:limit]
