"""Expert directory services: registration, matching and ranking, visibility, routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import MemberSettings
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit, experts
from bot.services.experts import ProfileInput

G = 1
# START (conftest) is Friday 2026-03-20 09:00 UTC: working hours in London, night in Los Angeles.
LONDON, NIGHT = "Europe/London", "America/Los_Angeles"


async def add(
    db: Database,
    clock: FrozenClock,
    user_id: int,
    expertise: str,
    *,
    languages: str = "en",
    country: str = "FR",
    agency: str = "Customs",
    timezone: str = LONDON,
    visibility: str = "members",
    guild_id: int = G,
) -> experts.ExpertCard:
    data = ProfileInput(agency, country, expertise, languages, timezone, None, visibility)
    async with db.transaction() as session:
        return await experts.register(
            session, guild_id, user_id, data, consent_text="I agree", now=clock.now()
        )


async def verify(db: Database, clock: FrozenClock, user_id: int, months: int = 12) -> None:
    async with db.transaction() as session:
        await experts.verify(session, G, 99, user_id, now=clock.now(), months=months)


async def test_register_normalises_country_languages_and_areas(db: Database, clock: FrozenClock) -> None:
    card = await add(
        db,
        clock,
        10,
        "radiation DETECTION,  riid operation , Cargo X-ray",
        languages="French, EN",
        country="deu",
    )
    assert card.country == "DE"
    assert card.languages == ("en", "fr")
    assert card.areas == ("Cargo X-ray", "RIID operation", "Radiation detection")
    other = await add(db, clock, 11, "Radiation detecton, cargo x ray", country="Allemagne")
    assert other.areas == ("Cargo X-ray", "Radiation detection")
    assert other.country == "DE"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "Atlantis"),
        ("languages", "klingon"),
        ("timezone", "Mars/Base"),
        ("visibility", "everyone"),
        ("expertise", " , "),
    ],
)
async def test_register_refuses_bad_values(db: Database, clock: FrozenClock, field: str, value: str) -> None:
    values = {"agency": "IAEA", "country": "FR", "expertise": "Dosimetry", "languages": "en"}
    values[field] = value
    with pytest.raises(Invalid):
        async with db.transaction() as session:
            await experts.register(session, G, 10, ProfileInput(**values), consent_text="ok", now=clock.now())
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await experts.show(session, G, 10, viewer_id=10, viewer_verified=False, now=clock.now())


async def test_register_twice_conflicts_and_update_changes_fields(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10, "Dosimetry")
    with pytest.raises(Conflict):
        await add(db, clock, 10, "Dosimetry")
    async with db.transaction() as session:
        card = (
            await experts.update_profile(
                session,
                G,
                10,
                ProfileInput(expertise="Nuclear forensics", bio="  Ten years  "),
                now=clock.now(),
            )
        ).card
    assert card.areas == ("Nuclear forensics",) and card.bio == "Ten years" and card.agency == "Customs"
    async with db.transaction() as session:
        assert await experts.expertise_suggestions(session, G, "dosim") == ["Dosimetry"]


async def test_free_entries_are_forgotten_when_no_profile_uses_them(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10, "Jean's secret method")
    async with db.transaction() as session:
        assert await experts.expertise_suggestions(session, G, "jean") == ["Jean's secret method"]
        await experts.leave(session, G, 10)
    async with db.transaction() as session:
        assert await experts.expertise_suggestions(session, G, "jean") == []
        with pytest.raises(NotFound):
            await experts.leave(session, G, 10)


async def test_find_ranks_by_matches_then_verified_then_working_hours(
    db: Database, clock: FrozenClock
) -> None:
    await add(db, clock, 1, "Dosimetry", timezone=NIGHT)
    await add(db, clock, 2, "Dosimetry", timezone=LONDON)
    await add(db, clock, 3, "Dosimetry", timezone=NIGHT)
    await add(db, clock, 4, "Dosimetry, Nuclear forensics", timezone=NIGHT)
    await add(db, clock, 5, "Export control")
    await verify(db, clock, 3)
    async with db.transaction() as session:
        page = await experts.find(
            session, G, viewer_verified=False, now=clock.now(), expertise="dosimetry, forensics"
        )
    assert page.total == 4
    assert [c.user_id for c in page.experts] == [4, 3, 2, 1]
    assert [c.matched for c in page.experts] == [2, 1, 1, 1]
    assert page.experts[1].verified_until is not None
    assert page.experts[2].in_working_hours and not page.experts[3].in_working_hours


async def test_find_filters_combine_and_paginate(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry", country="FR", languages="fr", agency="ASN")
    await add(
        db, clock, 2, "Dosimetry", country="KH", languages="km, en", agency="General Department of Customs"
    )
    await add(db, clock, 3, "Dosimetry", country="KH", languages="fr", agency="Customs")
    await add(db, clock, 4, "Border monitoring", country="KHM", languages="fr", agency="customs")
    async with db.transaction() as session:

        async def ids(**filters: Any) -> list[int]:
            page = await experts.find(session, G, viewer_verified=False, now=clock.now(), **filters)
            return [c.user_id for c in page.experts]

        assert await ids(country="Cambodia") == [2, 3, 4]
        assert await ids(country="Cambodge", language="French") == [3, 4]
        assert await ids(agency="CUSTOMS", expertise="dosimetry") == [2, 3]
        assert await ids(language="Khmer") == [2]
        assert await ids(expertise="nothing like it") == []
        page = await experts.find(session, G, viewer_verified=False, now=clock.now(), limit=2, offset=2)
        assert page.total == 4 and [c.user_id for c in page.experts] == [3, 4]
        with pytest.raises(Invalid):
            await ids(country="Narnia")


async def test_verified_only_profiles_are_shown_to_verified_members(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry", visibility="verified")
    await add(db, clock, 2, "Dosimetry")
    async with db.transaction() as session:
        plain = await experts.find(session, G, viewer_verified=False, now=clock.now(), expertise="dosimetry")
        full = await experts.find(session, G, viewer_verified=True, now=clock.now(), expertise="dosimetry")
        assert [c.user_id for c in plain.experts] == [2]
        assert {c.user_id for c in full.experts} == {1, 2}
        with pytest.raises(NotFound):
            await experts.show(session, G, 1, viewer_id=2, viewer_verified=False, now=clock.now())
        assert (
            await experts.show(session, G, 1, viewer_id=2, viewer_verified=True, now=clock.now())
        ).user_id == 1
        assert (
            await experts.show(session, G, 1, viewer_id=1, viewer_verified=False, now=clock.now())
        ).user_id == 1


async def test_servers_are_isolated(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry", guild_id=2)
    async with db.transaction() as session:
        page = await experts.find(session, G, viewer_verified=True, now=clock.now(), expertise="dosimetry")
        assert page.total == 0
        assert (
            await experts.routing_candidates(
                session, G, terms=["dosimetry"], languages=[], exclude_user_ids=set(), now=clock.now()
            )
            == []
        )
        assert await experts.expertise_suggestions(session, 2, "dos") == ["Dosimetry"]


async def test_is_verified_until_expiry_and_not_after_leaving(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry")
    async with db.transaction() as session:
        assert not await experts.is_verified(session, G, 1, clock.now())
        assert not await experts.is_verified(session, G, 77, clock.now())
    await verify(db, clock, 1, months=1)
    async with db.transaction() as session:
        assert await experts.is_verified(session, G, 1, clock.now())
        assert await experts.is_verified(session, G, 1, datetime(2026, 4, 20, 8, 59, tzinfo=UTC))
        assert not await experts.is_verified(session, G, 1, datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
        assert not await experts.is_verified(session, 2, 1, clock.now())
        await experts.member_left(session, G, 1, clock.now())
        assert not await experts.is_verified(session, G, 1, clock.now())


async def test_routing_candidates_match_order_and_opt_out(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Radiation detection, Neutron detection", timezone=NIGHT, languages="fr")
    await add(db, clock, 2, "Radiation detection", timezone=LONDON, languages="en, fr")
    await add(db, clock, 3, "Radiation detection", timezone=NIGHT, languages="en")
    await add(db, clock, 4, "Radiation detection", languages="en")
    await add(db, clock, 5, "Radiation detection", visibility="verified")
    await add(db, clock, 6, "Dosimetry")
    await add(db, clock, 7, "Radiation detection", timezone=NIGHT)
    await verify(db, clock, 3)
    async with db.transaction() as session:
        session.add(MemberSettings(guild_id=G, user_id=4, qa_routing=False))
        await experts.member_left(session, G, 7, clock.now())

    async def route(**kwargs: object) -> list[experts.RoutingCandidate]:
        params: dict[str, object] = {"terms": ["detection"], "languages": [], "exclude_user_ids": set()}
        params.update(kwargs)
        async with db.transaction() as session:
            return await experts.routing_candidates(session, G, now=clock.now(), **params)  # type: ignore[arg-type]

    found = await route()
    assert [(c.user_id, c.matched, c.in_working_hours, c.verified) for c in found] == [
        (1, 2, False, False),
        (2, 1, True, False),
        (3, 1, False, True),
    ]
    assert found[1].languages == ("en", "fr")
    assert [c.user_id for c in await route(languages=["en"])] == [2, 3]
    assert [c.user_id for c in await route(exclude_user_ids={1, 2})] == [3]
    assert [c.user_id for c in await route(verified_only=True)] == [3]
    text = "How do I set up a RIID operation for radiation detection at a port?"
    assert [c.user_id for c in await route(terms=[text])] == [2, 3, 1]
    assert await route(terms=["forensics"]) == []


async def test_working_hours_follow_the_weekend(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry", timezone=LONDON)
    clock.advance(timedelta(days=1))  # Saturday
    async with db.transaction() as session:
        page = await experts.find(session, G, viewer_verified=False, now=clock.now())
    assert not page.experts[0].in_working_hours


async def test_moderators_curate_the_list_of_areas(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 1, "Dosimetry")
    async with db.transaction() as session:
        listed = await experts.curate_areas(session, G, 99, add="cargo scanning, Dosimetry")
        assert "Cargo scanning" in listed and "Dosimetry" in listed and "Nuclear forensics" in listed
        listed = await experts.curate_areas(session, G, 99, remove="Nuclear forensic, dosimetry")
        assert "Nuclear forensics" not in listed and "Dosimetry" not in listed
        assert await experts.expertise_suggestions(session, G, "nuclear forensics") == []
        # Still used by a profile: still offered, until its last profile drops it.
        assert await experts.expertise_suggestions(session, G, "dosim") == ["Dosimetry"]
        assert await experts.expertise_suggestions(session, G, "cargo") == ["Cargo scanning"]
        lines = await audit.recent(session, G)
        assert [(line.actor_id, line.action) for line in lines] == [(99, "expert.areas")] * 2
        assert lines[0].details == {"added": [], "removed": ["Nuclear forensics", "Dosimetry"]}
        await experts.leave(session, G, 1)
        assert await experts.expertise_suggestions(session, G, "dosim") == []
        assert await experts.expertise_suggestions(session, G, "cargo") == ["Cargo scanning"]
