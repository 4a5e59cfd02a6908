"""Exercise services on a real database: load, assign (AMBER only to verified members), start with
its deliveries, pause/resume moving the due moments, and the inject engine delivering every inject
exactly once, in order, even when a process dies between sending and recording."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models.exercises import CLAIMED, PENDING, SENT, ExerciseDelivery
from bot.documents import DocumentInvalid
from bot.errors import Conflict, NotAllowed, NotFound
from bot.services.exercises import Caller, access, records, reporting, running
from bot.services.exercises.delivery import InjectEngine, Outgoing

pytestmark = pytest.mark.engines  # injects claimed with FOR UPDATE SKIP LOCKED

GUILD = 1
LOADER = Caller(10, moderator=True, verified=True)
SCENARIO = (
    Path(__file__).resolve().parents[2] / "bot" / "exercises" / "scenarios" / "border_source.yaml"
).read_bytes()


class Killed(Exception):
    """The process dies (here: the pass stops with its claims unsettled)."""


class FakeDiscord:
    """Like Discord with ``enforce_nonce``: a nonce sent again returns the first message."""

    def __init__(self, crash_after: int | None = None) -> None:
        self.posted: dict[str, tuple[int, int, int | None]] = {}  # nonce -> (channel, number, team?)
        self.order: list[tuple[int, int]] = []
        self.crash_after = crash_after

    async def send(self, message: Outgoing) -> int | None:
        if message.nonce not in self.posted:
            self.posted[message.nonce] = (message.channel_id, message.number, None)
            self.order.append((message.channel_id, message.number))
        if self.crash_after is not None and len(self.posted) >= self.crash_after:
            raise Killed()  # the process dies before recording the sends
        return len(self.posted)


async def _started(db: Database, clock: FrozenClock, speed: float = 60) -> int:
    async with db.transaction() as session:
        loaded = await access.load(session, GUILD, LOADER, SCENARIO, 500, clock.now())
    reference = str(loaded.exercise_id)
    async with db.transaction() as session:
        for user, team in ((1, "Customs"), (2, "Police"), (3, "Regulator")):
            await access.assign(
                session, GUILD, LOADER, reference, user, team, "player", member_verified=False
            )
        plan = await running.plan_start(session, GUILD, LOADER, reference)
    threads = {team.name: 1000 + index for index, team in enumerate(plan.teams)}
    async with db.transaction() as session:
        await running.start(session, GUILD, LOADER, reference, speed, threads, 2000, clock.now())
    return loaded.exercise_id


async def test_load_refuses_bad_files_and_amber_needs_verified(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        with pytest.raises(DocumentInvalid):
            await access.load(session, GUILD, LOADER, b"title: [", None, clock.now())
        amber = await access.load(
            session, GUILD, LOADER, SCENARIO.replace(b"TLP:GREEN", b"TLP:AMBER"), None, clock.now()
        )
        with pytest.raises(NotAllowed):
            await access.assign(
                session, GUILD, LOADER, str(amber.exercise_id), 5, "Police", "player", member_verified=False
            )
        done = await access.assign(
            session, GUILD, LOADER, str(amber.exercise_id), 5, "Police", "player", member_verified=True
        )
        assert done.role == "player" and done.team == "Police"
        with pytest.raises(NotFound):  # an unverified member does not even learn it exists
            await access.get(session, GUILD, str(amber.exercise_id), Caller(6))
        assert await access.listing(session, GUILD, Caller(6)) == []
        with pytest.raises(NotAllowed):  # players are not facilitators
            await running.plan_start(session, GUILD, Caller(5, verified=True), str(amber.exercise_id))


async def test_start_pause_resume_move_due_moments(db: Database, clock: FrozenClock) -> None:
    exercise_id = await _started(db, clock, speed=60)
    start = clock.now()
    async with db.transaction() as session:
        rows = list(
            await session.scalars(select(ExerciseDelivery).where(ExerciseDelivery.exercise_id == exercise_id))
        )
        # 13 injects: one delivery per team each goes to, plus one to the control thread
        assert len([r for r in rows if r.team is None]) == 13
        last = max(r.due_at for r in rows if r.due_at is not None)
        assert last == start + timedelta(seconds=170)  # T+02:50 at speed 60
        with pytest.raises(Conflict):
            await running.plan_start(session, GUILD, LOADER, str(exercise_id))
    clock.advance(timedelta(seconds=30))  # T+00:30
    async with db.transaction() as session:
        paused = await running.pause(session, GUILD, LOADER, str(exercise_id), clock.now())
    assert paused.time == "T+00:30"
    clock.advance(timedelta(hours=2))
    async with db.transaction() as session:
        resumed = await running.resume(session, GUILD, LOADER, str(exercise_id), clock.now())
        assert resumed.time == "T+00:30"
        pending = list(
            await session.scalars(
                select(ExerciseDelivery).where(
                    ExerciseDelivery.exercise_id == exercise_id, ExerciseDelivery.state == PENDING
                )
            )
        )
    # T+00:35 (the call to the regulator) is five exercise minutes, five real seconds, after resuming
    assert min(d.due_at for d in pending if d.due_at is not None) == clock.now()  # T+00:30 was due at pause
    assert sorted({d.due_at for d in pending})[1] == clock.now() + timedelta(seconds=5)


async def test_engine_delivers_each_inject_once_in_order_across_a_crash(
    db: Database, clock: FrozenClock
) -> None:
    exercise_id = await _started(db, clock, speed=60)
    clock.advance(timedelta(minutes=4))  # everything is due
    dying = FakeDiscord(crash_after=7)
    first = InjectEngine(db, dying, now=clock.now)
    with pytest.raises(Killed):
        await first.run_due(clock.now())
    async with db.transaction() as session:
        claimed = await session.scalar(
            select(ExerciseDelivery.id).where(ExerciseDelivery.state == CLAIMED).limit(1)
        )
    assert claimed is not None  # left claimed by the dead process
    survivor = FakeDiscord()
    survivor.posted, survivor.order = dict(dying.posted), list(dying.order)
    second = InjectEngine(db, survivor, now=clock.now)
    report = await second.recover(clock.now())
    assert report.sent > 0
    async with db.transaction() as session:
        rows = list(
            await session.scalars(select(ExerciseDelivery).where(ExerciseDelivery.exercise_id == exercise_id))
        )
    assert {r.state for r in rows} == {SENT}
    assert len(survivor.posted) == len(rows)  # each once
    for channel in {r.channel_id for r in rows}:
        numbers = [number for c, number in survivor.order if c == channel]
        assert numbers == sorted(numbers), (channel, numbers)  # in exercise order in every thread
    assert await second.run_due(clock.now()) is not None and not (await second.run_due(clock.now())).sent


async def test_decisions_observations_and_report(db: Database, clock: FrozenClock) -> None:
    exercise_id = await _started(db, clock, speed=60)
    clock.advance(timedelta(minutes=4))
    await InjectEngine(db, FakeDiscord(), now=clock.now).run_due(clock.now())
    async with db.transaction() as session:
        logged = await records.decide(session, GUILD, Caller(1), 1000, "Stop the truck", clock.now())
        assert logged.team == "Customs"
        with pytest.raises(NotAllowed):
            await records.decide(session, GUILD, Caller(2), 1000, "Police speaking in customs", clock.now())
        await records.observe(
            session,
            GUILD,
            LOADER,
            str(exercise_id),
            "Cordon too small",
            clock.now(),
            inject="localise",
            rating="not_met",
        )
        with pytest.raises(NotAllowed):
            await records.observe(session, GUILD, Caller(1), str(exercise_id), "player note", clock.now())
        ended = await running.end(session, GUILD, LOADER, str(exercise_id), clock.now())
        assert len(ended.teams) == 3
        await records.answer_hotwash(
            session,
            GUILD,
            Caller(1),
            exercise_id,
            "Customs",
            ["Fast", "", "", "Training, customs, May"],
            clock.now(),
        )
        data = await reporting.gather(session, GUILD, LOADER, str(exercise_id), clock.now())
    assert [i.number for i in data.injects] == list(range(1, 14))
    assert data.decisions[0].text == "Stop the truck" and data.observations[0].rating == "not_met"
    assert [i.what for i in data.improvements] == ["Cordon too small", "Training, customs, May"]
    localise = next(i for i in data.injects if i.number == 3)
    assert localise.ratings == ("not_met",) and localise.notes is not None


async def test_member_export_and_erasure(db: Database, clock: FrozenClock) -> None:
    from bot.services import privacy

    exercise_id = await _started(db, clock, speed=60)
    async with db.transaction() as session:
        logged = await records.decide(session, GUILD, Caller(1), 1000, "Cordon at 50 m", clock.now())
        assert logged.record_id is not None
        await records.decision_posted(session, logged.record_id, 7001, 7002)
        exported = await privacy.export(session, GUILD, 1)
    assert exported["exercises"]["decisions"][0]["text"] == "Cordon at 50 m"
    assert exported["exercises"]["assignments"][0]["team"] == "Customs"
    async with db.transaction() as session:
        erasure = await privacy.erase(session, GUILD, 1)
    # the bot's posts of the decision, to redraw: the team thread's (naming the member) and
    # the control thread's mirror, with the thread's language, the exercise time and the team
    posts = {m.kind: m for m in erasure.messages if m.kind.startswith("exercises.")}
    assert posts["exercises.decision"].channel_ids == (1000,)
    assert posts["exercises.decision"].message_id == 7001
    assert posts["exercises.decision_mirror"].channel_ids == (2000,)
    assert posts["exercises.decision_mirror"].message_id == 7002
    assert dict(posts["exercises.decision"].params)["team"] == "Customs"
    assert all(m.erased for m in posts.values())
    async with db.transaction() as session:
        exported = await privacy.export(session, GUILD, 1)
        data = await reporting.gather(session, GUILD, LOADER, str(exercise_id), clock.now())
    assert exported["exercises"] == {
        "assignments": [],
        "decisions": [],
        "observations": [],
        "hotwash_answers": [],
    }
    assert data.decisions == ()
