"""``liaison transfer``: a SQLite community filled through the real services is copied into an empty
database (SQLite, and PostgreSQL when the suite has one) and checked table by table."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.clock import FrozenClock
from bot.db import Database, migrate, transfer
from bot.db.models import AuditEntry, BotState
from bot.db.models.events import TARGET_CHANNEL, TARGET_DM, Reminder
from bot.db.models.resources import Resource
from bot.services import (
    events,
    experts,
    guild_settings,
    member_prefs,
    notices,
    permission_notices,
    qa,
    reminders,
    resources,
)
from bot.services.events import EventInput
from bot.services.exercises import Caller, access, records, running
from bot.services.experts import ProfileInput
from bot.services.guild_settings import SetupChange
from bot.services.learn import certificates, cohorts, courses, walk
from bot.services.member_prefs import PrefsChange
from bot.services.qa import AnswerRef, AskInput
from bot.services.reminders.batches import add_deliveries
from bot.services.resources import glossary, suggestions
from tests.databases import copy_sqlite

pytestmark = pytest.mark.engines  # transfer between engines, each engine's own tables

G, MOD, MEMBER, EXPERT, QA_CHANNEL, EVENTS_CHANNEL, THREAD = 1, 100, 200, 300, 50, 60, 1000
PORTAL = "How do you adjudicate an innocent alarm at a radiation portal monitor?"
SCENARIO = (Path(__file__).resolve().parents[2] / "bot/exercises/scenarios/border_source.yaml").read_bytes()
COURSE = """\
id: detection-basics
title: {en: Detection basics, fr: Bases de la détection}
languages: [en, fr]
pre_test:
  questions:
    - question: {en: "Which unit measures dose?", fr: "Quelle unité mesure la dose ?"}
      options: [Sievert, Becquerel]
      correct: 1
      explanation: {en: "The sievert.", fr: "Le sievert."}
modules:
  - title: {en: Units, fr: Unités}
    lessons:
      - title: {en: Dose, fr: Dose}
        text: {en: "Dose is measured in sieverts.", fr: "La dose se mesure en sieverts."}
"""


def _fields(title: str, url: str, tags: str) -> resources.Fields:
    return resources.fields(
        title_text=title, url_text=url, description_text=f"{title}: détails", tags_value=tags
    )


async def fill(db: Database, now: datetime) -> None:
    """At least one row in every table, written by the services that own them."""
    async with db.transaction() as s:
        await guild_settings.update(
            s, G, MOD, SetupChange(qa_channel_id=QA_CHANNEL, events_channel_id=EVENTS_CHANNEL)
        )
        await member_prefs.update(s, G, MEMBER, PrefsChange(language="fr", dm_reminders=False))
        await notices.leave(s, G, MEMBER, "reminders.dm_closed", title="Réunion", extra={"b": [1, None]})
        s.add(BotState(key="command_hash:1", value="abc"))
        await resources.add(
            s, G, MOD, _fields("Radiation portal monitor alarms", "https://e.org/rpm", "rpm"), now
        )
        await resources.add(s, G, MOD, _fields("Guide de détection", "https://e.org/fr", "frontière"), now)
        await suggestions.suggest(s, G, MEMBER, _fields("RIID sheet", "https://e.org/riid", "riid"), now)
        await glossary.define(s, G, MOD, "RPM", "radiation portal monitor", now)
    async with db.transaction() as s:
        profile = ProfileInput(
            "Customs", "FR", "radiation portal monitor", "en, fr", "Europe/London", "Bio", "members"
        )
        await experts.register(s, G, EXPERT, profile, consent_text="I agree", now=now)
    async with db.transaction() as s:
        data = EventInput(title="Tabletop", start="2026-03-25 14:00", timezone="Europe/Paris", capacity=1)
        event = (await events.create(s, G, MOD, data, now)).event
        await events.rsvp(s, G, event.id, MEMBER, "going", now)
        await events.rsvp(s, G, event.id, EXPERT, "going", now)  # full: waiting
        await reminders.remind(s, G, MEMBER, "in 2h", "call the lab", now)
        first = await s.scalar(sa.select(Reminder).order_by(Reminder.id).limit(1))
        assert first is not None
        add_deliveries(s, first, [(TARGET_CHANNEL, EVENTS_CHANNEL), (TARGET_DM, MEMBER)])
    async with db.transaction() as s:
        clean = qa.validate(AskInput(question=PORTAL, topic="border monitoring"))
        asked = await qa.ask(
            s, G, clean, author_id=MEMBER, language="en", channel_id=QA_CHANNEL,
            thread_id=THREAD, starter_message_id=THREAD, now=now,
        )  # fmt: skip
        assert asked.experts == [EXPERT]
        answer = AnswerRef(5001, EXPERT, "Check the spectrum with a RIID: potassium-40.")
        await qa.solve(s, G, THREAD, actor_id=MEMBER, is_moderator=False, answer=answer, now=now)
        await qa.take_digest(s, G, now)
        await qa.quoted(s, G, [asked.question.id], "digest", QA_CHANNEL, 5002)
        await permission_notices.record(s, G, QA_CHANNEL, {"create_public_threads": "qa"}, now)
    await fill_history(db, now)
    await fill_learn(db, now, event.id)
    await fill_exercise(db, now)


async def fill_history(db: Database, now: datetime) -> None:
    """An edited and a removed resource: what the search index's triggers and counts have seen go."""
    async with db.transaction() as s:
        await resources.edit(s, G, MOD, "Guide de détection", resources.Edit(description="Spectres"), now)
        gone = await resources.add(
            s, G, MOD, _fields("Neutron backpack survey", "https://e.org/gone", "neutron"), now
        )
    async with db.transaction() as s:
        await resources.remove(s, G, MOD, gone.id)


async def fill_learn(db: Database, now: datetime, event_id: int) -> None:
    """A course walked to the end (an answer, a certificate) and assigned to the event (a cohort)."""
    async with db.transaction() as s:
        course_id = (await courses.load(s, G, MOD, COURSE, now)).course_id
        view = await walk.start(s, G, MEMBER, str(course_id), "fr", now, verified=False)
        while not view.completed:
            action = walk.ANSWER if view.kind == "question" and view.answered is None else walk.NEXT
            choices = [0] if action == walk.ANSWER else None
            view = await walk.act(
                s, G, MEMBER, course_id, action, view.position, "fr", now, verified=False, choices=choices
            )
        await certificates.issue(s, G, MEMBER, str(course_id), "Membre", now, verified=False)
        await cohorts.assign(s, G, MOD, str(course_id), str(event_id), "en")
        assert [task.user_id for task in await cohorts.due(s, now, G)] == [MEMBER]


async def fill_exercise(db: Database, now: datetime) -> None:
    """An exercise played and ended: members, teams, injects and their deliveries, a decision, an
    observation and a hot-wash answer."""
    facilitator = Caller(MOD, moderator=True, verified=True)
    async with db.transaction() as s:
        reference = str((await access.load(s, G, facilitator, SCENARIO, EVENTS_CHANNEL, now)).exercise_id)
        await access.assign(s, G, facilitator, reference, MEMBER, "Customs", "player", member_verified=False)
        plan = await running.plan_start(s, G, facilitator, reference)
        threads = {team.name: 2000 + number for number, team in enumerate(plan.teams)}
        await running.start(s, G, facilitator, reference, 60, threads, 2100, now)
        await records.decide(s, G, Caller(MEMBER), threads["Customs"], "Stop the truck", now)
        await records.observe(s, G, facilitator, reference, "Cordon too small", now, rating="partly")
        await running.end(s, G, facilitator, reference, now)
        await records.answer_hotwash(s, G, Caller(MEMBER), int(reference), "Customs", ["Fast"], now)


@pytest.fixture
def source_url(tmp_path: Path, migrated_template: Path) -> str:
    return copy_sqlite(migrated_template, tmp_path, "source.db")


@pytest.fixture
async def filled(source_url: str, clock: FrozenClock) -> str:
    db = Database(source_url)
    await fill(db, clock.now())
    await db.dispose()
    return source_url


@pytest.fixture
def target_url(empty_database_url: str) -> str:
    """An empty database, not even migrated: the transfer creates its schema."""
    return empty_database_url


async def digests_of(url: str) -> list[transfer.TableDigest]:
    db = Database(url)
    try:
        return await transfer.digests(db.engine)
    finally:
        await db.dispose()


async def execute(url: str, statement: sa.Executable) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(statement)
    await db.dispose()


async def test_every_table_is_copied_and_matches(filled: str, target_url: str) -> None:
    report = await transfer.transfer(filled, target_url)
    assert report.ok
    assert {c.source.table for c in report.checks} == {t.name for t in transfer.tables()}
    empty = [c.source.table for c in report.checks if c.source.rows == 0]
    assert empty == [], "fill() must put rows in every table"
    assert report.rows == sum(c.target.rows for c in report.checks) > 0
    # Computed again, independently, on both engines:
    assert await digests_of(filled) == await digests_of(target_url)
    assert (await transfer.verify(filled, target_url)).ok


async def test_search_works_and_new_rows_get_fresh_ids(filled: str, target_url: str) -> None:
    await transfer.transfer(filled, target_url)
    target = Database(target_url)
    try:
        async with target.transaction() as s:
            found = await resources.search(s, G, "portal", verified=True)
            assert [hit.title for hit in found.hits] == ["Radiation portal monitor alarms"]
            assert [hit.thread_id for hit in await qa.search(s, G, "potassium", verified=True)] == [THREAD]
            old_max = await s.scalar(sa.select(sa.func.max(Resource.id)))
            added = await resources.add(
                s, G, MOD, _fields("New", "https://e.org/new", "new"), datetime.now(UTC)
            )
        assert old_max is not None and added.id == old_max + 1
        async with target.transaction() as s:
            assert [hit.id for hit in (await resources.search(s, G, "new", verified=True)).hits] == [added.id]
    finally:
        await target.dispose()


async def count(url: str, statement: sa.Select[Any]) -> int:
    db = Database(url)
    async with db.engine.connect() as conn:
        value = await conn.scalar(statement)
    await db.dispose()
    return int(value)


async def test_sql_null_and_json_null_stay_apart(filled: str, target_url: str) -> None:
    # The services store a missing audit detail as JSON null; a row written by hand has SQL NULL.
    await execute(filled, sa.insert(AuditEntry).values(guild_id=G, action="by.hand", details=sa.null()))
    assert (await transfer.transfer(filled, target_url)).ok
    sql_nulls = sa.select(sa.func.count()).where(AuditEntry.details.is_(None))
    everything = sa.select(sa.func.count()).select_from(AuditEntry)
    assert await count(filled, sql_nulls) == await count(target_url, sql_nulls) == 1
    assert await count(filled, everything) == await count(target_url, everything) > 2


async def test_a_corrupted_row_is_a_mismatch(filled: str, target_url: str) -> None:
    await transfer.transfer(filled, target_url)
    await execute(target_url, sa.update(Resource).where(Resource.id == 1).values(title="Tampered"))
    report = await transfer.verify(filled, target_url)
    assert not report.ok
    assert [c.source.table for c in report.checks if not c.ok] == ["resources"]
    bad = next(c for c in report.checks if not c.ok)
    assert bad.source.rows == bad.target.rows and bad.source.sha256 != bad.target.sha256


def index_table(name: str) -> sa.Table:
    return next(d.table for d in transfer.DERIVED if d.table.name == name)


async def test_search_index_tables_match_with_their_history(filled: str, target_url: str) -> None:
    report = await transfer.transfer(filled, target_url)
    assert report.ok
    assert [c.source.table for c in report.derived] == ["resource_terms", "resource_term_stats"]
    assert all(c.source.rows > 0 for c in report.derived)
    # The removed resource's terms stay counted, at 0, as in the source (triggers alone drop them).
    stats = index_table("resource_term_stats")
    removed = sa.select(sa.func.count()).where(stats.c.term == "neutron", stats.c.docs == 0)
    assert await count(filled, removed) == await count(target_url, removed) == 1
    await execute(target_url, sa.update(stats).where(stats.c.term == "neutron").values(docs=1))
    checked = await transfer.verify(filled, target_url)
    assert [c.source.table for c in (*checked.checks, *checked.derived) if not c.ok] == [
        "resource_term_stats"
    ]


async def rows_of(url: str, statement: sa.Executable) -> list[tuple[Any, ...]]:
    db = Database(url)
    async with db.engine.connect() as conn:
        rows = [tuple(row) for row in await conn.execute(statement)]
    await db.dispose()
    return rows


async def test_postgres_to_postgres_keeps_the_vocabulary(
    filled: str, target_url: str, request: pytest.FixtureRequest
) -> None:
    if make_url(target_url).get_backend_name() != "postgresql":
        pytest.skip("the vocabulary table is PostgreSQL's")
    assert (await transfer.transfer(filled, target_url)).ok
    vocabulary = index_table("resources_fts_terms")
    # What the triggers counted as the copied rows arrived is what the index holds:
    indexed = sa.text("SELECT word, ndoc FROM ts_stat('SELECT document FROM resources_fts') ORDER BY word")
    counted = (
        sa.select(vocabulary.c.term, vocabulary.c.docs)
        .where(vocabulary.c.docs > 0)
        .order_by(vocabulary.c.term)
    )
    assert await rows_of(target_url, counted) == await rows_of(target_url, indexed) != []
    source = Database(target_url)
    async with source.transaction() as s:
        await resources.remove(s, G, MOD, 2)  # its words stay in the vocabulary, at 0
    await source.dispose()
    zero = sa.select(sa.func.count()).where(vocabulary.c.docs == 0)
    databases = request.getfixturevalue("postgres_databases")
    second = await databases.fresh(migrated=False)
    try:
        report = await transfer.transfer(target_url, second)
        assert report.ok
        assert [c.source.table for c in report.derived] == [d.table.name for d in transfer.DERIVED]
        assert await count(target_url, zero) == await count(second, zero) > 0
    finally:
        await databases.drop(second)


async def test_refuses_a_target_that_is_not_empty(filled: str, target_url: str) -> None:
    target = Database(target_url)
    await migrate.upgrade(target.engine)
    async with target.transaction() as s:
        await notices.leave(s, 9, 9, "other.community")
    await target.dispose()
    before = await digests_of(target_url)
    with pytest.raises(transfer.TransferError) as refused:
        await transfer.transfer(filled, target_url)
    assert refused.value.key == "transfer.target_not_empty"
    assert refused.value.params == {"tables": "notices"}
    assert await digests_of(target_url) == before


async def test_refuses_a_source_not_at_head_and_leaves_the_target_alone(filled: str, target_url: str) -> None:
    source = Database(filled)
    await migrate.downgrade(source.engine, "-1")
    await source.dispose()
    with pytest.raises(transfer.TransferError) as refused:
        await transfer.transfer(filled, target_url)
    assert refused.value.key == "transfer.source_not_at_head"
    assert refused.value.params["head"] == migrate.head()
    target = Database(target_url)
    assert await migrate.current(target.engine) is None
    await target.dispose()


async def test_a_failed_copy_leaves_the_target_empty(filled: str, target_url: str) -> None:
    # A delivery of a reminder that does not exist: the last table fails, after all the others.
    with closing(sqlite3.connect(str(make_url(filled).database))) as raw, raw:
        raw.execute(
            "INSERT INTO reminder_deliveries (guild_id, reminder_id, target, target_id, state, attempts,"
            " late) VALUES (1, 999, 'dm', 5, 'pending', 0, 0)"
        )
    with pytest.raises(transfer.TransferError) as failed:
        await transfer.transfer(filled, target_url)
    assert failed.value.key == "transfer.copy_failed"
    assert failed.value.params["table"] == "reminder_deliveries"
    assert all(d.rows == 0 for d in await digests_of(target_url))


def test_naive_datetimes_are_utc_and_types_stay_apart() -> None:
    naive, aware = datetime(2026, 3, 20, 9, 0), datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    assert transfer.normalize(naive) == transfer.normalize(aware) == ["datetime", "2026-03-20T09:00:00+00:00"]
    assert len({repr(transfer.normalize(v)) for v in (1, "1", 1.0, True, None)}) == 5
    assert transfer.normalize({"b": 1, "a": 2}, is_json=True) == ["json", '{"a":2,"b":1}']
    assert transfer.normalize(sa.JSON.NULL, is_json=True) != transfer.normalize(None, is_json=True)


async def run_cli(*args: str) -> int:
    return await asyncio.to_thread(main, ["transfer", *args])


async def test_cli_exit_codes(
    filled: str,
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", filled)
    assert await run_cli("--to", target_url) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("total") and out[-1].endswith(": ok")
    assert any(line.split()[:2] == ["resources", "2"] and line.endswith(" ok") for line in out)

    assert await run_cli("--to", target_url) == 2
    err = capsys.readouterr().err
    assert err.startswith("liaison: the target database is not empty") and err.count("\n") == 1

    assert await run_cli("--check", "--to", target_url) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(": ok")
    await execute(target_url, sa.delete(BotState))
    assert await run_cli("--check", "--from", filled, "--to", target_url) == 1
    report = capsys.readouterr().out
    assert "bot_state" in report and "MISMATCH (target: 0 rows" in report
    assert report.splitlines()[-1].endswith(": 1 table(s) MISMATCH")


async def test_cli_refuses_a_source_not_at_head(
    source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    source = Database(source_url)
    await migrate.downgrade(source.engine, "base")
    await source.dispose()
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
    assert await run_cli("--from", source_url, "--to", target) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "liaison db upgrade" in err
    assert await run_cli("--from", source_url, "--to", "sqlite:///plain.db") == 2
