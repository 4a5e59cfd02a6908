"""Running an exercise: start (teams, injects and their deliveries written at once), pause, resume,
an inject now (the next, a named one or an ad hoc text), end.

Every inject becomes one delivery row per thread it goes to (its teams' threads, and the control
thread), due at the real moment the exercise clock reaches its time; pausing clears the due moments
of what is still pending and resuming computes them again. The delivery engine
(``bot.services.exercises.delivery``) sends what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import (
    CONTROLLER,
    ENDED,
    LOADED,
    OBSERVER,
    PAUSED,
    PENDING,
    PLAYER,
    RUNNING,
    SKIPPED,
    Exercise,
    ExerciseDelivery,
    ExerciseInject,
    ExerciseTeam,
)
from bot.documents import Bilingual
from bot.errors import Conflict, Invalid, NotFound
from bot.exercises import clock
from bot.exercises.scenario import ALL_WORDS, Inject, Scenario, format_offset
from bot.services import guild_settings
from bot.services.exercises.access import Caller, clock_of, get, members, require_facilitator, scenario_of

AD_HOC_LIMIT = 1500


@dataclass(frozen=True)
class TeamPlan:
    name: str
    language: str
    players: tuple[int, ...]


@dataclass(frozen=True)
class StartPlan:
    """What the cog needs to open the threads before ``start`` writes anything."""

    exercise_id: int
    title: str
    label: str
    channel_id: int
    teams: tuple[TeamPlan, ...]
    controllers: tuple[int, ...]
    observers: tuple[int, ...]
    facilitators: tuple[int, ...]  # the loader (moderators join through their own rights)


async def plan_start(
    session: AsyncSession, guild_id: int, caller: Caller, reference: str, *, here: int | None = None
) -> StartPlan:
    """What starting needs; the threads open in the exercise's ``channel``, else the server's
    exercises channel, else ``here`` (the text channel the command was run in)."""
    exercise = await get(session, guild_id, reference, caller)
    await require_facilitator(session, exercise, caller)
    if exercise.state != LOADED:
        raise Conflict("exercises.error.already_started", title=exercise.title)
    channel_id = (
        exercise.channel_id or (await guild_settings.get(session, guild_id)).exercises_channel_id or here
    )
    if channel_id is None:
        raise Invalid("exercises.error.no_channel")
    scenario = scenario_of(exercise)
    assigned = await members(session, exercise.id)
    teams = tuple(
        TeamPlan(
            team.name,
            scenario.team_language(team),
            tuple(m.user_id for m in assigned if m.role == PLAYER and m.team == team.name),
        )
        for team in scenario.teams
    )
    return StartPlan(
        exercise.id,
        exercise.title,
        exercise.label,
        channel_id,
        teams,
        tuple(m.user_id for m in assigned if m.role == CONTROLLER),
        tuple(m.user_id for m in assigned if m.role == OBSERVER),
        tuple(u for u in (exercise.loaded_by,) if u is not None),
    )


@dataclass(frozen=True)
class Started:
    exercise_id: int
    due: tuple[datetime, ...]  # for the scheduler


def _content(inject: Inject) -> dict[str, object]:
    data = inject.to_json()
    data.pop("number", None)
    data.pop("offset", None)
    return data


async def start(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    reference: str,
    speed: float,
    threads: dict[str, int],
    control_thread_id: int,
    now: datetime,
    *,
    control_language: str | None = None,
) -> Started:
    """Write the teams' threads, the injects and their deliveries; the clock starts at ``now``."""
    if not clock.MIN_SPEED <= speed <= clock.MAX_SPEED:
        raise Invalid("exercises.error.bad_speed", min=clock.MIN_SPEED, max=int(clock.MAX_SPEED))
    exercise = await get(session, guild_id, reference, caller)
    await require_facilitator(session, exercise, caller)
    won = await session.execute(
        update(Exercise)
        .where(Exercise.id == exercise.id, Exercise.state == LOADED)
        .values(state=RUNNING)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("exercises.error.already_started", title=exercise.title)
    state = clock.started(now, speed)
    exercise.state = RUNNING
    exercise.speed, exercise.clock_base, exercise.clock_anchor = state.speed, state.base, state.anchor
    exercise.started_at, exercise.control_thread_id = now, control_thread_id
    exercise.control_language = control_language
    scenario = scenario_of(exercise)
    for team in scenario.teams:
        session.add(
            ExerciseTeam(
                exercise_id=exercise.id,
                name=team.name,
                language=scenario.team_language(team),
                thread_id=threads[team.name],
            )
        )
    rows = [
        ExerciseInject(
            exercise_id=exercise.id,
            number=inject.number,
            scripted=True,
            offset=inject.offset,
            content=_content(inject),
        )
        for inject in scenario.injects
    ]
    session.add_all(rows)
    await session.flush()  # one batch: the rows get their ids
    due: list[datetime] = []
    for inject, row in zip(scenario.injects, rows, strict=True):
        moment = clock.due_at(state, inject.offset)
        assert moment is not None
        _deliveries(session, exercise, row, scenario, inject.teams, threads, moment)
        due.append(moment)
    await session.flush()
    return Started(exercise.id, tuple(sorted(set(due))))


def _deliveries(
    session: AsyncSession,
    exercise: Exercise,
    row: ExerciseInject,
    scenario: Scenario,
    teams: tuple[str, ...],
    threads: dict[str, int],
    due_at: datetime | None,
) -> None:
    """One delivery per team the inject goes to, then one to the control thread."""
    for team in scenario.teams:
        if teams and team.name not in teams:
            continue
        session.add(
            ExerciseDelivery(
                guild_id=exercise.guild_id,
                exercise_id=exercise.id,
                inject_id=row.id,
                team=team.name,
                channel_id=threads[team.name],
                due_at=due_at,
            )
        )
    assert exercise.control_thread_id is not None
    session.add(
        ExerciseDelivery(
            guild_id=exercise.guild_id,
            exercise_id=exercise.id,
            inject_id=row.id,
            team=None,
            channel_id=exercise.control_thread_id,
            due_at=due_at,
        )
    )


async def _running(session: AsyncSession, guild_id: int, caller: Caller, reference: str) -> Exercise:
    exercise = await get(session, guild_id, reference, caller)
    await require_facilitator(session, exercise, caller)
    if exercise.state == LOADED:
        raise Invalid("exercises.error.not_started", title=exercise.title)
    if exercise.state == ENDED:
        raise Invalid("exercises.error.ended", title=exercise.title)
    return exercise


@dataclass(frozen=True)
class ClockChange:
    exercise_id: int
    title: str
    elapsed: float
    control_thread_id: int | None
    due: tuple[datetime, ...] = ()

    @property
    def time(self) -> str:
        return format_offset(self.elapsed)


async def pause(
    session: AsyncSession, guild_id: int, caller: Caller, reference: str, now: datetime
) -> ClockChange:
    exercise = await _running(session, guild_id, caller, reference)
    if exercise.state == PAUSED:
        raise Conflict("exercises.error.already_paused", title=exercise.title)
    state = clock.paused(clock_of(exercise), now)
    exercise.state, exercise.clock_base, exercise.clock_anchor = PAUSED, state.base, None
    await session.execute(
        update(ExerciseDelivery)
        .where(
            ExerciseDelivery.exercise_id == exercise.id,
            ExerciseDelivery.state == PENDING,
            ExerciseDelivery.inject_id.in_(
                select(ExerciseInject.id).where(
                    ExerciseInject.exercise_id == exercise.id, ExerciseInject.scripted.is_(True)
                )
            ),
        )
        .values(due_at=None)
        .execution_options(synchronize_session=False)
    )
    return ClockChange(exercise.id, exercise.title, state.base, exercise.control_thread_id)


async def resume(
    session: AsyncSession, guild_id: int, caller: Caller, reference: str, now: datetime
) -> ClockChange:
    exercise = await _running(session, guild_id, caller, reference)
    if exercise.state != PAUSED:
        raise Conflict("exercises.error.not_paused", title=exercise.title)
    state = clock.resumed(clock_of(exercise), now)
    exercise.state, exercise.clock_anchor = RUNNING, state.anchor
    rows = await session.execute(
        select(ExerciseDelivery, ExerciseInject.offset)
        .join(ExerciseInject, ExerciseInject.id == ExerciseDelivery.inject_id)
        .where(
            ExerciseDelivery.exercise_id == exercise.id,
            ExerciseDelivery.state == PENDING,
            ExerciseDelivery.due_at.is_(None),
        )
    )
    due: set[datetime] = set()
    for delivery, offset in rows:
        delivery.due_at = clock.due_at(state, offset)
        if delivery.due_at is not None:
            due.add(delivery.due_at)
    return ClockChange(
        exercise.id, exercise.title, state.base, exercise.control_thread_id, tuple(sorted(due))
    )


@dataclass(frozen=True)
class InjectNow:
    exercise_id: int
    number: int
    title: Bilingual
    ad_hoc: bool
    due: tuple[datetime, ...]


async def inject_now(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    reference: str,
    now: datetime,
    *,
    inject: str | None = None,
    text: str | None = None,
    team: str | None = None,
    language: str = "en",
) -> InjectNow:
    """The named inject now, or an ad hoc ``text`` (to ``team`` or all), or the next pending one."""
    exercise = await _running(session, guild_id, caller, reference)
    scenario = scenario_of(exercise)
    teams: tuple[str, ...] = ()
    if team and team.strip().casefold() not in ALL_WORDS:
        found = scenario.team(team)
        if found is None:
            raise Invalid(
                "exercises.error.bad_team", value=team[:60], teams=", ".join(t.name for t in scenario.teams)
            )
        teams = (found.name,)
    if text and text.strip():
        return await _ad_hoc(session, exercise, scenario, caller, text.strip(), teams, language, now)
    if inject:
        chosen = scenario.inject(inject)
        if chosen is None:
            raise NotFound("exercises.error.no_inject", value=inject[:40])
        row = await session.scalar(
            select(ExerciseInject).where(
                ExerciseInject.exercise_id == exercise.id,
                ExerciseInject.scripted.is_(True),
                ExerciseInject.number == chosen.number,
            )
        )
    else:
        row = await session.scalar(
            select(ExerciseInject)
            .where(
                ExerciseInject.exercise_id == exercise.id,
                ExerciseInject.scripted.is_(True),
                ExerciseInject.id.in_(
                    select(ExerciseDelivery.inject_id).where(
                        ExerciseDelivery.exercise_id == exercise.id, ExerciseDelivery.state == PENDING
                    )
                ),
            )
            .order_by(ExerciseInject.number)
            .limit(1)
        )
        if row is None:
            raise Conflict("exercises.error.no_more_injects", title=exercise.title)
    assert row is not None
    moved = await session.execute(
        update(ExerciseDelivery)
        .where(ExerciseDelivery.inject_id == row.id, ExerciseDelivery.state == PENDING)
        .values(due_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("exercises.error.inject_sent", number=row.number)
    return InjectNow(exercise.id, row.number, Bilingual.from_json(row.content["title"]), False, (now,))


async def _ad_hoc(
    session: AsyncSession,
    exercise: Exercise,
    scenario: Scenario,
    caller: Caller,
    text: str,
    teams: tuple[str, ...],
    language: str,
    now: datetime,
) -> InjectNow:
    if len(text) > AD_HOC_LIMIT:
        raise Invalid("error.too_long", field="text", limit=AD_HOC_LIMIT)
    last = await session.scalar(
        select(ExerciseInject.number)
        .where(ExerciseInject.exercise_id == exercise.id)
        .order_by(ExerciseInject.number.desc())
        .limit(1)
    )
    title = Bilingual({"en": "Ad hoc inject", "fr": "Inject improvisé"})
    content = {
        "teams": list(teams),
        "title": title.to_json(),
        "text": {language: text},
        "expected": [],
        "resources": [],
        "notes": None,
        "key": None,
    }
    row = ExerciseInject(
        exercise_id=exercise.id,
        number=int(last or 0) + 1,
        scripted=False,
        offset=int(clock.elapsed(clock_of(exercise), now)),
        content=content,
        author_id=caller.user_id,
    )
    session.add(row)
    await session.flush()
    threads = {
        t.name: t.thread_id
        for t in await session.scalars(select(ExerciseTeam).where(ExerciseTeam.exercise_id == exercise.id))
    }
    _deliveries(session, exercise, row, scenario, teams, threads, now)
    await session.flush()
    return InjectNow(exercise.id, row.number, title, True, (now,))


@dataclass(frozen=True)
class Ended:
    exercise_id: int
    title: str
    elapsed: float
    language: str
    hotwash: tuple[Bilingual, ...]
    teams: tuple[tuple[str, str, int], ...]  # (name, language, thread id)
    control_thread_id: int | None


async def end(session: AsyncSession, guild_id: int, caller: Caller, reference: str, now: datetime) -> Ended:
    """Stop the clock and the injects still to come (skipped); the hot wash opens."""
    exercise = await _running(session, guild_id, caller, reference)
    state = clock.paused(clock_of(exercise), now)
    exercise.state, exercise.clock_base, exercise.clock_anchor, exercise.ended_at = (
        ENDED,
        state.base,
        None,
        now,
    )
    await session.execute(
        update(ExerciseDelivery)
        .where(ExerciseDelivery.exercise_id == exercise.id, ExerciseDelivery.state == PENDING)
        .values(state=SKIPPED, error="ended", due_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ExerciseInject)
        .where(ExerciseInject.exercise_id == exercise.id, ExerciseInject.state == PENDING)
        .values(state=SKIPPED)
        .execution_options(synchronize_session=False)
    )
    teams = await session.scalars(
        select(ExerciseTeam).where(ExerciseTeam.exercise_id == exercise.id).order_by(ExerciseTeam.id)
    )
    scenario = scenario_of(exercise)
    return Ended(
        exercise.id,
        exercise.title,
        state.base,
        exercise.language,
        scenario.hotwash,
        tuple((t.name, t.language, t.thread_id) for t in teams),
        exercise.control_thread_id,
    )
