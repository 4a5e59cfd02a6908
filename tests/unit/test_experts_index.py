"""The in-memory directory index stays exactly in step with the database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.db import Database
from bot.services import experts
from bot.services.experts import ProfileInput, index

pytestmark = pytest.mark.engines  # upserts (insert_missing) written per dialect

G = 1


async def ids(db: Database, clock: FrozenClock, **filters: Any) -> list[int]:
    async with db.transaction() as session:
        page = await experts.find(session, G, viewer_verified=False, now=clock.now(), **filters)
    return [card.user_id for card in page.experts]


async def add(db: Database, clock: FrozenClock, user_id: int, **fields: str) -> None:
    values = {"agency": "ASN", "country": "FR", "expertise": "Dosimetry", "languages": "fr", **fields}
    async with db.transaction() as session:
        await experts.register(
            session, G, user_id, ProfileInput(**values), consent_text="ok", now=clock.now()
        )


async def test_every_write_is_seen_by_the_next_search(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1)
    await add(db, clock, 2, country="KH")
    assert await ids(db, clock, country="FR") == [1]
    async with db.transaction() as session:
        await experts.update_profile(
            session, G, 2, ProfileInput(country="France", expertise="Nuclear forensics"), now=clock.now()
        )
    assert await ids(db, clock, country="FR") == [1, 2]
    assert await ids(db, clock, expertise="forensics") == [2]
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 2, now=clock.now())
    assert await ids(db, clock, country="FR") == [2, 1]
    async with db.transaction() as session:
        await experts.member_left(session, G, 2, clock.now())
    assert await ids(db, clock) == [1]
    async with db.transaction() as session:
        await experts.member_returned(session, G, 2)
        await experts.update_profile(session, G, 1, ProfileInput(visibility="verified"), now=clock.now())
    assert await ids(db, clock) == [2]
    async with db.transaction() as session:
        await experts.leave(session, G, 2)
    assert await ids(db, clock) == []


async def test_a_rolled_back_change_is_not_served(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1)
    await add(db, clock, 2)
    assert await ids(db, clock, country="FR") == [1, 2]
    try:
        async with db.transaction() as session:
            await experts.update_profile(session, G, 1, ProfileInput(country="DE"), now=clock.now())
            page = await experts.find(session, G, viewer_verified=False, now=clock.now(), country="DE")
            assert [c.user_id for c in page.experts] == [1]
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    async with db.transaction() as session:
        await experts.update_profile(session, G, 2, ProfileInput(agency="IRSN"), now=clock.now())
    assert await ids(db, clock, country="DE") == []
    assert await ids(db, clock, country="FR") == [1, 2]


async def test_an_index_far_behind_or_of_another_database_is_rebuilt(
    db: Database, clock: FrozenClock
) -> None:
    await add(db, clock, 1)
    assert await ids(db, clock) == [1]
    cached = index._CACHE[G]
    cached.epoch = (cached.epoch or 0) + 1  # as if built from another database
    await add(db, clock, 2)
    assert await ids(db, clock) == [1, 2]
    assert index._CACHE[G] is not cached
    index.forget()
    assert await ids(db, clock) == [1, 2]


ids_ = st.sets(st.integers(1, 60), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    candidates=ids_,
    term_sets=st.lists(ids_, max_size=4),
    first=ids_,
    second=ids_,
    need=st.integers(1, 30),
)
def test_bucket_ranking_equals_a_plain_sort(
    candidates: set[int], term_sets: list[set[int]], first: set[int], second: set[int], need: int
) -> None:
    """The set-based ranking gives exactly what sorting every candidate by the rule would."""
    if term_sets:
        candidates = candidates & set().union(*term_sets)
    levels = index.level_sets(term_sets) if len(term_sets) > 1 else None

    def key(pid: int) -> tuple[int, bool, bool, int]:
        return (-index.count_in(pid, term_sets), pid not in first, pid not in second, pid)

    assert index.rank(candidates, levels, first, second, need) == sorted(candidates, key=key)[:need]
