"""Verification by moderators, its expiry warning, and retention after a member leaves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import GuildSettings
from bot.db.models.experts import ExpertProfile
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit, directory, experts
from bot.services.callers import Caller
from bot.services.experts import ProfileInput
from bot.services.experts.verification import add_months

G = 1


async def add(db: Database, clock: FrozenClock, user_id: int, guild_id: int = G) -> None:
    async with db.transaction() as session:
        await experts.register(
            session,
            guild_id,
            user_id,
            ProfileInput("ASN", "FR", "Dosimetry", "fr"),
            consent_text="ok",
            now=clock.now(),
        )


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    moment = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert add_months(moment, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert add_months(moment, 12) == datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    assert add_months(moment, 13) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)


async def test_verify_is_audited_and_refuses_bad_input(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    async with db.transaction() as session:
        until = await experts.verify(session, G, 99, 10, now=clock.now())
        assert until == datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
        lines = await audit.recent(session, G)
        assert [(line.actor_id, line.action, line.target) for line in lines] == [
            (99, "expert.verify", "<@10>")
        ]
        for months in (0, 61):
            with pytest.raises(Invalid):
                await experts.verify(session, G, 99, 10, now=clock.now(), months=months)
        with pytest.raises(NotFound):
            await experts.verify(session, G, 99, 11, now=clock.now())


async def test_expiry_warning_is_sent_once_a_week_before(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    await add(db, clock, 11)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now(), months=1)
        await experts.verify(session, G, 99, 11, now=clock.now(), months=2)
    clock.set(datetime(2026, 4, 13, 8, 59, tzinfo=UTC))
    async with db.transaction() as session:
        assert await experts.due_expiry_warnings(session, clock.now()) == []
    clock.advance(timedelta(minutes=1))
    async with db.transaction() as session:
        warnings = await experts.due_expiry_warnings(session, clock.now())
    assert [(w.guild_id, w.user_id, w.expires_at) for w in warnings] == [
        (G, 10, datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    ]
    clock.advance(timedelta(days=1))
    async with db.transaction() as session:
        assert await experts.due_expiry_warnings(session, clock.now()) == []
        # A renewed verification may be warned about again when its own end comes.
        await experts.verify(session, G, 99, 10, now=clock.now(), months=1)
    clock.advance(timedelta(days=25))
    async with db.transaction() as session:
        assert {w.user_id for w in await experts.due_expiry_warnings(session, clock.now())} == {10}


async def test_expired_verification_is_never_warned_late(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now(), months=1)
    clock.advance(timedelta(days=60))
    async with db.transaction() as session:
        assert await experts.due_expiry_warnings(session, clock.now()) == []
        page = await experts.find(session, G, viewer_verified=False, now=clock.now())
        assert page.experts[0].verified_until is None


async def test_leaving_hides_at_once_and_erases_after_retention(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    await add(db, clock, 11)
    await add(db, clock, 12, guild_id=2)
    async with db.transaction() as session:
        session.add(GuildSettings(guild_id=2, retention_days=7))
        assert await experts.member_left(session, G, 10, clock.now())
        assert await experts.member_left(session, G, 11, clock.now())
        assert await experts.member_left(session, 2, 12, clock.now())
        page = await experts.find(session, G, viewer_verified=True, now=clock.now())
        assert page.total == 0
        with pytest.raises(NotFound):
            await experts.show(session, G, 10, viewer_id=1, viewer_verified=True, now=clock.now())
        assert await experts.member_returned(session, G, 11)
    clock.advance(timedelta(days=7))
    async with db.transaction() as session:
        assert await experts.erase_departed(session, clock.now()) == 1
    clock.advance(timedelta(days=23))
    async with db.transaction() as session:
        assert await experts.erase_departed(session, clock.now()) == 1
        assert await experts.erase_departed(session, clock.now()) == 0
        remaining = list(await session.scalars(select(ExpertProfile.user_id)))
        assert remaining == [11]
        actions = [line.action for line in await audit.recent(session, G)]
        assert actions == ["expert.retention_erased"]


async def test_stats_count_profiles_and_verified(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    await add(db, clock, 11)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=datetime.now(UTC))
        assert await experts.stats(session, G) == {"expert.stats.profiles": 2, "expert.stats.verified": 1}


async def test_two_processes_sweeping_at_once_warn_each_member_once(db: Database, clock: FrozenClock) -> None:
    """Sharded operation: every process runs the sweep; each warning is claimed by one."""
    for user_id in range(10, 40):
        await add(db, clock, user_id)
    async with db.transaction() as session:
        for user_id in range(10, 40):
            await experts.verify(session, G, 99, user_id, now=clock.now(), months=1)
    clock.set(datetime(2026, 4, 14, 9, 0, tzinfo=UTC))
    other = Database(db.url)

    async def sweep(database: Database) -> list[int]:
        async with database.transaction() as session:
            return [w.user_id for w in await experts.due_expiry_warnings(session, clock.now())]

    try:
        first, second = await asyncio.gather(sweep(db), sweep(other))
    finally:
        await other.dispose()
    assert sorted(first + second) == list(range(10, 40))


async def _verified(db: Database, clock: FrozenClock, user_id: int) -> bool:
    async with db.transaction() as session:
        return await experts.is_verified(session, G, user_id, clock.now())


async def test_an_expired_verification_is_claimed_once_and_a_new_one_can_expire_again(
    db: Database, clock: FrozenClock
) -> None:
    """The sweep takes the verified role back once per expiry, across processes."""
    await add(db, clock, 10)
    await add(db, clock, 11)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now(), months=1)
        await experts.verify(session, G, 99, 11, now=clock.now(), months=2)
        assert await experts.claim_expired(session, clock.now()) == []
    clock.advance(timedelta(days=40))
    async with db.transaction() as session:
        assert await experts.claim_expired(session, clock.now()) == [experts.EndedVerification(G, 10)]
        assert await experts.claim_expired(session, clock.now()) == []
        assert await experts.verified_members(session, G, clock.now()) == [11]
        await experts.verify(session, G, 99, 10, now=clock.now(), months=1)
        assert await experts.verified_members(session, G, clock.now()) == [10, 11]
    clock.advance(timedelta(days=40))
    async with db.transaction() as session:
        claimed = await experts.claim_expired(session, clock.now())
    assert [(e.guild_id, e.user_id) for e in claimed] == [(G, 10), (G, 11)]


async def test_revoke_ends_verification_and_is_audited(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    await add(db, clock, 11)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now())
    async with db.transaction() as session:
        await experts.revoke(session, G, 99, 10, now=clock.now())
    assert not await _verified(db, clock, 10)
    async with db.transaction() as session:
        with pytest.raises(Conflict):  # no longer verified
            await experts.revoke(session, G, 99, 10, now=clock.now())
        with pytest.raises(Conflict):  # never verified
            await experts.revoke(session, G, 99, 11, now=clock.now())
        with pytest.raises(NotFound):
            await experts.revoke(session, G, 99, 12, now=clock.now())
        lines = await audit.recent(session, G)
        page = await experts.find(session, G, viewer_verified=True, now=clock.now())
        # the sweep has nothing to take back: the revocation did
        assert await experts.claim_expired(session, clock.now() + timedelta(days=400)) == []
    assert [(line.action, line.target) for line in lines][:1] == [("expert.revoke", "<@10>")]
    assert all(card.verified_until is None for card in page.experts)


@pytest.mark.parametrize(
    ("change", "ends"),
    [
        (ProfileInput(agency="IRSN"), True),
        (ProfileInput(country="BE"), True),
        (ProfileInput(agency="  asn "), False),  # the same agency, typed differently
        (ProfileInput(country="France"), False),
        (ProfileInput(expertise="Nuclear forensics", bio="New bio", timezone="Europe/Paris"), False),
    ],
)
async def test_a_new_agency_or_country_ends_the_verification(
    db: Database, clock: FrozenClock, change: ProfileInput, ends: bool
) -> None:
    await add(db, clock, 10)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now())
    async with db.transaction() as session:
        result = await experts.update_profile(session, G, 10, change, now=clock.now())
    assert result.verification_ended is ends
    assert await _verified(db, clock, 10) is not ends
    assert (result.card.verified_until is None) is ends
    if ends:
        async with db.transaction() as session:
            lines = await audit.recent(session, G)
            # an unverified member changing agency ends nothing more
            again = await experts.update_profile(session, G, 10, ProfileInput(agency="CEA"), now=clock.now())
        assert [(line.action, line.target) for line in lines][:1] == [("expert.verification_ended", "<@10>")]
        assert not again.verification_ended


async def test_leaving_the_server_ends_the_verification(db: Database, clock: FrozenClock) -> None:
    """A member who comes back needs a new verification."""
    await add(db, clock, 10)
    async with db.transaction() as session:
        await experts.verify(session, G, 99, 10, now=clock.now())
        assert await experts.member_left(session, G, 10, clock.now())
        assert await experts.member_returned(session, G, 10)
    assert not await _verified(db, clock, 10)


async def test_the_directory_reads_the_viewers_verification_in_its_own_unit_of_work(
    db: Database, clock: FrozenClock
) -> None:
    """Called with the database (as the cog does), a verified viewer, a moderator and anyone
    else see a ``verified``-only profile as ``show``/``find`` with their verification would
    (``bot.services.directory``)."""
    async with db.transaction() as session:
        await experts.register(
            session,
            G,
            10,
            ProfileInput("ASN", "FR", "Dosimetry", "fr", visibility="verified"),
            consent_text="ok",
            now=clock.now(),
        )
    await add(db, clock, 20)
    await experts.verify(db, G, 99, 20, now=clock.now())
    for viewer, moderator, sees in ((20, False, True), (30, True, True), (30, False, False)):
        asking = Caller(guild_id=G, user_id=viewer, now=clock.now(), moderator=moderator)
        page = await directory.find(db, asking)
        assert (10 in {card.user_id for card in page.experts}) is sees
        if sees:
            card = await directory.profile(db, asking, 10)
            assert card.user_id == 10
        else:
            with pytest.raises(NotFound):
                await directory.profile(db, asking, 10)


async def test_sweep_claims_warnings_expiries_and_erasures_once(db: Database, clock: FrozenClock) -> None:
    await add(db, clock, 10)
    await add(db, clock, 11)
    await add(db, clock, 12)
    await experts.verify(db, G, 99, 10, now=clock.now(), months=1)
    await experts.verify(db, G, 99, 11, now=clock.now(), months=2)
    await experts.member_left(db, G, 12, clock.now())
    clock.advance(timedelta(days=55))  # 10 expired, 11 within its last week, 12 gone 55 days
    due = await experts.sweep(db, clock.now())
    assert [w.user_id for w in due.warnings] == [11]
    assert [(e.guild_id, e.user_id) for e in due.expired] == [(G, 10)]
    assert due.erased == 1
    again = await experts.sweep(db, clock.now())
    assert (again.warnings, again.expired, again.erased) == ([], [], 0)
