"""bot.db.search on a scratch table: the generic plumbing that resources and Q&A both use."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from bot.db import Database, search
from bot.db.search import FullTextIndex, Query, Term

pytestmark = pytest.mark.engines  # full-text SQL written per dialect

NOTES = FullTextIndex(name="notes_fts", table="notes", columns=("title", "body"), weights=(10.0, 1.0))


async def _notes(db: Database, rows: list[tuple[int, str, str]]) -> None:
    async with db.transaction() as session:
        await session.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT)"))
        for statement in search.create_statements(NOTES, db.dialect):
            await session.execute(sa.text(statement))
        for row in rows:
            await session.execute(
                sa.text("INSERT INTO notes (id, title, body) VALUES (:id, :t, :b)"),
                {"id": row[0], "t": row[1], "b": row[2]},
            )


async def _ids(db: Database, query: Query) -> list[int]:
    hits = search.hits(NOTES, db.dialect, query)
    async with db.transaction() as session:
        rows = await session.execute(sa.select(hits.c.id).order_by(hits.c.score.desc(), hits.c.id))
        return [row.id for row in rows]


def q(*texts: str, prefix: bool = False) -> Query:
    return Query.all_of(t for t in (Term.of(text, prefix=prefix) for text in texts) if t)


def test_normalize_and_words_fold_case_and_accents() -> None:
    assert search.normalize("Détection ÉLÈVE") == "detection eleve"
    assert search.words("Portique (RPM), l'œil: n°2_x") == ["portique", "rpm", "l", "œil", "n", "2", "x"]
    assert search.words(None) == []


def test_identifiers_are_checked() -> None:
    with pytest.raises(ValueError):
        FullTextIndex(name="x; DROP TABLE y", table="t", columns=("a",), weights=(1.0,))
    with pytest.raises(ValueError):
        FullTextIndex(name="x", table="t", columns=("a", "b"), weights=(1.0,))


def test_query_rendering() -> None:
    query = Query(
        (
            (Term(("riid",)), Term(("radionuclide", "identification", "device"))),
            (Term(("portal",), prefix=True),),
        )
    )
    assert search.fts5_match(query) == ('("riid" OR "radionuclide identification device") AND ("portal"*)')
    assert search.tsquery(query) == (
        "(('riid') | ('radionuclide' <-> 'identification' <-> 'device')) & (('portal':*))"
    )
    assert not Query()
    assert Term.of("  ,; ") is None


async def test_accents_case_prefix_and_weights(db: Database) -> None:
    await _notes(
        db,
        [
            (1, "Guide de détection", "portique"),
            (2, "Other", "mentions detection once in the body"),
            (3, "Unrelated", "nothing here"),
        ],
    )
    assert await _ids(db, q("DETECTION")) == [1, 2]  # title weighs more than body
    assert await _ids(db, q("détect", prefix=True)) == [1, 2]
    assert await _ids(db, q("detect")) == []  # no prefix: whole words only
    assert await _ids(db, q("detection", "portique")) == [1]  # every group is required


async def test_triggers_follow_updates_and_deletes(db: Database) -> None:
    await _notes(db, [(1, "alpha", "x"), (2, "beta", "y")])
    async with db.transaction() as session:
        await session.execute(sa.text("UPDATE notes SET title = 'gamma' WHERE id = 1"))
        await session.execute(sa.text("DELETE FROM notes WHERE id = 2"))
    assert await _ids(db, q("alpha")) == []
    assert await _ids(db, q("gamma")) == [1]
    assert await _ids(db, q("beta")) == []


async def test_drop_statements_remove_everything(db: Database) -> None:
    await _notes(db, [(1, "alpha", "x")])
    async with db.transaction() as session:
        for statement in search.drop_statements(NOTES, db.dialect):
            await session.execute(sa.text(statement))
        if db.dialect == "sqlite":
            listing = "SELECT name FROM sqlite_master WHERE name LIKE 'notes_fts%'"
        else:
            listing = (
                "SELECT relname FROM pg_class WHERE relname LIKE 'notes_fts%' "
                "UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'notes_fts%'"
            )
        names = await session.scalars(sa.text(listing))
        assert list(names) == []
        await session.execute(sa.text("INSERT INTO notes (id, title, body) VALUES (5, 'a', 'b')"))


def test_empty_query_is_refused() -> None:
    with pytest.raises(ValueError):
        search.hits(NOTES, "sqlite", Query())


async def test_columns_window_and_unranked(db: Database) -> None:
    await _notes(db, [(1, "alpha", "x"), (2, "beta", "alpha"), (3, "alpha beta", "y"), (4, "gamma", "z")])
    in_titles = search.hits(NOTES, db.dialect, q("alpha"), columns=("title",), rank=False, window=10)
    newest = search.hits(NOTES, db.dialect, q("alpha"), window=2)
    async with db.transaction() as session:
        titles = [r.id for r in await session.execute(sa.select(in_titles.c.id, in_titles.c.score))]
        assert sorted(titles) == [1, 3]
        assert {r.score for r in await session.execute(sa.select(in_titles.c.score))} == {0.0}
        assert sorted(r.id for r in await session.execute(sa.select(newest.c.id))) == [2, 3]
        count = await session.scalar(search.match_count(NOTES, db.dialect, q("alpha")))
        assert count == 3
        assert await session.scalar(search.any_match(NOTES, db.dialect, q("gamma"))) == 1
        assert await session.scalar(search.any_match(NOTES, db.dialect, q("delta"))) is None
        vocabulary = search.indexed_terms(NOTES, db.dialect, "a")
        if db.dialect == "sqlite":
            assert vocabulary is not None
            assert dict(tuple(r) for r in await session.execute(vocabulary)) == {"alpha": 3}
    assert search.indexed_terms(NOTES, "postgresql", "a") is None
    with pytest.raises(ValueError):
        search.hits(NOTES, "sqlite", q("alpha"), columns=("nope",))


async def test_two_searches_in_one_statement_with_aliases(db: Database) -> None:
    await _notes(db, [(1, "alpha", "x"), (2, "beta", "alpha"), (3, "gamma", "y")])
    first = search.hits(NOTES, db.dialect, q("alpha"), alias="first")
    second = search.hits(NOTES, db.dialect, q("beta"), alias="second")
    async with db.transaction() as session:
        both = await session.execute(sa.select(first.c.id).join(second, second.c.id == first.c.id))
        assert [r.id for r in both] == [2]
        vocabulary = search.indexed_terms(NOTES, db.dialect, "a", limit=1)
        if vocabulary is not None:
            assert len(list(await session.execute(vocabulary))) == 1
    with pytest.raises(ValueError):
        search.hits(NOTES, "sqlite", q("alpha"), alias="bad name")


async def _vocabulary(db: Database, *firsts: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with db.transaction() as session:
        for first in firsts:
            clause = search.vocabulary_terms(NOTES, db.dialect, first)
            counts.update({str(term): int(docs) for term, docs in await session.execute(clause)})
    return counts


async def _recount(db: Database, *firsts: str) -> dict[str, int]:
    """The same vocabulary counted from scratch in Python."""
    counts: dict[str, int] = {}
    async with db.transaction() as session:
        for title, body in await session.execute(sa.text("SELECT title, body FROM notes")):
            for term in set(search.words(f"{title} {body}")):
                if term.startswith(firsts):
                    counts[term] = counts.get(term, 0) + 1
    return counts


async def _with_vocabulary(db: Database, rows: list[tuple[int, str, str]]) -> None:
    await _notes(db, rows)
    async with db.transaction() as session:
        for statement in search.vocabulary_create_statements(NOTES, db.dialect):
            await session.execute(sa.text(statement))


async def _assert_vocabulary(db: Database, expected: dict[str, int]) -> None:
    """Kept by the database, counted again from the rows, and as expected: all three agree."""
    kept, recounted = await _vocabulary(db, "d", "p"), await _recount(db, "d", "p")
    assert kept == recounted == expected


async def test_the_vocabulary_follows_inserts_edits_and_deletes(db: Database) -> None:
    await _with_vocabulary(
        db, [(1, "Dosimetry guide", "Détection aux frontières"), (2, "Portal sheet", "dosimetry")]
    )
    await _assert_vocabulary(db, {"dosimetry": 2, "detection": 1, "portal": 1})
    async with db.transaction() as session:
        await session.execute(  # one statement, several rows: counted once per row
            sa.text(
                "INSERT INTO notes (id, title, body) VALUES (3, 'Portal monitor', 'portal dosimetry'),"
                " (4, 'Dépistage', 'portal')"
            )
        )
        await session.execute(sa.text("UPDATE notes SET title = 'Detection guide' WHERE id = 1"))
        await session.execute(sa.text("UPDATE notes SET body = body WHERE id = 2"))  # text unchanged
        await session.execute(sa.text("DELETE FROM notes WHERE id = 2"))
    await _assert_vocabulary(db, {"detection": 1, "depistage": 1, "dosimetry": 1, "portal": 2})


async def test_concurrent_writers_keep_the_vocabulary_exact(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    await _with_vocabulary(db, [])
    vocabulary = ["portal", "dosimetry", "detection", "plume", "decay", "dose"]

    async def writer(n: int) -> None:
        mine = vocabulary[n % len(vocabulary) :] + vocabulary[: n % len(vocabulary)]  # each in its own order
        async with db.transaction() as session:
            for i in range(10):
                await session.execute(
                    sa.text("INSERT INTO notes (id, title, body) VALUES (:id, :t, :b)"),
                    {"id": n * 100 + i, "t": " ".join(mine[:3]), "b": " ".join(reversed(mine))},
                )

    await asyncio.gather(*(writer(n) for n in range(8)))
    await _assert_vocabulary(db, {w: 80 for w in vocabulary})
