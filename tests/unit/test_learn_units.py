"""The ``/learn`` commands' units of work (``bot.services.learn.units``), called as the cog calls
them, with the database: who asks is read in the command's own transaction (an AMBER course does
not exist for an unverified member; a moderator by the server's role is one), and each returns
plain values."""

from __future__ import annotations

from typing import Any

import pytest

from bot.db import Database
from bot.db.models import GuildSettings
from bot.db.models.core import MemberSettings
from bot.errors import NotAllowed, NotFound
from bot.services.callers import Caller
from bot.services.learn import courses, units
from bot.services.learn.walk import NEXT
from tests.conftest import START
from tests.learn_files import AMBER_COURSE, SHORT_COURSE
from tests.unit.test_learn import _through

GUILD, MOD, ANA = 1, 10, 11
ROLE = 77


def asking(user_id: int, **kw: Any) -> Caller:
    """A member as Discord describes them: a moderator by Manage Server when ``moderator=True``;
    ``moderator=None`` leaves it to the server's moderator role among ``role_ids``."""
    return Caller(guild_id=GUILD, user_id=user_id, now=START, **{"moderator": False, **kw})


async def test_an_amber_course_exists_only_for_whom_the_transaction_says_is_verified(db: Database) -> None:
    green = (await courses.load(db, GUILD, MOD, SHORT_COURSE, START)).course_id
    amber = (await courses.load(db, GUILD, MOD, AMBER_COURSE, START)).course_id
    ana, mod = asking(ANA), asking(MOD, moderator=True)

    listed = await units.listing(db, ana)
    assert [c.course_id for c in listed] == [green]
    assert await units.course_choices(db, ana, "closed") == []
    with pytest.raises(NotFound):
        await units.start(db, ana, str(amber))

    # a moderator is verified: the same calls find it
    assert [c for c, _ in await units.course_choices(db, mod, "closed")] == [amber]
    shown = await units.start(db, mod, str(amber))
    assert shown.view.course_id == amber and shown.language == "en" and shown.links == ()
    with pytest.raises(NotAllowed):  # another member's progress is for moderators only
        await units.progress(db, ana, MOD)
    theirs = await units.progress(db, mod, MOD)
    assert [p.course_id for p in theirs] == [amber]


async def test_a_click_reads_who_clicks_in_its_own_transaction(db: Database) -> None:
    amber = (await courses.load(db, GUILD, MOD, AMBER_COURSE, START)).course_id
    async with db.transaction() as session:
        session.add(GuildSettings(guild_id=GUILD, moderator_role_id=ROLE, language="fr"))
        session.add(MemberSettings(guild_id=GUILD, user_id=ANA, language="en"))

    # a moderator by the server's role (read in the click's transaction), their own language
    by_role = asking(ANA, moderator=None, role_ids=frozenset({ROLE}), locale="fr")
    shown = await units.click(db, by_role, amber, NEXT, 0)
    assert shown.language == "en" and shown.view.course_id == amber and shown.view.position == 1

    with pytest.raises(NotFound):  # not a moderator, not verified: the AMBER course is not there
        await units.click(db, asking(ANA, moderator=None), amber, NEXT, 1)


async def test_certificate_and_verify_as_units_of_work(db: Database) -> None:
    green = (await courses.load(db, GUILD, MOD, SHORT_COURSE, START)).course_id
    await _through(db, ANA, green, {})
    issued = await units.certificate(db, asking(ANA), str(green), "Ana Silva")
    again = await units.certificate(db, asking(ANA), str(green), "Ana Silva")
    assert issued.code == again.code and issued.member_name == "Ana Silva"
    found = await units.verify(db, asking(MOD, moderator=True), issued.code)
    assert found.code == issued.code and not found.withdrawn
    progress = await units.progress(db, asking(MOD, moderator=True), ANA)
    assert [(p.course_id, p.certificate) for p in progress] == [(green, issued.code)]
