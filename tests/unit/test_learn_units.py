"""The ``/learn`` commands' units of work (``bot.services.learn.units``), called as the cog calls
them, with the database: who asks is read in the command's own transaction (an AMBER course does
not exist for an unverified member), and each returns plain values."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.db.models import GuildSettings
from bot.db.models.core import MemberSettings
from bot.errors import NotFound
from bot.services.learn import courses, units
from bot.services.learn.walk import NEXT
from tests.conftest import START
from tests.learn_files import AMBER_COURSE, SHORT_COURSE
from tests.unit.test_learn import _through

GUILD, MOD, ANA = 1, 10, 11
ROLE = 77


async def test_an_amber_course_exists_only_for_whom_the_transaction_says_is_verified(db: Database) -> None:
    green = (await courses.load(db, GUILD, MOD, SHORT_COURSE, START)).course_id
    amber = (await courses.load(db, GUILD, MOD, AMBER_COURSE, START)).course_id

    listed = await units.listing(db, GUILD, ANA, START, moderator=False)
    assert [c.course_id for c in listed] == [green]
    assert await units.course_choices(db, GUILD, ANA, "closed", START, moderator=False) == []
    with pytest.raises(NotFound):
        await units.start(db, GUILD, ANA, str(amber), "en", START, moderator=False)

    # a moderator is verified: the same calls find it
    assert [c for c, _ in await units.course_choices(db, GUILD, MOD, "closed", START, moderator=True)] == [
        amber
    ]
    shown = await units.start(db, GUILD, MOD, str(amber), "en", START, moderator=True)
    assert shown.view.course_id == amber and shown.language == "en" and shown.links == ()
    mine = await units.progress(db, GUILD, ANA, MOD, START, moderator=False)
    assert mine == []  # the moderator's progress, asked by an unverified member: the AMBER course hides
    theirs = await units.progress(db, GUILD, MOD, MOD, START, moderator=True)
    assert [p.course_id for p in theirs] == [amber]


async def test_a_click_reads_who_clicks_in_its_own_transaction(db: Database) -> None:
    amber = (await courses.load(db, GUILD, MOD, AMBER_COURSE, START)).course_id
    async with db.transaction() as session:
        session.add(GuildSettings(guild_id=GUILD, moderator_role_id=ROLE, language="fr"))
        session.add(MemberSettings(guild_id=GUILD, user_id=ANA, language="en"))
    asked: list[tuple[str, object]] = []

    def language_of(chosen: str | None, server: str | None) -> str:
        asked.append(("language", (chosen, server)))
        return "fr"

    def moderator_with(role_id: int | None) -> bool:
        asked.append(("moderator", role_id))
        return role_id == ROLE

    shown = await units.click(
        db,
        GUILD,
        ANA,
        amber,
        NEXT,
        0,
        START,
        language_of=language_of,
        moderator_with=moderator_with,
    )
    assert asked == [("language", ("en", "fr")), ("moderator", ROLE)]
    assert shown.language == "fr" and shown.view.course_id == amber and shown.view.position == 1

    with pytest.raises(NotFound):  # not a moderator, not verified: the AMBER course is not there
        await units.click(
            db,
            GUILD,
            ANA,
            amber,
            NEXT,
            1,
            START,
            language_of=language_of,
            moderator_with=lambda role_id: False,
        )


async def test_certificate_and_verify_as_units_of_work(db: Database) -> None:
    green = (await courses.load(db, GUILD, MOD, SHORT_COURSE, START)).course_id
    await _through(db, ANA, green, {})
    issued = await units.certificate(db, GUILD, ANA, str(green), "Ana Silva", START, moderator=False)
    again = await units.certificate(db, GUILD, ANA, str(green), "Ana Silva", START, moderator=False)
    assert issued.code == again.code and issued.member_name == "Ana Silva"
    found = await units.verify(db, GUILD, MOD, issued.code, START, moderator=True)
    assert found.code == issued.code and not found.withdrawn
    progress = await units.progress(db, GUILD, MOD, ANA, START, moderator=True)
    assert [(p.course_id, p.certificate) for p in progress] == [(green, issued.code)]
