"""Ranked search internals: text analysis, postings kept by the database, pruning that changes
nothing, the same scores on every engine."""

from __future__ import annotations

import dataclasses
import random

import pytest
import sqlalchemy as sa

from bot.clock import FrozenClock
from bot.db import Database, analysis, postings, ranking, resident
from bot.services import resources
from bot.services.resources import glossary, searching

pytestmark = pytest.mark.engines  # ranking and postings written per dialect

G, MOD = 1, 100


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("NSS 22-G", "nss22g"),
        ("NSS No. 22-G", "nss22g"),
        ("Nuclear Security Series No. 22-G", "nss22g"),
        ("collection Sécurité nucléaire de l'AIEA n° 22-G", "nss22g"),
        ("Nuclear Security Series No. 15", "nss15"),
        ("INFCIRC/225/Rev.5", "infcirc225"),
        ("INFCIRC 225", "infcirc225"),
        ("IAEA-TECDOC-1312", "tecdoc1312"),
        ("SSR-6", "ssr6"),
        ("GSR Part 7", "gsr7"),
        ("ANSI N42.35", "n4235"),
    ],
)
def test_identifiers_are_kept_whole(text: str, term: str) -> None:
    assert term in analysis.terms_of(text)


def test_stop_words_go_and_both_languages_stem_alike() -> None:
    assert analysis.terms_of("the detection of the sources") == ["detect", "sourc"]
    assert analysis.terms_of("la détection des sources") == ["detect", "sourc"]
    assert analysis.stem("détecteurs") == analysis.stem("détecteur")
    assert analysis.stem("radiological") == analysis.stem("radiologique")
    terms = dict(analysis.document_terms("Portal alarm", "", "alarm at the portal"))
    assert "portal alarm" in terms and terms["portal alarm"] > terms["alarm portal"] > 0


def test_glossary_groups_join_acronyms_and_pairs_across_languages() -> None:
    built = glossary._make(dict(glossary.BUILT_IN))
    group = built.group_of(tuple(analysis.terms_of("détecteur personnel de rayonnement")))
    assert group is not None
    assert tuple(analysis.terms_of("personal radiation detector")) in group
    assert ("prd",) in group
    assert len([key for key in glossary.BUILT_IN if " " in key or key.islower()]) >= 150


async def _library(db: Database, clock: FrozenClock, count: int) -> None:
    rng = random.Random(3)
    vocabulary = [
        "alarm",
        "portal",
        "border",
        "customs",
        "detector",
        "source",
        "guide",
        "training",
        "police",
        "laboratory",
    ]
    async with db.transaction() as session:
        for i in range(count):
            words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 12)))
            fields = resources.fields(
                title_text=" ".join(rng.sample(vocabulary, 2)) + f" {i}",
                url_text=f"https://r.example/{i}",
                description_text=words,
                tags_value=rng.choice(vocabulary),
                label_text="TLP:AMBER" if i % 7 == 0 else None,
            )
            await resources.add(session, G, MOD, fields, clock.now())


@pytest.mark.parametrize("query", ["alarm", "portal alarm", "customs police laboratory guide", "dete"])
@pytest.mark.parametrize("verified", [False, True])
async def test_pruning_ranks_exactly_as_scoring_every_match(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, query: str, verified: bool
) -> None:
    await _library(db, clock, 150)
    monkeypatch.setattr(ranking, "SCORE_ALL_BELOW", 0)
    async with db.sessions() as session:
        found = searching.plan(query, await glossary.load(session, G))
        scored, _unknown = await searching._scored(session, found)
        results = []
        for page in (10, None):
            sql, params = ranking.ranked_statement(scored, verified, page)
            hits = ranking.hits(sql, {**params, "guild": G})
            statement = sa.select(hits.c.id, hits.c.score).order_by(hits.c.score.desc(), hits.c.id.desc())
            rows = await session.execute(statement.limit(10))
            results.append([(row.id, round(row.score, 6)) for row in rows])
    assert results[0] == results[1] and len(results[0]) == 10


async def test_postings_follow_edits_labels_and_deletes(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        fields = resources.fields(
            title_text="Orphan source search",
            url_text="https://o.example/1",
            description_text="",
            tags_value="",
        )
        row = await resources.add(session, G, MOD, fields, clock.now())

    async def terms() -> dict[str, int]:
        async with db.sessions() as session:
            found = await session.execute(sa.text("SELECT term, restricted FROM resource_terms"))
            return {str(term): int(restricted) for term, restricted in found}

    async def docs(term: str) -> int:
        async with db.sessions() as session:
            found = await session.scalar(
                sa.text("SELECT docs FROM resource_term_stats WHERE term = :t"), {"t": term}
            )
            return int(found or 0)

    assert {"orphan", "sourc", "orphan sourc"} <= set(await terms())
    assert await docs("orphan") == 1 and await docs("") == 1
    async with db.transaction() as session:
        await resources.edit(
            session,
            G,
            MOD,
            str(row.id),
            resources.Edit(title="Sealed source", label="TLP:AMBER"),
            clock.now(),
        )
    after = await terms()
    assert "orphan" not in after and after["seal"] == 1
    assert await docs("orphan") == 0 and await docs("seal") == 1
    async with db.transaction() as session:
        await resources.remove(session, G, MOD, row.id)
    assert await terms() == {} and await docs("") == 0


@pytest.mark.parametrize(
    "query", ["alarm", "portal alarm", "customs police laboratory guide", "sourc detector"]
)
@pytest.mark.parametrize("held", [True, False])
async def test_search_pages_are_those_of_scoring_every_match(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, query: str, held: bool
) -> None:
    """Whichever way a page is found (from memory, ``bot.db.resident``; in SQL, the best postings
    of each term when their bound proves it, pruned scoring otherwise), it is the page that scoring
    every match gives, ties to the newest."""
    await _library(db, clock, 150)
    if not held:

        def no_view(*_args: object) -> None:
            return None

        monkeypatch.setattr(resident, "view_at", no_view)
    monkeypatch.setattr(ranking, "SCORE_ALL_BELOW", 0)
    for budget in (1, 60, 100_000):
        monkeypatch.setattr(searching, "CAPPED_POSTINGS", budget)
        for limit in (5, 12):
            async with db.sessions() as session:
                found = searching.plan(query, await glossary.load(session, G))
                scored, _unknown = await searching._scored(session, found)
                sql, params = ranking.ranked_statement(scored, False, None)
                hits = ranking.hits(sql, {**params, "guild": G})
                every = sa.select(hits.c.id).order_by(hits.c.score.desc(), hits.c.id.desc()).limit(limit)
                expected = list(await session.scalars(every))
                result = await searching.search(session, G, query, verified=False, limit=limit)
            assert [hit.id for hit in result.hits] == expected, (budget, limit)


@pytest.mark.parametrize("query", ["alarm", "portal alarm", "customs police laboratory guide", "dete"])
@pytest.mark.parametrize("verified", [False, True])
async def test_a_known_floor_ranks_exactly_as_scoring_every_match(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, query: str, verified: bool
) -> None:
    """Given a score the page is known to reach (the page's own last score, or a lower one), the
    split statement (essential terms read whole, the others looked up) gives the same page."""
    await _library(db, clock, 150)
    monkeypatch.setattr(ranking, "SCORE_ALL_BELOW", 0)
    page = 10
    async with db.sessions() as session:
        found = searching.plan(query, await glossary.load(session, G))
        scored, _unknown = await searching._scored(session, found)

        async def top(sql: str, params: dict[str, object]) -> list[tuple[int, float]]:
            hits = ranking.hits(sql, {**params, "guild": G})
            statement = sa.select(hits.c.id, hits.c.score).order_by(hits.c.score.desc(), hits.c.id.desc())
            return [(row.id, float(row.score)) for row in await session.execute(statement.limit(page))]

        every = await top(*ranking.ranked_statement(scored, verified, None))
        assert len(every) == page
        for floor in (every[-1][1], every[-1][1] / 2, 0.0):
            pruned = await top(*ranking.ranked_statement(scored, verified, page, floor))
            assert [(i, round(score, 6)) for i, score in pruned] == [
                (i, round(score, 6)) for i, score in every
            ], floor


async def test_without_memory_search_still_ranks_in_sql(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL path (a database without the token) is what the test above compares when not held:
    make sure it is the one taken then."""
    await _library(db, clock, 30)
    called: list[bool] = []
    original = ranking.capped_statement

    def capped(*args: object, **kwargs: object) -> object:
        called.append(True)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ranking, "capped_statement", capped)
    monkeypatch.setattr(ranking, "SCORE_ALL_BELOW", 0)
    monkeypatch.setattr(resident, "view_at", lambda *_args: None)
    async with db.sessions() as session:
        await searching.search(session, G, "alarm", verified=False)
    assert called


async def test_a_resource_answering_more_of_the_question_ranks_first(
    db: Database, clock: FrozenClock
) -> None:
    """The question has two concepts the library holds ("portal monitor alarm", a glossary phrase,
    and "ceramics"). The portal monitor guide holds more of its words, but only the first concept:
    it keeps half its sum, and the NORM guide, which holds both, comes first."""
    rows = [
        ("Portal monitor alarm response", "", "Steps to follow."),
        ("NORM in cargo: ceramics", "norm", "Ceramics and granite set off alarms."),
        *((f"Portal monitor checks {i}", "", "Daily checks.") for i in range(6)),
        *((f"Border guide {i}", "border", "Training for border officers.") for i in range(12)),
    ]
    async with db.transaction() as session:
        for i, (title, tags, description) in enumerate(rows):
            fields = resources.fields(
                title_text=title,
                url_text=f"https://c.example/{i}",
                description_text=description,
                tags_value=tags,
            )
            await resources.add(session, G, MOD, fields, clock.now())
    query = "what to do when a portal monitor alarms on a truck carrying ceramics"
    async with db.sessions() as session:
        found = searching.plan(query, await glossary.load(session, G))
        scored, _unknown = await searching._scored(session, found)
        # the sums alone (terms for no concept) would put the portal monitor guide first
        plain = [dataclasses.replace(s, concept=None) for s in scored]
        sql, params = ranking.ranked_statement(plain, False, None)
        hits = ranking.hits(sql, {**params, "guild": G})
        by_sum = await session.scalars(sa.select(hits.c.id).order_by(hits.c.score.desc()).limit(1))
        titles = [hit.title for hit in (await searching.search(session, G, query, verified=False)).hits]
    assert ranking.concepts(s.concept for s in scored) == 2
    assert by_sum.one() == 1
    assert titles[:2] == ["NORM in cargo: ceramics", "Portal monitor alarm response"]


async def test_an_unfinished_words_range_reads_single_words_only(db: Database, clock: FrozenClock) -> None:
    """The terms an unfinished word may be are read through the index of single words (0019),
    not through a range of the pairs that begin with them as well."""
    async with db.transaction() as session:
        for n, text in enumerate(["standard procedure", "standard sheet", "standards review", "stand by"]):
            fields = resources.fields(
                title_text=text, url_text=f"https://s.example/{n}", description_text="", tags_value=""
            )
            await resources.add(session, G, MOD, fields, clock.now())
    statement = ranking.statistics_statement(["standard"], "standar")
    async with db.sessions() as session:
        found = {str(term) for term, _docs, _top in await session.execute(statement)}
        assert found == {"", "standard", "stand"}  # stems; no pair ("standard procedur", ...)
        sql = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        if session.get_bind().dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1]) for row in await session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))
            )
        else:  # a table this small is read whole unless told otherwise
            await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(row[0]) for row in await session.execute(sa.text(f"EXPLAIN {sql}")))
    assert postings.WORDS_INDEX in plan, plan
