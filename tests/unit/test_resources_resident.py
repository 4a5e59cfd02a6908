"""Ranked search from memory (``bot.db.resident``): the page of scoring every match in SQL, fresh
after every change whoever made it, and never a resource the caller may not see."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bot.clock import FrozenClock
from bot.db import Database, arrays, ranking, resident
from bot.services import resources
from bot.services.resources import glossary, searching
from tests.unit.test_resources_ranking import MOD, G, _library

pytestmark = pytest.mark.engines  # the generation triggers and the page re-read are per dialect

QUERIES = ["alarm", "portal alarm", "customs police laboratory guide", "sourc detector", "dete"]


async def _every_match(db: Database, query: str, verified: bool, limit: int) -> list[tuple[int, float]]:
    """The page of scoring every visible match in SQL, best first, then newest."""
    async with db.sessions() as session:
        found = searching.plan(query, await glossary.load(session, G))
        scored, _unknown = await searching._scored(session, found)
        sql, params = ranking.ranked_statement(scored, verified, None)
        hits = ranking.hits(sql, {**params, "guild": G})
        statement = sa.select(hits.c.id, hits.c.score).order_by(hits.c.score.desc(), hits.c.id.desc())
        return [(row.id, round(row.score, 6)) for row in await session.execute(statement.limit(limit))]


async def _search(
    db: Database, query: str, *, verified: bool = False, limit: int = 10
) -> list[tuple[int, float]]:
    async with db.sessions() as session:
        result = await searching.search(session, G, query, verified=verified, limit=limit)
    return [(hit.id, hit.score) for hit in result.hits]


async def _add(db: Database, clock: FrozenClock, title: str, description: str = "", tags: str = "") -> int:
    """A resource of this server added through ``db`` (another process's engine, in some tests)."""
    async with db.transaction() as session:
        fields = resources.fields(
            title_text=title,
            url_text=f"https://a.example/{title.replace(' ', '-')}",
            description_text=description,
            tags_value=tags,
        )
        return (await resources.add(session, G, MOD, fields, clock.now())).id


@pytest.mark.parametrize("dense", [0, 3])
@pytest.mark.parametrize("top", [2, 100])
@pytest.mark.parametrize("verified", [False, True])
async def test_pages_from_memory_are_those_of_scoring_every_match(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, top: int, verified: bool, dense: int
) -> None:
    """Pruned (few best postings first, a floor, optional terms looked up) or not, common terms
    held by position or not, the same ids and scores as SQL scoring every match, ties to the newest."""
    await _library(db, clock, 150)
    monkeypatch.setattr(arrays, "TOP", top)
    monkeypatch.setattr(arrays, "DENSE", dense)
    used: list[int] = []
    page = arrays.best_page

    def counted(terms: Any, limit: int, concepts: int) -> list[tuple[int, float]]:
        used.append(limit)
        return page(terms, limit, concepts)

    monkeypatch.setattr(arrays, "best_page", counted)
    for query in QUERIES:
        for limit in (1, 5, 25):
            expected = await _every_match(db, query, verified, limit)
            assert await _search(db, query, verified=verified, limit=limit) == expected, (query, limit)
    assert used  # the pages did come from memory
    async with db.sessions() as session:
        held = (await resident.view(session, G)).state.terms.values()  # type: ignore[union-attr]
    by_position = [p.open.dense is not None for p in held if isinstance(p, arrays.Postings)]
    assert any(by_position) == bool(dense) and not all(by_position)  # both ways were used


async def test_every_change_is_seen_by_every_process(db: Database, clock: FrozenClock) -> None:
    """Another process (another engine on the same database) adds, edits, relabels, deletes: each
    search here sees the library as it is."""
    await _library(db, clock, 40)
    other = Database(db.url)
    try:
        assert await _search(db, "zircon") == []
        row_id = await _add(other, clock, "Zircon alarm guide", "zircon zircon", "alarm")
        assert [i for i, _s in await _search(db, "zircon")] == [row_id]
        assert await _search(db, "zircon alarm") == await _every_match(db, "zircon alarm", False, 10)
        async with other.transaction() as session:
            await resources.edit(session, G, MOD, str(row_id), resources.Edit(label="TLP:AMBER"), clock.now())
        assert await _search(db, "zircon") == []
        assert await _search(db, "zircon alarm") == await _every_match(db, "zircon alarm", False, 10)
        assert [i for i, _s in await _search(db, "zircon", verified=True)] == [row_id]
        async with other.transaction() as session:
            await resources.edit(session, G, MOD, str(row_id), resources.Edit(title="Quartz"), clock.now())
        assert [i for i, _s in await _search(db, "quartz", verified=True)] == [row_id]
        async with other.transaction() as session:
            await resources.remove(session, G, MOD, row_id)
        assert await _search(db, "quartz", verified=True) == []
        assert await _search(db, "alarm") == await _every_match(db, "alarm", False, 10)
    finally:
        await other.dispose()


async def test_uncommitted_changes_count_only_in_their_transaction(db: Database, clock: FrozenClock) -> None:
    await _library(db, clock, 40)
    before = await _search(db, "alarm")
    session = db.sessions()
    try:
        async with session.begin():
            fields = resources.fields(
                title_text="Alarm alarm",
                url_text="https://a.example/new",
                description_text="alarm alarm alarm",
                tags_value="alarm",
            )
            row = await resources.add(session, G, MOD, fields, clock.now())
            inside = await searching.search(session, G, "alarm", verified=False, limit=10)
            assert inside.hits[0].id == row.id
            assert await _search(db, "alarm") == before  # not committed: others do not see it
            await session.rollback()
    finally:
        await session.close()
    assert await _search(db, "alarm") == before


async def test_a_page_that_memory_got_wrong_is_never_shown(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: were the arrays to name a restricted resource, or another server's, for
    an unverified member, the page is scored again in SQL, with the visibility rule."""
    await _library(db, clock, 40)
    async with db.transaction() as session:
        hidden = await resources.add(
            session,
            G,
            MOD,
            resources.fields(
                title_text="Alarm amber",
                url_text="https://a.example/amber",
                description_text="alarm",
                tags_value="",
                label_text="TLP:AMBER",
            ),
            clock.now(),
        )
        elsewhere = await resources.add(
            session,
            G + 1,
            MOD,
            resources.fields(
                title_text="Alarm elsewhere",
                url_text="https://a.example/else",
                description_text="",
                tags_value="",
            ),
            clock.now(),
        )
    expected = await _every_match(db, "alarm", False, 10)
    for wrong in (hidden.id, elsewhere.id):

        async def page(
            self: resident.View, factors: Any, verified: bool, limit: int, wrong: int = wrong
        ) -> Any:
            return [(wrong, 99.0)]

        def held_page(
            self: resident.View, factors: Any, verified: bool, limit: int, wrong: int = wrong
        ) -> Any:
            return [(wrong, 99.0)]

        monkeypatch.setattr(resident.View, "page", page)
        monkeypatch.setattr(resident.View, "held_page", held_page)
        assert await _search(db, "alarm") == expected
        assert await _search(db, "alarm") == expected  # the second time, from what memory holds


async def test_memory_held_stays_within_its_budget(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _library(db, clock, 60)
    monkeypatch.setattr(resident, "BUDGET", 5000)
    for query in QUERIES:
        assert await _search(db, query) == await _every_match(db, query, False, 10)
    async with db.sessions() as session:
        held = (await resident.view(session, G)).state  # type: ignore[union-attr]
    assert held.held <= 5000 or len(held.terms) == 1


async def test_did_you_mean_sees_words_another_process_added(db: Database, clock: FrozenClock) -> None:
    """The vocabulary did-you-mean reads is held under the library's token: a word another
    process adds is offered at once, one it removes is no longer."""
    await _library(db, clock, 20)
    other = Database(db.url)
    try:
        async with db.sessions() as session:
            assert (await searching.search(session, G, "zirconium", verified=False)).corrected is None
        row_id = await _add(other, clock, "Zirconium cladding")
        async with db.sessions() as session:
            found = await searching.search(session, G, "zirconiun", verified=False)
        assert (found.corrected, [hit.id for hit in found.hits]) == ("zirconium", [row_id])
        async with other.transaction() as session:
            await resources.remove(session, G, MOD, row_id)
        async with db.sessions() as session:
            assert (await searching.search(session, G, "zirconiun", verified=False)).corrected is None
    finally:
        await other.dispose()


async def test_only_words_that_find_nothing_are_corrected(db: Database, clock: FrozenClock) -> None:
    """A typed word found through its stem (``detectors``: the index holds ``detector``) is kept as
    typed; only the word that finds nothing is corrected."""
    await _library(db, clock, 20)
    async with db.sessions() as session:
        found = await searching.search(session, G, "detectors polise", verified=False)
    assert found.corrected == "detectors police"


async def test_a_search_memory_can_answer_reads_once(db: Database, clock: FrozenClock) -> None:
    """Asked again, a search whose statistics and postings memory holds reads the page's rows and
    the library's token in one statement; a change anywhere is seen at once."""
    await _library(db, clock, 40)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        first = await _search(db, "portal alarm")
        statements.clear()
        assert await _search(db, "portal alarm") == first
        assert len(statements) == 1 and "search_generation" in statements[0]
        other = Database(db.url)
        try:
            row_id = await _add(other, clock, "Portal alarm portal alarm", "portal alarm", "alarm")
        finally:
            await other.dispose()
        again = await _search(db, "portal alarm")
        assert again[0][0] == row_id and again == await _every_match(db, "portal alarm", False, 10)
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_warming_holds_common_words_once_per_state_of_the_library(
    db: Database, clock: FrozenClock
) -> None:
    """After warming, the first search of a common word reads no postings (only its statistics
    and page); warming again does nothing until the library changes."""
    await _library(db, clock, 60)
    assert await searching.warm(db, G) > 0
    assert await searching.warm(db, G) == 0
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    expected = await _every_match(db, "customs", False, 10)
    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await _search(db, "customs") == expected
        assert statements and not [st for st in statements if "FROM resource_terms " in st]  # no postings
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    await _add(db, clock, "Customs customs")
    assert await searching.warm(db, G) > 0  # a new state of the library
