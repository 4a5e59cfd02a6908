from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Invalid
from bot.services import audit, guild_settings
from bot.services.guild_settings import SetupChange

pytestmark = pytest.mark.engines  # upserts (insert_missing) written per dialect


async def test_defaults_for_a_server_never_set_up(db: Database) -> None:
    async with db.transaction() as session:
        row = await guild_settings.get(session, 1)
    assert row.timezone == "UTC"
    assert row.reminder_offsets == "1d, 1h"
    assert row.language is None


async def test_update_validates_saves_and_audits(db: Database) -> None:
    change = SetupChange(language="FR", timezone="asia/phnom_penh", reminders="2h, 1d, 2h", qa_channel_id=5)
    async with db.transaction() as session:
        await guild_settings.update(session, 1, 42, change)
    async with db.transaction() as session:
        row = await guild_settings.get(session, 1)
        lines = await audit.recent(session, 1)
    assert (row.language, row.timezone, row.reminder_offsets, row.qa_channel_id) == (
        "fr",
        "Asia/Phnom_Penh",
        "1d, 2h",
        5,
    )
    assert [(line.actor_id, line.action) for line in lines] == [(42, "settings.update")]


@pytest.mark.parametrize(
    "change",
    [SetupChange(language="de"), SetupChange(timezone="Mars/Olympus"), SetupChange(reminders="soon")],
)
async def test_bad_values_change_nothing(db: Database, change: SetupChange) -> None:
    with pytest.raises(Invalid):
        async with db.transaction() as session:
            await guild_settings.update(session, 1, 42, SetupChange(qa_channel_id=9))
            await guild_settings.update(session, 1, 42, change)
    async with db.transaction() as session:
        assert (await guild_settings.get(session, 1)).qa_channel_id is None
        assert await audit.recent(session, 1) == []


async def test_servers_are_isolated(db: Database) -> None:
    async with db.transaction() as session:
        await guild_settings.update(session, 1, 42, SetupChange(language="fr", events_channel_id=7))
    async with db.transaction() as session:
        other = await guild_settings.get(session, 2)
        assert other.language is None and other.events_channel_id is None
        assert await audit.recent(session, 2) == []


def test_offsets_parse_and_format() -> None:
    from bot.timeutil import format_offsets, parse_offset, parse_offsets

    assert parse_offset("15m") == timedelta(minutes=15)
    assert parse_offset(" 2 h ") == timedelta(hours=2)
    assert format_offsets(parse_offsets("1d,2h, 15m,1d")) == "1d, 2h, 15m"
    for bad in ("", "0m", "5", "2w", "-1h", "400d"):
        with pytest.raises(Invalid):
            parse_offset(bad)


def test_cancelled_pool_reset_is_a_warning_but_other_pool_errors_stay_errors(db: Database) -> None:
    import asyncio
    import logging

    logger = logging.getLogger(f"sqlalchemy.pool.impl.{type(db.engine.sync_engine.pool).__name__}")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        for error in (asyncio.CancelledError(), OSError("disk")):
            try:
                raise error
            except BaseException:
                logger.error("Exception during reset or similar", exc_info=True)
    finally:
        logger.removeHandler(handler)
    assert [r.levelname for r in records] == ["WARNING", "ERROR"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (SetupChange(moderator_role_id=1, language="fr"), "setup.moderator_everyone"),
        (SetupChange(verified_role_id=1), "setup.verified_everyone"),
        (SetupChange(restricted_channel_id=8, restricted_channel_public=True), "setup.restricted_public"),
    ],
)
async def test_settings_that_would_show_amber_to_everyone_are_refused(
    db: Database, change: SetupChange, key: str
) -> None:
    """@everyone's role id is the server's id: neither moderator nor verified role; a restricted
    channel @everyone can view is refused. Nothing of the change is saved."""
    with pytest.raises(Invalid) as refused:
        async with db.transaction() as session:
            await guild_settings.update(session, 1, 42, change)
    assert refused.value.key == key
    async with db.transaction() as session:
        row = await guild_settings.get(session, 1)
        assert (row.moderator_role_id, row.verified_role_id, row.restricted_channel_id, row.language) == (
            None,
            None,
            None,
            None,
        )
        assert await audit.recent(session, 1) == []


async def test_verified_role_and_restricted_channel_are_saved(db: Database) -> None:
    change = SetupChange(verified_role_id=77, restricted_channel_id=88, moderator_role_id=66)
    assert not change.empty and SetupChange().empty
    async with db.transaction() as session:
        await guild_settings.update(session, 1, 42, change)
    async with db.transaction() as session:
        row = await guild_settings.get(session, 1)
    assert (row.moderator_role_id, row.verified_role_id, row.restricted_channel_id) == (66, 77, 88)


async def test_current_is_plain_values_in_a_unit_of_work_of_its_own(db: Database) -> None:
    before = await guild_settings.current(db, 1)
    assert (before.guild_id, before.timezone, before.reminder_offsets, before.language) == (
        1,
        "UTC",
        "1d, 1h",
        None,
    )
    async with db.transaction() as session:
        await guild_settings.update(session, 1, 42, SetupChange(language="fr", qa_channel_id=5))
    after = await guild_settings.current(db, 1)
    assert (after.language, after.qa_channel_id) == ("fr", 5)
    assert isinstance(after, guild_settings.ServerSettings)


async def test_languages_reads_the_servers_only_when_the_members_does_not_decide(db: Database) -> None:
    from bot.services import member_prefs
    from bot.services.member_prefs import PrefsChange

    async with db.transaction() as session:
        await guild_settings.update(session, 1, 42, SetupChange(language="fr"))
        await member_prefs.update(session, 1, 7, PrefsChange(language="en"))
    assert await guild_settings.languages(db, 1, 7) == ("en", None)
    assert await guild_settings.languages(db, 1, 8) == (None, "fr")
    assert await guild_settings.languages(db, 1, None) == (None, "fr")
    assert await guild_settings.languages(db, None, 7) == ("en", None)


async def test_server_setup_lists_the_verified_members_only_when_the_role_changes(
    db: Database, clock: FrozenClock
) -> None:
    from bot.services import experts, server_setup
    from bot.services.experts import ProfileInput

    async with db.transaction() as session:
        await experts.register(
            session, 1, 10, ProfileInput("ASN", "FR", "Dosimetry", "fr"), consent_text="ok", now=clock.now()
        )
        await experts.verify(session, 1, 42, 10, now=clock.now())
    first = await server_setup.apply(db, 1, 42, SetupChange(verified_role_id=500), now=clock.now())
    assert (first.previous_verified_role_id, first.verified_members) == (None, (10,))
    assert first.settings.verified_role_id == 500
    same = await server_setup.apply(
        db, 1, 42, SetupChange(verified_role_id=500, language="fr"), now=clock.now()
    )
    assert (same.previous_verified_role_id, same.verified_members, same.settings.language) == (500, (), "fr")
    moved = await server_setup.apply(db, 1, 42, SetupChange(verified_role_id=501), now=clock.now())
    assert (moved.previous_verified_role_id, moved.verified_members) == (500, (10,))
    with pytest.raises(Invalid):
        await server_setup.apply(db, 1, 42, SetupChange(verified_role_id=1), now=clock.now())  # @everyone
    assert (await guild_settings.current(db, 1)).verified_role_id == 501
