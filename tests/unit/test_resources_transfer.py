"""Import/export of the library (CSV and JSON Lines) and the ``liaison resources`` CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot import cli
from bot.clock import FrozenClock
from bot.db import Database
from bot.db import postings as filed
from bot.db.models.resources import Resource
from bot.services import resources
from bot.services.resources import transfer

pytestmark = pytest.mark.engines  # import upserts on url

G = 1
CSV = """title,url,description,tags,language,label
RIID operating sheet,https://example.org/riid,How to run a RIID,"RIID, Equipment",en,TLP:GREEN
Guide de détection,https://example.org/det,Détection aux frontières,détection,fr,
Bad scheme,ftp://nope,,,en,
Red,https://example.org/red,,,en,TLP:RED
Twice,https://example.org/riid,,,en,
,https://example.org/nt,,,en,
Amber,https://example.org/amber,dosimetry notes,,fr,tlp:amber
"""


async def _import(db: Database, clock: FrozenClock, text: str, fmt: str) -> transfer.ImportReport:
    async with db.transaction() as session:
        return await transfer.import_records(session, G, transfer.read_records(text, fmt), now=clock.now())


async def test_csv_import_reports_each_rejected_line_and_is_idempotent(
    db: Database, clock: FrozenClock
) -> None:
    report = await _import(db, clock, CSV, ".csv")
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert [(r.line, r.key) for r in report.rejected] == [
        (4, "resource.bad_url"),
        (5, "label.red_refused"),
        (6, "resource.import.repeated_url"),
        (7, "error.required"),
    ]
    again = await _import(db, clock, CSV, ".csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    changed = CSV.replace("How to run a RIID", "How to operate a RIID")
    third = await _import(db, clock, changed, ".csv")
    assert (third.added, third.updated, third.unchanged) == (0, 1, 2)
    async with db.transaction() as session:
        hits = (await resources.search(session, G, "operate", verified=False)).hits
        assert [h.title for h in hits] == ["RIID operating sheet"]
        assert ("riid", 1) in await resources.tag_names(session, G, verified=False)


async def test_round_trip_through_both_formats(db: Database, clock: FrozenClock) -> None:
    await _import(db, clock, CSV, ".csv")
    async with db.transaction() as session:
        rows = await transfer.export_rows(session, G)
        open_rows = await transfer.export_rows(session, G, verified=False)
    assert [r["label"] for r in rows] == ["TLP:GREEN", "TLP:GREEN", "TLP:AMBER"]
    assert [r["title"] for r in open_rows] == ["RIID operating sheet", "Guide de détection"]
    assert rows[0]["tags"] == ["riid", "equipment"]
    for fmt in (".csv", ".jsonl"):
        text = transfer.render(rows, fmt)
        report = await _import(db, clock, text, fmt)
        assert (report.added, report.updated, report.unchanged, report.rejected) == (0, 0, 3, [])
        back = [values for _, values in transfer.read_records(text, fmt)]
        assert len(back) == 3


async def test_jsonl_lines_are_checked_one_by_one(db: Database, clock: FrozenClock) -> None:
    text = "\n".join(
        [
            json.dumps({"title": "A", "url": "https://a.example", "tags": ["x", "Y"]}),
            "{not json",
            "[1, 2]",
            "",
            json.dumps({"title": "B", "url": "https://b.example", "tags": 5}),
            json.dumps({"title": "C", "url": "https://c.example", "language": "de"}),
        ]
    )
    report = await _import(db, clock, text, ".jsonl")
    assert report.added == 1
    assert [(r.line, r.key) for r in report.rejected] == [
        (2, "resource.import.bad_json"),
        (3, "resource.import.not_object"),
        (5, "resource.import.bad_tags"),
        (6, "error.bad_language"),
    ]


def test_csv_without_title_or_url_column_is_refused() -> None:
    from bot.errors import Invalid

    with pytest.raises(Invalid):
        list(transfer.read_records("name,link\na,b\n", ".csv"))
    with pytest.raises(Invalid):
        transfer.file_format("library.xlsx")


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    return cli.main(list(args))


def test_cli_import_search_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "lib.csv"
    source.write_text(CSV, encoding="utf-8")
    assert _cli(tmp_path, monkeypatch, "resources", "import", str(source)) == 2  # no server yet
    assert "--guild" in capsys.readouterr().err
    assert _cli(tmp_path, monkeypatch, "resources", "import", str(source), "--guild", "7") == 0
    out = capsys.readouterr().out
    assert "added 3, updated 0, unchanged 0, rejected 4" in out and "line 5: TLP:RED is refused" in out
    assert _cli(tmp_path, monkeypatch, "resources", "search", "detection", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert [f["title"] for f in found] == ["Guide de détection"] and {"id", "url", "score"} <= found[0].keys()
    assert _cli(tmp_path, monkeypatch, "resources", "search", "dosimetery") == 0
    assert "did you mean: dosimetry" in capsys.readouterr().out
    target = tmp_path / "out.jsonl"
    assert _cli(tmp_path, monkeypatch, "resources", "export", str(target), "--guild", "7") == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    assert _cli(tmp_path, monkeypatch, "resources", "search", "x", "--limit", "0") == 2
    assert _cli(tmp_path, monkeypatch, "resources", "export", str(tmp_path / "out.txt")) == 2
    assert _cli(tmp_path, monkeypatch, "resources", "import", str(tmp_path / "missing.csv")) == 2


FORMULAS = [
    '=HYPERLINK("https://evil.example","Click")',
    "+cmd|' /C calc'!A0",
    "-2+3 dose rate",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=already guarded-looking",
]


async def test_csv_export_runs_no_formula_and_imports_back_the_same_titles(
    db: Database, clock: FrozenClock
) -> None:
    lines = [
        json.dumps({"title": t, "url": f"https://example.org/f{i}", "description": "\tx", "tags": ["@t"]})
        for i, t in enumerate(FORMULAS)
    ]
    await _import(db, clock, "\n".join(lines), ".jsonl")
    async with db.transaction() as session:
        text = transfer.render(await transfer.export_rows(session, G), ".csv")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert cells and not [c for c in cells if c[:1] in transfer.FORMULA_STARTS]
    report = await _import(db, clock, text, ".csv")
    assert (report.added, report.updated, report.unchanged, report.rejected) == (0, 0, len(FORMULAS), [])
    titles = [values["title"] for _, values in transfer.read_records(text, ".csv")]
    assert titles == FORMULAS


# -- the search postings an import files (bot.db.postings.filing_in_bulk) ---------------------------
class _Undone(Exception):
    """Raised to roll a transaction back after reading what it wrote."""


async def _index(session: AsyncSession) -> tuple[list[Any], list[Any]]:
    """Every posting (its resource named by url: PostgreSQL does not give back the ids of a
    rolled-back transaction) and every count, sorted."""
    terms = sa.table(
        filed.TERMS, *(sa.column(c) for c in ("resource_id", "term", "guild_id", "restricted", "impact"))
    )
    stats = sa.table(filed.STATS, *(sa.column(c) for c in ("term", "docs", "top")))
    postings = await session.execute(
        sa.select(Resource.url, *list(terms.c)[1:]).join(terms, terms.c.resource_id == Resource.id)
    )
    counts = await session.execute(sa.select(*stats.c))
    return sorted(tuple(r) for r in postings), sorted(tuple(r) for r in counts)


def _library(count: int) -> str:
    subjects = [
        "portal monitor alarm",
        "détecteur personnel",
        "NSS 22-G guide",
        "orphan source",
        "crime scene",
    ]
    lines = [
        json.dumps(
            {
                "title": f"{subjects[i % 5]} {i}",
                "url": f"https://lib.example/{i}",
                "description": f"{subjects[(i * 3) % 5]} and {subjects[(i + 2) % 5]} for customs {i % 7}",
                "tags": [subjects[i % 3].split()[0], "border"],
                "label": ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT"][i % 4],
            }
        )
        for i in range(count)
    ]
    return "\n".join(lines)


async def test_an_import_files_the_same_index_as_the_row_triggers(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Postings and counts filed a batch at a time equal, row for row, what the per-row triggers
    file for the same import, on a library that already holds resources and counts the past
    (a removed resource's terms stay counted at 0, with their highest impact ever)."""
    await _import(db, clock, _library(11), ".jsonl")
    async with db.transaction() as session:
        await session.execute(sa.delete(Resource).where(Resource.url == "https://lib.example/3"))
    monkeypatch.setattr(transfer, "BATCH", 7)  # several batches, the last one short
    index = {}
    for filing in (_row_by_row, filed.filing_in_bulk):
        monkeypatch.setattr(filed, "filing_in_bulk", filing)
        with pytest.raises(_Undone):
            async with db.transaction() as session:
                records = transfer.read_records(_library(40), ".jsonl")
                report = await transfer.import_records(session, G, records, now=clock.now())
                assert (report.added, report.unchanged) == (30, 10)
                index[filing] = await _index(session)
                raise _Undone
    postings, counts = index[filed.filing_in_bulk]
    assert len(postings) > 40 * 10 and {row[3] for row in postings} == {0, 1}  # AMBER: restricted
    assert ("", 40, 0.0) in counts
    assert index[filed.filing_in_bulk] == index[_row_by_row]
    assert await _indexes(db) == INDEXES  # rebuilt as they were (30 added to 10: see filing_in_bulk)


INDEXES = {"ix_resource_terms_lookup"}


async def _indexes(db: Database) -> set[str]:
    """The postings' secondary indexes."""
    async with db.engine.connect() as connection:
        names = await connection.run_sync(lambda c: sa.inspect(c).get_indexes(filed.TERMS))
    return {index["name"] for index in names if index["name"]}


@asynccontextmanager
async def _row_by_row(session: AsyncSession, _adding: int = 0) -> AsyncIterator[filed.Filing]:
    """The triggers file every row (as before 0018)."""
    yield filed.Filing(session, "none")


async def test_an_import_that_fails_midway_files_nothing_and_leaves_the_triggers_on(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 5)
    original, calls = transfer._insert, []

    async def fail_on_the_third_batch(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        await original(*args)

    monkeypatch.setattr(transfer, "_insert", fail_on_the_third_batch)
    async with db.transaction() as session:
        before = await _index(session)
    with pytest.raises(RuntimeError, match="disk full"):
        await _import(db, clock, _library(20), ".jsonl")
    async with db.transaction() as session:
        assert await _index(session) == before == ([], [("", 0, 0.0)])
        assert await session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 0
        deferred = sa.table(filed.DEFERRED)
        assert await session.scalar(sa.select(sa.func.count()).select_from(deferred)) == 0
    assert await _indexes(db) == INDEXES
    async with db.transaction() as session:  # the insert trigger files what the ORM adds
        session.add(Resource(guild_id=G, title="Orphan source recovery", url="https://o.example"))
    async with db.transaction() as session:
        postings, counts = await _index(session)
    assert {p[1] for p in postings} >= {"orphan", "sourc", "recoveri"} and ("", 1, 0.0) in counts


async def test_a_reimport_updates_many_entries_their_tags_and_postings(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 4)  # the changed rows are read a few at a time
    await _import(db, clock, _library(10), ".jsonl")
    changed = _library(10).replace('"border"', '"frontier"').replace("customs", "police")
    report = await _import(db, clock, changed, ".jsonl")
    assert (report.added, report.updated, report.unchanged) == (0, 10, 0)
    async with db.transaction() as session:
        assert ("frontier", 10) in await resources.tag_names(session, G, verified=True)
        assert ("border", 10) not in await resources.tag_names(session, G, verified=True)
        postings, _counts = await _index(session)
    terms = {p[1] for p in postings}
    assert "polic" in terms and "custom" not in terms
