"""The ``/exercise`` commands' units of work: each one reads who asks (``bot.services.callers``:
are they a moderator, may they see TLP:AMBER exercises) and does the command's reads and writes in ONE
transaction, returning plain values. The cog calls them with the database
(``bot.db.unit.unit_of_work``); the functions they compose (``access``, ``running``,
``records``, ``reporting``) stay callable on a session with a ``Caller``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import Exercise
from bot.db.unit import unit_of_work
from bot.documents import Bilingual
from bot.errors import LiaisonError
from bot.exercises.clock import ClockState
from bot.exercises.scenario import Scenario
from bot.services import callers, guild_settings, labels
from bot.services.exercises import access, records, reporting, running
from bot.services.exercises.access import Caller

Asker = callers.Caller  # who asks, as Discord describes them (``bot.ui.caller``)


async def caller_of(session: AsyncSession, guild_id: int, asker: Asker, now: datetime) -> Caller:
    """Who asks, read in the command's own transaction: a moderator (by Discord's permissions or
    the server's moderator role) and whether they may see TLP:AMBER (``callers``' rules)."""
    settings = await guild_settings.get(session, guild_id)
    moderator = callers.moderator(asker, settings.moderator_role_id)
    verified = await callers.verified(session, asker, settings)
    return Caller(asker.user_id, moderator, verified)


# -- autocomplete ------------------------------------------------------------------------------
@unit_of_work
async def choices(
    session: AsyncSession, guild_id: int, asker: Asker, typed: str, now: datetime
) -> list[tuple[int, str]]:
    """(id, title) of the exercises the asker may know of that match what was typed."""
    return await access.autocomplete(session, guild_id, typed, await caller_of(session, guild_id, asker, now))


@unit_of_work
async def scenario_for(
    session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime, *, staff_only: bool
) -> Scenario | None:
    """The scenario of an exercise the asker may know of (None when they may not); with
    ``staff_only``, only for its facilitators and observers."""
    caller = await caller_of(session, guild_id, asker, now)
    try:
        exercise = await access.get(session, guild_id, reference, caller)
    except LiaisonError:
        return None
    if staff_only and not await access.is_staff(session, exercise, caller):
        return None
    return access.scenario_of(exercise)


# -- load, list, info, assign ------------------------------------------------------------------
@unit_of_work
async def load(
    session: AsyncSession, guild_id: int, asker: Asker, data: bytes, channel_id: int | None, now: datetime
) -> access.Loaded:
    """``/exercise load`` (``access.load``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await access.load(session, guild_id, caller, data, channel_id, now)


@dataclass(frozen=True)
class Listed:
    exercise_id: int
    title: Bilingual
    label: str
    state: str


@unit_of_work
async def listing(session: AsyncSession, guild_id: int, asker: Asker, now: datetime) -> list[Listed]:
    """``/exercise list``: the exercises the asker may know of, newest first."""
    found = await access.listing(session, guild_id, await caller_of(session, guild_id, asker, now))
    return [Listed(e.id, access.scenario_of(e).title, e.label, e.state) for e in found]


@dataclass(frozen=True)
class Info:
    exercise_id: int
    label: str
    state: str
    clock: ClockState
    scenario: Scenario
    counts: Mapping[str, int]  # players per team name; "controller", "observer": how many


@unit_of_work
async def info(session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime) -> Info:
    """``/exercise info``: an exercise, its clock and how many members it has in each role."""
    exercise = await access.get(session, guild_id, reference, await caller_of(session, guild_id, asker, now))
    counts: dict[str, int] = {}
    for m in await access.members(session, exercise.id):
        key = m.team if m.role == "player" and m.team else m.role
        counts[key] = counts.get(key, 0) + 1
    scenario = access.scenario_of(exercise)
    return Info(exercise.id, exercise.label, exercise.state, access.clock_of(exercise), scenario, counts)


@unit_of_work
async def assign(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    reference: str,
    member_id: int,
    team: str,
    role: str,
    now: datetime,
    *,
    member_moderator_with: Callable[[int | None], bool],
) -> access.Assigned:
    """``/exercise assign`` (``access.assign``); the member is a moderator when
    ``member_moderator_with(the server's moderator role)`` says so (what Discord tells of them)."""
    caller = await caller_of(session, guild_id, asker, now)
    settings = await guild_settings.get(session, guild_id)
    member_moderator = member_moderator_with(settings.moderator_role_id)
    verified = await labels.is_verified(session, guild_id, member_id, now, is_moderator=member_moderator)
    return await access.assign(
        session, guild_id, caller, reference, member_id, team, role, member_verified=verified
    )


# -- start, pause, resume, inject, end -----------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    plan: running.StartPlan
    scenario: Scenario


@unit_of_work
async def plan_start(
    session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime, *, here: int | None
) -> Planned:
    """What ``/exercise start`` needs to open the threads (``running.plan_start``), and the scenario."""
    caller = await caller_of(session, guild_id, asker, now)
    plan = await running.plan_start(session, guild_id, caller, reference, here=here)
    exercise = await access.get(session, guild_id, reference, caller)
    return Planned(plan, access.scenario_of(exercise))


@unit_of_work
async def start(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    reference: str,
    speed: float,
    team_threads: dict[str, int],
    control_thread_id: int,
    now: datetime,
    *,
    control_language: str,
) -> running.Started:
    """``/exercise start`` once its threads are open (``running.start``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await running.start(
        session,
        guild_id,
        caller,
        reference,
        speed,
        team_threads,
        control_thread_id,
        now,
        control_language=control_language,
    )


@dataclass(frozen=True)
class Clocked:
    change: running.ClockChange
    team_threads: tuple[tuple[int, str], ...]  # (thread id, language): where it is announced


@unit_of_work
async def pause(session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime) -> Clocked:
    """``/exercise pause`` (``running.pause``), and the team threads to tell."""
    done = await running.pause(
        session, guild_id, await caller_of(session, guild_id, asker, now), reference, now
    )
    return Clocked(done, tuple(await access.team_threads(session, done.exercise_id)))


@unit_of_work
async def resume(
    session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime
) -> Clocked:
    """``/exercise resume`` (``running.resume``), and the team threads to tell."""
    done = await running.resume(
        session, guild_id, await caller_of(session, guild_id, asker, now), reference, now
    )
    return Clocked(done, tuple(await access.team_threads(session, done.exercise_id)))


@unit_of_work
async def inject_now(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    reference: str,
    now: datetime,
    *,
    inject: str | None,
    text: str | None,
    team: str | None,
    language: str,
) -> running.InjectNow:
    """``/exercise inject`` (``running.inject_now``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await running.inject_now(
        session, guild_id, caller, reference, now, inject=inject, text=text, team=team, language=language
    )


@unit_of_work
async def end(
    session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime
) -> running.Ended:
    """``/exercise end`` (``running.end``)."""
    return await running.end(
        session, guild_id, await caller_of(session, guild_id, asker, now), reference, now
    )


# -- report, decisions, observations, hot wash ----------------------------------------------------
@unit_of_work
async def report(
    session: AsyncSession, guild_id: int, asker: Asker, reference: str, now: datetime
) -> reporting.ReportData:
    """``/exercise report`` (``reporting.gather``)."""
    return await reporting.gather(
        session, guild_id, await caller_of(session, guild_id, asker, now), reference, now
    )


@unit_of_work
async def remind_improvements(
    session: AsyncSession, guild_id: int, asker: Asker, exercise_id: int, now: datetime, *, language: str
) -> list[datetime]:
    """The report's "remind me" button (``reporting.remind_improvements``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await reporting.remind_improvements(
        session, guild_id, caller, str(exercise_id), now, language=language
    )


@dataclass(frozen=True)
class Decided:
    logged: records.Logged
    control_thread_id: int | None  # where the decision is mirrored


@unit_of_work
async def decide(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    thread_id: int,
    text: str,
    now: datetime,
    *,
    inject_id: int | None = None,
) -> Decided:
    """``/exercise decision`` or an inject's button (``records.decide``), and the control thread."""
    caller = await caller_of(session, guild_id, asker, now)
    logged = await records.decide(session, guild_id, caller, thread_id, text, now, inject_id=inject_id)
    exercise = await session.get(Exercise, logged.exercise_id)
    return Decided(logged, exercise.control_thread_id if exercise is not None else None)


@unit_of_work
async def observe(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    reference: str,
    note: str,
    now: datetime,
    *,
    inject: str | None,
    rating: str | None,
) -> records.Logged:
    """``/exercise observe`` (``records.observe``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await records.observe(
        session, guild_id, caller, reference, note, now, inject=inject, rating=rating
    )


@unit_of_work
async def hotwash_form(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    exercise_id: int,
    thread_id: int,
    language: str,
    now: datetime,
) -> records.HotwashForm:
    """The hot-wash form of an exercise, for the team whose thread the button is in (none in
    another thread: the control thread, a channel)."""
    caller = await caller_of(session, guild_id, asker, now)
    found = await records.team_of_thread(session, thread_id)
    team = found[1].name if found is not None and found[0].id == exercise_id else None
    return await records.hotwash_form(session, guild_id, caller, exercise_id, team, language)


@unit_of_work
async def answer_hotwash(
    session: AsyncSession,
    guild_id: int,
    asker: Asker,
    exercise_id: int,
    team: str | None,
    answers: list[str],
    now: datetime,
    *,
    language: str,
) -> records.HotwashForm:
    """The hot-wash form sent (``records.answer_hotwash``)."""
    caller = await caller_of(session, guild_id, asker, now)
    return await records.answer_hotwash(
        session, guild_id, caller, exercise_id, team, answers, now, language=language
    )
