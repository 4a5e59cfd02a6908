"""Loading, listing and assigning exercises; who may do what (facilitators, observers, players).

Facilitators (F) are the member who loaded the exercise, its controllers and the moderators.
A ``TLP:AMBER`` (or AMBER+STRICT) exercise is never shown to, nor assigned to, an unverified member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import (
    CONTROLLER,
    ENDED,
    OBSERVER,
    PLAYER,
    ROLES,
    Exercise,
    ExerciseMember,
    ExerciseTeam,
)
from bot.db.models.resources import Resource
from bot.errors import Invalid, NotAllowed, NotFound
from bot.exercises import clock
from bot.exercises.scenario import ALL_WORDS, Scenario, parse_scenario
from bot.ids import parse_id
from bot.services import labels

MAX_FILE_BYTES = 512 * 1024
MAX_ACTIVE_PER_SERVER = 50


@dataclass(frozen=True)
class Loaded:
    exercise_id: int
    scenario: Scenario
    dropped_resources: tuple[int, ...]  # linked ids not found in the library, or too restricted


@dataclass(frozen=True)
class Caller:
    """Who calls: their id, and whether they are a moderator / verified (computed by the cog)."""

    user_id: int
    moderator: bool = False
    verified: bool = False


def scenario_of(exercise: Exercise) -> Scenario:
    return Scenario.from_json(exercise.scenario)


def clock_of(exercise: Exercise) -> clock.ClockState:
    return clock.ClockState(exercise.speed, exercise.clock_base, exercise.clock_anchor)


async def load(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    data: bytes,
    channel_id: int | None,
    now: datetime,
) -> Loaded:
    """Parse and validate the file (``DocumentInvalid`` lists every problem), resolve its resource
    links against the library (unknown ones, or ones more restricted than the scenario, dropped)."""
    if len(data) > MAX_FILE_BYTES:
        raise Invalid("exercises.error.too_large", max=MAX_FILE_BYTES // 1024)
    scenario = parse_scenario(data)
    if scenario.label in labels.RESTRICTED and not caller.verified:
        raise NotAllowed("exercises.error.amber_loader")
    active = await session.scalar(
        select(func.count()).where(Exercise.guild_id == guild_id, Exercise.state != ENDED)
    )
    if int(active or 0) >= MAX_ACTIVE_PER_SERVER:
        raise Invalid("exercises.error.too_many", limit=MAX_ACTIVE_PER_SERVER)
    wanted = scenario.resource_ids()
    links: dict[str, dict[str, str]] = {}
    if wanted:
        rows = await session.scalars(
            select(Resource).where(Resource.guild_id == guild_id, Resource.id.in_(wanted))
        )
        restricted = scenario.label in labels.RESTRICTED
        for row in rows:
            if row.label in labels.RESTRICTED and not restricted:
                continue  # would reach unverified players
            links[str(row.id)] = {"title": row.title, "url": row.url, "label": row.label}
    dropped = tuple(i for i in wanted if str(i) not in links)
    exercise = Exercise(
        guild_id=guild_id,
        title=scenario.title.get(scenario.language)[:200],
        label=scenario.label,
        language=scenario.language,
        scenario=scenario.to_json(),
        links=links,
        loaded_by=caller.user_id,
        channel_id=channel_id,
        created_at=now,
    )
    session.add(exercise)
    await session.flush()
    return Loaded(exercise.id, scenario, dropped)


async def get(session: AsyncSession, guild_id: int, reference: str | int, caller: Caller) -> Exercise:
    """An exercise of this server that the caller may know of (AMBER ones: verified only), by id
    (``12``, ``#12``) or by a part of its title (the latest one not ended, else the latest)."""
    text = str(reference).strip().lstrip("#")
    exercise_id = reference if isinstance(reference, int) else parse_id(text)
    exercise = await session.get(Exercise, exercise_id) if exercise_id is not None else None
    if exercise is None and exercise_id is None and text:
        exercise = await session.scalar(
            select(Exercise)
            .where(
                Exercise.guild_id == guild_id,
                func.lower(Exercise.title).contains(text.lower(), autoescape=True),
                labels.sql_visible(Exercise.label, caller.verified or caller.moderator),
            )
            .order_by((Exercise.state == ENDED).asc(), Exercise.id.desc())
            .limit(1)
        )
    if exercise is None or exercise.guild_id != guild_id or not may_know(exercise, caller):
        raise NotFound("exercises.error.not_found", value=str(reference)[:40])
    return exercise


def may_know(exercise: Exercise, caller: Caller) -> bool:
    return labels.may_see(exercise.label, caller.verified or caller.moderator)


async def member(session: AsyncSession, exercise_id: int, user_id: int) -> ExerciseMember | None:
    return await session.scalar(
        select(ExerciseMember).where(
            ExerciseMember.exercise_id == exercise_id, ExerciseMember.user_id == user_id
        )
    )


async def is_facilitator(session: AsyncSession, exercise: Exercise, caller: Caller) -> bool:
    if caller.moderator or exercise.loaded_by == caller.user_id:
        return True
    row = await member(session, exercise.id, caller.user_id)
    return row is not None and row.role == CONTROLLER


async def is_staff(session: AsyncSession, exercise: Exercise, caller: Caller) -> bool:
    """Facilitators and observers: who may see the whole timeline."""
    if await is_facilitator(session, exercise, caller):
        return True
    row = await member(session, exercise.id, caller.user_id)
    return row is not None and row.role == OBSERVER


async def require_facilitator(session: AsyncSession, exercise: Exercise, caller: Caller) -> None:
    if not await is_facilitator(session, exercise, caller):
        raise NotAllowed("exercises.error.facilitators_only")


async def listing(session: AsyncSession, guild_id: int, caller: Caller) -> list[Exercise]:
    """The server's exercises the caller may know of, newest first."""
    query = select(Exercise).where(Exercise.guild_id == guild_id)
    query = query.where(labels.sql_visible(Exercise.label, caller.verified or caller.moderator))
    return list(await session.scalars(query.order_by(Exercise.id.desc()).limit(100)))


async def autocomplete(
    session: AsyncSession, guild_id: int, current: str, caller: Caller
) -> list[tuple[int, str]]:
    query = select(Exercise.id, Exercise.title).where(
        Exercise.guild_id == guild_id, labels.sql_visible(Exercise.label, caller.verified or caller.moderator)
    )
    text = current.strip().lstrip("#")
    ident = parse_id(text)
    if ident is not None:
        query = query.where(Exercise.id == ident)
    elif text:
        query = query.where(func.lower(Exercise.title).contains(text.lower(), autoescape=True))
    rows = await session.execute(query.order_by(Exercise.id.desc()).limit(25))
    return [(int(i), str(t)) for i, t in rows]


@dataclass(frozen=True)
class Assigned:
    exercise_id: int
    title: str
    role: str
    team: str | None
    threads: tuple[int, ...]  # threads to add the member to now (the exercise is running)


async def assign(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    reference: str,
    member_id: int,
    team: str,
    role: str,
    *,
    member_verified: bool,
) -> Assigned:
    """Make ``member_id`` a team's player, a controller or an observer (re-assigning replaces)."""
    exercise = await get(session, guild_id, reference, caller)
    await require_facilitator(session, exercise, caller)
    if exercise.state == ENDED:
        raise Invalid("exercises.error.ended", title=exercise.title)
    role = (role or PLAYER).strip().lower()
    if role not in ROLES:
        raise Invalid("exercises.error.bad_role", value=role[:20])
    if exercise.label in labels.RESTRICTED and not member_verified:
        raise NotAllowed("exercises.error.amber_member", label=exercise.label)
    scenario = scenario_of(exercise)
    found = scenario.team(team or "")
    if found is None and not (role != PLAYER and (team or "").strip().casefold() in (*ALL_WORDS, "control")):
        names = ", ".join(t.name for t in scenario.teams)
        raise Invalid("exercises.error.bad_team", value=(team or "")[:60], teams=names)
    team_name = found.name if found is not None else None
    row = await member(session, exercise.id, member_id)
    if row is None:
        row = ExerciseMember(
            guild_id=guild_id, exercise_id=exercise.id, user_id=member_id, role=role, team=team_name
        )
        session.add(row)
    else:
        row.role, row.team = role, team_name
    await session.flush()
    threads: list[int] = []
    if exercise.control_thread_id is not None:
        teams = list(
            await session.scalars(select(ExerciseTeam).where(ExerciseTeam.exercise_id == exercise.id))
        )
        threads = threads_for(role, team_name, teams, exercise.control_thread_id)
    return Assigned(exercise.id, exercise.title, role, team_name, tuple(threads))


def threads_for(role: str, team: str | None, teams: list[ExerciseTeam], control: int | None) -> list[int]:
    """The threads a member joins: players their team's; controllers every team's and the control
    thread; observers the control thread."""
    if role == PLAYER:
        return [t.thread_id for t in teams if t.name == team]
    out = [t.thread_id for t in teams] if role == CONTROLLER else []
    if control is not None and role in (CONTROLLER, OBSERVER):
        out.append(control)
    return out


async def members(session: AsyncSession, exercise_id: int) -> list[ExerciseMember]:
    return list(
        await session.scalars(
            select(ExerciseMember)
            .where(ExerciseMember.exercise_id == exercise_id)
            .order_by(ExerciseMember.id)
        )
    )


async def team_threads(session: AsyncSession, exercise_id: int) -> list[tuple[int, str]]:
    """(thread id, language) of each team of the exercise: where a clock change is announced."""
    rows = await session.scalars(select(ExerciseTeam).where(ExerciseTeam.exercise_id == exercise_id))
    return [(row.thread_id, row.language) for row in rows]
