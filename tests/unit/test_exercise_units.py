"""The ``/exercise`` commands' units of work (``bot.services.exercises.units``), called as the cog
calls them, with the database: who asks is read in the command's own transaction (an AMBER
exercise does not exist for an unverified member), and each returns plain values, never rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import GuildSettings
from bot.errors import NotAllowed, NotFound
from bot.services.callers import Caller
from bot.services.exercises import units
from tests.conftest import START

GUILD = 1


def Asker(user_id: int, *, moderator: bool = False) -> Caller:
    """Who asks, as the cog describes them: a moderator by Discord's permissions, or not one."""
    return Caller(guild_id=GUILD, user_id=user_id, now=START, moderator=moderator)


LOADER = Asker(10, moderator=True)
ROLE = 77
SCENARIO = (
    Path(__file__).resolve().parents[2] / "bot" / "exercises" / "scenarios" / "border_source.yaml"
).read_bytes()
AMBER = SCENARIO.replace(b"TLP:GREEN", b"TLP:AMBER")


def _moderator(role_id: int | None) -> bool:
    return role_id == ROLE


def _member(role_id: int | None) -> bool:
    return False


async def test_amber_exercises_exist_only_for_the_verified(db: Database, clock: FrozenClock) -> None:
    with pytest.raises(NotAllowed):
        await units.load(db, GUILD, Asker(5), AMBER, None, clock.now())
    green = await units.load(db, GUILD, LOADER, SCENARIO, None, clock.now())
    amber = await units.load(db, GUILD, LOADER, AMBER, None, clock.now())

    listed = await units.listing(db, GUILD, Asker(5), clock.now())
    assert [(e.exercise_id, e.label, e.state) for e in listed] == [(green.exercise_id, "TLP:GREEN", "loaded")]
    assert listed[0].title.get("en") == green.scenario.title.get("en")
    everything = await units.listing(db, GUILD, LOADER, clock.now())
    assert [e.exercise_id for e in everything] == [amber.exercise_id, green.exercise_id]
    assert [i for i, _ in await units.choices(db, GUILD, Asker(5), "", clock.now())] == [green.exercise_id]
    with pytest.raises(NotFound):
        await units.info(db, GUILD, Asker(5), str(amber.exercise_id), clock.now())
    assert (
        await units.scenario_for(db, GUILD, Asker(5), str(amber.exercise_id), clock.now(), staff_only=False)
        is None
    )

    # assigning: the member is a moderator (so verified) when the server's moderator role says so
    async with db.transaction() as session:
        session.add(GuildSettings(guild_id=GUILD, moderator_role_id=ROLE))
    reference = str(amber.exercise_id)
    with pytest.raises(NotAllowed):
        await units.assign(
            db, GUILD, LOADER, reference, 5, "Police", "player", clock.now(), member_moderator_with=_member
        )
    done = await units.assign(
        db, GUILD, LOADER, reference, 6, "Police", "player", clock.now(), member_moderator_with=_moderator
    )
    assert done.team == "Police" and done.threads == ()


async def test_info_counts_and_the_scenario_for_staff_only(db: Database, clock: FrozenClock) -> None:
    loaded = await units.load(db, GUILD, LOADER, SCENARIO, None, clock.now())
    reference = str(loaded.exercise_id)
    for user, team, role in ((1, "Customs", "player"), (2, "Customs", "player"), (3, "all", "controller")):
        await units.assign(
            db, GUILD, LOADER, reference, user, team, role, clock.now(), member_moderator_with=_member
        )
    await units.assign(
        db, GUILD, LOADER, reference, 4, "all", "observer", clock.now(), member_moderator_with=_member
    )

    info = await units.info(db, GUILD, Asker(1), reference, clock.now())
    assert info.exercise_id == loaded.exercise_id and info.state == "loaded" and info.label == "TLP:GREEN"
    assert dict(info.counts) == {"Customs": 2, "controller": 1, "observer": 1}
    assert info.clock.speed == 1.0 and not info.clock.running
    assert [t.name for t in info.scenario.teams] == ["Customs", "Police", "Regulator"]

    assert await units.scenario_for(db, GUILD, Asker(1), reference, clock.now(), staff_only=True) is None
    assert await units.scenario_for(db, GUILD, Asker(1), reference, clock.now(), staff_only=False) is not None
    assert await units.scenario_for(db, GUILD, Asker(4), reference, clock.now(), staff_only=True) is not None
    assert await units.scenario_for(db, GUILD, Asker(1), "no such one", clock.now(), staff_only=False) is None


async def test_start_clock_decision_and_hot_wash_as_units_of_work(db: Database, clock: FrozenClock) -> None:
    loaded = await units.load(db, GUILD, LOADER, SCENARIO, 500, clock.now())
    reference = str(loaded.exercise_id)
    await units.assign(
        db, GUILD, LOADER, reference, 1, "Customs", "player", clock.now(), member_moderator_with=_member
    )
    planned = await units.plan_start(db, GUILD, LOADER, reference, clock.now(), here=None)
    assert planned.plan.channel_id == 500 and planned.plan.teams[0].players == (1,)
    assert planned.scenario.title.get("en") == loaded.scenario.title.get("en")
    threads = {team.name: 1000 + index for index, team in enumerate(planned.plan.teams)}
    started = await units.start(
        db, GUILD, LOADER, reference, 60, threads, 2000, clock.now(), control_language="en"
    )
    assert started.due

    clock.advance(timedelta(minutes=1))
    paused = await units.pause(db, GUILD, LOADER, reference, clock.now())
    assert paused.change.control_thread_id == 2000
    assert sorted(paused.team_threads) == [(1000, "en"), (1001, "en"), (1002, "en")]
    resumed = await units.resume(db, GUILD, LOADER, reference, clock.now())
    assert resumed.change.exercise_id == loaded.exercise_id and len(resumed.team_threads) == 3

    decided = await units.decide(db, GUILD, Asker(1), 1000, "Stop the truck", clock.now())
    assert decided.control_thread_id == 2000 and decided.logged.team == "Customs"
    with pytest.raises(NotAllowed):  # a player of Customs does not speak in Police's thread
        await units.decide(db, GUILD, Asker(1), 1001, "Police speaking", clock.now())

    await units.end(db, GUILD, LOADER, reference, clock.now())
    form = await units.hotwash_form(db, GUILD, Asker(1), loaded.exercise_id, 1000, "en", clock.now())
    assert form.team == "Customs" and form.questions
    elsewhere = await units.hotwash_form(db, GUILD, LOADER, loaded.exercise_id, 2000, "en", clock.now())
    assert elsewhere.team is None  # the control thread is no team's
    await units.answer_hotwash(
        db, GUILD, Asker(1), loaded.exercise_id, "Customs", ["Fast"], clock.now(), language="en"
    )
    data = await units.report(db, GUILD, LOADER, reference, clock.now())
    assert [d.text for d in data.decisions] == ["Stop the truck"] and len(data.hotwash) == 1
