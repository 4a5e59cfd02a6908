"""Resource library services against a real SQLite database: search, curation, labels, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit, resources
from bot.services.resources import glossary, suggestions
from bot.services.resources.catalog import Edit

pytestmark = pytest.mark.engines  # search and did-you-mean written per dialect

G, OTHER, MOD, MEMBER = 1, 2, 100, 200

LIBRARY = [
    (
        "IAEA Nuclear Security Series 15: material out of regulatory control",
        "https://example.org/nss15",
        "Guidance on detection of and response to MORC",
        "guidance, morc",
        "en",
    ),
    (
        "Guide de détection aux frontières",
        "https://example.org/fr-detection",
        "Détection des matières nucléaires aux postes frontières",
        "frontière, détection",
        "fr",
    ),
    (
        "RIID operating sheet",
        "https://example.org/riid",
        "How to run a radionuclide identification device",
        "riid, equipment",
        "en",
    ),
    (
        "Radiation portal monitor alarms",
        "https://example.org/rpm-alarms",
        "Adjudicating alarms of portal monitors at borders",
        "rpm, border",
        "en",
    ),
    (
        "Personal dosimetry basics",
        "https://example.org/dosimetry",
        "Dosimetry for first responders",
        "dosimetry",
        "en",
    ),
    ("ICSANT implementation kit", "https://example.org/icsant", "Legislative assistance kit", "law", "en"),
]


async def _seed(db: Database, clock: FrozenClock, guild: int = G, label: str | None = None) -> list[int]:
    ids = []
    async with db.transaction() as session:
        for title, url, description, tags, language in LIBRARY:
            fields = resources.fields(
                title_text=title,
                url_text=url,
                description_text=description,
                tags_value=tags,
                language_text=language,
                label_text=label,
            )
            ids.append((await resources.add(session, guild, MOD, fields, clock.now())).id)
    return ids


async def _titles(db: Database, text: str, *, guild: int = G, verified: bool = False, **kw: str) -> list[str]:
    async with db.transaction() as session:
        result = await resources.search(session, guild, text, verified=verified, **kw)
    return [hit.title for hit in result.hits]


async def test_ranking_prefers_title_matches(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    titles = await _titles(db, "dosimetry")
    assert titles == ["Personal dosimetry basics"]
    titles = await _titles(db, "alarms")
    assert titles[0] == "Radiation portal monitor alarms"


async def test_accents_and_case_are_ignored(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    # Both words first; a resource holding one of them (partial match) after it.
    assert await _titles(db, "DETECTION frontieres") == [
        "Guide de détection aux frontières",
        "IAEA Nuclear Security Series 15: material out of regulatory control",
    ]
    assert "Guide de détection aux frontières" in await _titles(db, "détection")


async def test_prefixes_match_while_typing(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    assert await _titles(db, "dosim") == ["Personal dosimetry basics"]
    assert await _titles(db, "portal mon") == ["Radiation portal monitor alarms"]


async def test_typos_are_corrected_with_did_you_mean(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    async with db.transaction() as session:
        result = await resources.search(session, G, "dosimetery", verified=False)
        assert [h.title for h in result.hits] == ["Personal dosimetry basics"]
        assert result.corrected == "dosimetry"
        result = await resources.search(session, G, "portal monitr", verified=False)
        assert result.corrected == "portal monitor"
        assert result.hits[0].title == "Radiation portal monitor alarms"
        nothing = await resources.search(session, G, "zzqxv", verified=False)
        assert nothing.hits == [] and nothing.corrected is None


async def test_a_misspelt_last_word_is_corrected_though_it_continues_a_known_stem(
    db: Database, clock: FrozenClock
) -> None:
    """``dosimetery`` continues ``dosimet`` (the stem of ``dosimeters``) by 3 letters: it is still a
    misspelling, corrected to ``dosimetry``, whose French pair then finds the French guide; a word
    being typed (``dosim``) still completes without a correction."""
    await _seed(db, clock)
    async with db.transaction() as session:
        for title, description, language in (
            ("Electronic dosimeters compared", "Dosimetry for field teams", "en"),
            ("Dosimétrie des primo-intervenants", "Limites de dose", "fr"),
        ):
            fields = resources.fields(
                title_text=title,
                url_text=f"https://example.org/{len(title)}",
                description_text=description,
                tags_value="",
                language_text=language,
                label_text=None,
            )
            await resources.add(session, G, MOD, fields, clock.now())
        result = await resources.search(session, G, "dosimetery", verified=False)
        assert result.corrected == "dosimetry"
        assert {"Personal dosimetry basics", "Dosimétrie des primo-intervenants"} <= {
            h.title for h in result.hits
        }
        typing = await resources.search(session, G, "dosim", verified=False)
        assert typing.corrected is None and len(typing.hits) == 3


async def test_acronyms_and_expansions_find_each_other(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    assert "Radiation portal monitor alarms" in await _titles(db, "RPM")
    assert "RIID operating sheet" in await _titles(db, "radionuclide identification device")
    assert await _titles(db, "riid") == ["RIID operating sheet"]
    # The server's own glossary: a new acronym finds its expansion.
    assert (await _titles(db, "MORC"))[0] == (
        "IAEA Nuclear Security Series 15: material out of regulatory control"
    )
    async with db.transaction() as session:
        await glossary.define(session, G, MOD, "LAK", "legislative assistance kit", clock.now())
    assert await _titles(db, "LAK") == ["ICSANT implementation kit"]
    async with db.transaction() as session:
        await glossary.forget(session, G, MOD, "LAK", clock.now())
        await glossary.forget(session, G, MOD, "RPM", clock.now())
        assert "RPM" not in (await glossary.load(session, G)).entries
        assert "RPM" in (await glossary.load(session, OTHER)).entries
        with pytest.raises(NotFound):
            await glossary.forget(session, G, MOD, "RPM", clock.now())
    assert await _titles(db, "LAK") == []


async def test_filters_by_tag_and_language(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    assert await _titles(db, "detection", language="fr") == ["Guide de détection aux frontières"]
    assert await _titles(db, "detection", tag="morc") == [LIBRARY[0][0]]
    async with db.transaction() as session:
        tags = await resources.tag_names(session, G, verified=False)
    assert ("riid", 1) in tags and len(tags) == 10


async def test_amber_is_seen_only_by_verified_members(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock, label="TLP:AMBER")
    assert await _titles(db, "dosimetry") == []
    assert await _titles(db, "dosimetry", verified=True) == ["Personal dosimetry basics"]
    async with db.transaction() as session:
        assert await resources.autocomplete(session, G, "", verified=False) == []
        assert len(await resources.autocomplete(session, G, "", verified=True)) == len(LIBRARY)
        assert await resources.tag_names(session, G, verified=False) == []
        with pytest.raises(NotFound):
            await resources.show(session, G, "Personal dosimetry basics", verified=False)
        # "Did you mean" never leaks words of what the member may not see.
        hidden = await resources.search(session, G, "dosimetery", verified=False)
        assert hidden.corrected is None


async def test_servers_are_isolated(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    assert await _titles(db, "dosimetry", guild=OTHER) == []
    async with db.transaction() as session:
        assert await resources.autocomplete(session, OTHER, "dos", verified=True) == []
        with pytest.raises(NotFound):
            await resources.show(session, OTHER, "1", verified=True)
        assert (await resources.stats(session, OTHER))["resource.stats.count"] == 0
    await _seed(db, clock, guild=OTHER)  # the same urls are fine in another server


async def test_autocomplete_is_bounded_and_takes_ids(db: Database, clock: FrozenClock) -> None:
    ids = await _seed(db, clock)
    async with db.transaction() as session:
        for i in range(40):
            fields = resources.fields(
                title_text=f"Extra guide {i}",
                url_text=f"https://x.org/{i}",
                description_text="",
                tags_value="",
            )
            await resources.add(session, G, MOD, fields, clock.now())
        assert len(await resources.autocomplete(session, G, "guide", verified=False)) == 25
        assert len(await resources.autocomplete(session, G, "", verified=False)) == 25
        by_id = await resources.autocomplete(session, G, str(ids[2]), verified=False)
        assert by_id[0].title == "RIID operating sheet"
        assert [h.title for h in await resources.autocomplete(session, G, "ICS", verified=False)] == [
            "ICSANT implementation kit"
        ]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"url_text": "ftp://example.org/x"}, "resource.bad_url"),
        ({"url_text": "javascript:alert(1)"}, "resource.bad_url"),
        ({"url_text": "https://"}, "resource.bad_url"),
        ({"title_text": "   "}, "error.required"),
        ({"title_text": "x" * 201}, "error.too_long"),
        ({"description_text": "x" * 1001}, "error.too_long"),
        ({"tags_value": ",".join(f"t{i}" for i in range(11))}, "resource.too_many_tags"),
        ({"language_text": "de"}, "error.bad_language"),
        ({"label_text": "TLP:RED"}, "label.red_refused"),
    ],
)
def test_validation_refuses_bad_input(kwargs: dict[str, str], key: str) -> None:
    values = {"title_text": "T", "url_text": "https://e.org", "description_text": "", "tags_value": ""}
    with pytest.raises(Invalid) as caught:
        resources.fields(**{**values, **kwargs})
    assert caught.value.key == key


def test_tags_are_normalised_and_urls_kept() -> None:
    fields = resources.fields(
        title_text="  A   title ",
        url_text="https://Example.org/Path?q=1#X",
        description_text=" d ",
        tags_value=" RIID, riid ,Border  Security,, #Law",
        language_text="Français",
    )
    assert fields.tags == ("riid", "border security", "law")
    assert fields.url == "https://Example.org/Path?q=1#X"
    assert (fields.title, fields.language, fields.label) == ("A title", "fr", "TLP:GREEN")


async def test_duplicate_urls_are_refused_with_a_pointer(db: Database, clock: FrozenClock) -> None:
    ids = await _seed(db, clock)
    fields = resources.fields(title_text="Again", url_text=LIBRARY[0][1], description_text="", tags_value="")
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as session:
            await resources.add(session, G, MOD, fields, clock.now())
    assert caught.value.key == "resource.duplicate_url" and caught.value.params["id"] == ids[0]


async def test_edit_show_remove_and_audit(db: Database, clock: FrozenClock) -> None:
    ids = await _seed(db, clock)
    clock.advance(timedelta(days=3))
    async with db.transaction() as session:
        row, changed = await resources.edit(
            session,
            G,
            MOD,
            str(ids[4]),
            Edit(title="Dosimetry for responders", tags="Dosimetry, PPE"),
            clock.now(),
        )
        assert changed == ["tags", "title"] and row.verified_at == clock.now()
        with pytest.raises(Conflict):
            await resources.edit(session, G, MOD, str(ids[4]), Edit(url=LIBRARY[0][1]), clock.now())
    assert await _titles(db, "ppe") == ["Dosimetry for responders"]
    assert await _titles(db, "dosimetry", tag="ppe") == ["Dosimetry for responders"]
    async with db.transaction() as session:
        shown = await resources.show(session, G, "dosimetry for RESPONDERS", verified=False)
        assert shown.views == 1
        await resources.show(session, G, f"#{ids[4]}", verified=False)
        assert (await resources.stats(session, G))["resource.stats.views"] == 2
        assert await resources.remove(session, G, MOD, ids[4]) == "Dosimetry for responders"
    assert await _titles(db, "dosimetry") == []
    async with db.transaction() as session:
        actions = [line.action for line in await audit.recent(session, G)]
    assert actions[:2] == ["resource.remove", "resource.edit"]
    assert actions.count("resource.add") == len(LIBRARY)


async def test_suggestion_review_flow(db: Database, clock: FrozenClock) -> None:
    await _seed(db, clock)
    fields = resources.fields(
        title_text="Crime scene checklist",
        url_text="https://example.org/csi",
        description_text="Nuclear forensics at the scene",
        tags_value="forensics",
    )
    async with db.transaction() as session:
        first = await suggestions.suggest(session, G, MEMBER, fields, clock.now())
        with pytest.raises(Conflict):
            await suggestions.suggest(session, G, MEMBER + 1, fields, clock.now())
        second = await suggestions.suggest(
            session,
            G,
            MEMBER,
            resources.fields(
                title_text="Spam", url_text="https://spam.example", description_text="", tags_value=""
            ),
            clock.now(),
        )
        assert (await resources.stats(session, G))["resource.stats.pending"] == 2
        assert [s.id for s in await suggestions.queue(session, G)] == [first.id, second.id]
        assert await suggestions.queue(session, OTHER) == []
    assert await _titles(db, "forensics") == []
    async with db.transaction() as session:
        resource, outcome = await suggestions.approve(session, G, MOD, first.id, clock.now())
        assert outcome.approved and outcome.suggested_by == MEMBER and resource.suggested_by == MEMBER
        rejected = await suggestions.reject(session, G, MOD, second.id, "Off topic", clock.now())
        assert not rejected.approved and rejected.reason == "Off topic"
        with pytest.raises(Conflict):
            await suggestions.approve(session, G, MOD, second.id, clock.now())
        with pytest.raises(NotFound):
            await suggestions.reject(session, OTHER, MOD, first.id, "x", clock.now())
    assert await _titles(db, "forensics") == ["Crime scene checklist"]


async def test_export_and_erase_member(db: Database, clock: FrozenClock) -> None:
    fields = resources.fields(
        title_text="Mine", url_text="https://example.org/mine", description_text="", tags_value=""
    )
    async with db.transaction() as session:
        approved = await suggestions.suggest(session, G, MEMBER, fields, clock.now())
        await suggestions.approve(session, G, MOD, approved.id, clock.now())
        await suggestions.suggest(
            session,
            G,
            MEMBER,
            resources.fields(
                title_text="Pending secret",
                url_text="https://example.org/p",
                description_text="my words",
                tags_value="",
            ),
            clock.now(),
        )
        exported = await resources.export_member(session, G, MEMBER)
        assert [s["title"] for s in exported["suggestions"]] == ["Mine", "Pending secret"]
        assert exported["resources"][0]["suggested"] is True
        assert (await resources.export_member(session, OTHER, MEMBER))["suggestions"] == []
        await resources.erase_member(session, G, MEMBER)
        await resources.erase_member(session, G, MOD)
    async with db.transaction() as session:
        after = await resources.export_member(session, G, MEMBER)
        assert after == {"suggestions": [], "resources": [], "glossary_entries_edited": []}
        from sqlalchemy import text

        dump = [tuple(r) for r in await session.execute(text("SELECT * FROM resource_suggestions"))]
        dump += [tuple(r) for r in await session.execute(text("SELECT * FROM resources"))]
        assert all(MEMBER not in row and MOD not in row for row in dump)
        assert all("Pending secret" not in row for row in dump)
    assert await _titles(db, "mine") == ["Mine"]


async def test_every_match_is_ranked_whatever_the_limit_and_filters(db: Database, clock: FrozenClock) -> None:
    """The oldest of 40 matches, the best one, comes first: ranking is over every match, the same
    order for every limit, and filters keep that order."""
    from bot.services.resources import searching

    async with db.transaction() as session:
        for i in range(40):
            title = "Guide guide guide" if i == 0 else f"Guide number {i}"
            fields = resources.fields(
                title_text=title,
                url_text=f"https://g.example/{i}",
                description_text="",
                tags_value="old" if i < 3 else "new",
            )
            await resources.add(session, G, MOD, fields, clock.now())

    async def titles(limit: int, **kw: str) -> list[str]:
        async with db.transaction() as session:
            result = await searching.search(session, G, "guide", verified=False, limit=limit, **kw)
        return [h.title for h in result.hits]

    full = await titles(100)
    assert len(full) == 40 and full[0] == "Guide guide guide"
    assert await titles(3) == full[:3]
    assert await titles(25) == full[:25]
    assert all("number" in t for t in await titles(25, tag="new"))
    assert (await titles(25, tag="old"))[0] == "Guide guide guide"
