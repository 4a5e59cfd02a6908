"""What an exercise records: the teams' decisions, the observers' observations, the hot wash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import (
    CONTROLLER,
    ENDED,
    LOADED,
    OBSERVER,
    PLAYER,
    RATINGS,
    Exercise,
    ExerciseDecision,
    ExerciseHotwash,
    ExerciseInject,
    ExerciseObservation,
    ExerciseTeam,
)
from bot.db.unit import unit_of_work
from bot.errors import Invalid, NotAllowed, NotFound
from bot.exercises import clock
from bot.exercises.scenario import format_offset
from bot.ids import parse_id
from bot.services.exercises.access import Caller, clock_of, get, is_facilitator, member, scenario_of

TEXT_LIMIT = 1500
ANSWER_LIMIT = 1000


@dataclass(frozen=True)
class Logged:
    exercise_id: int
    team: str | None
    offset: float
    inject_number: int | None = None
    record_id: int | None = None

    @property
    def time(self) -> str:
        return format_offset(self.offset)


def _text(value: str, limit: int, field: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise Invalid("error.required", field=field)
    if len(cleaned) > limit:
        raise Invalid("error.too_long", field=field, limit=limit)
    return cleaned


async def team_of_thread(session: AsyncSession, thread_id: int) -> tuple[Exercise, ExerciseTeam] | None:
    row = await session.execute(
        select(Exercise, ExerciseTeam)
        .join(ExerciseTeam, ExerciseTeam.exercise_id == Exercise.id)
        .where(ExerciseTeam.thread_id == thread_id)
    )
    found = row.first()
    return (found[0], found[1]) if found else None


async def _may_speak_for(session: AsyncSession, exercise: Exercise, team: str, caller: Caller) -> bool:
    row = await member(session, exercise.id, caller.user_id)
    if row is not None and row.role == PLAYER:
        return row.team == team
    return await is_facilitator(session, exercise, caller)


async def decide(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    thread_id: int,
    text: str,
    now: datetime,
    *,
    inject_id: int | None = None,
) -> Logged:
    """A team's decision, from inside the team's thread (``/exercise decision`` or an inject's button)."""
    found = await team_of_thread(session, thread_id)
    if found is None or found[0].guild_id != guild_id:
        raise Invalid("exercises.error.not_team_thread")
    exercise, team = found
    if exercise.state in (LOADED, ENDED):
        raise Invalid("exercises.error.not_running", title=exercise.title)
    if not await _may_speak_for(session, exercise, team.name, caller):
        raise NotAllowed("exercises.error.not_player")
    cleaned = _text(text, TEXT_LIMIT, "text")
    number = None
    if inject_id is not None:
        inject = await session.get(ExerciseInject, inject_id)
        if inject is None or inject.exercise_id != exercise.id:
            inject_id = None
        else:
            number = inject.number
    offset = clock.elapsed(clock_of(exercise), now)
    decision = ExerciseDecision(
        exercise_id=exercise.id,
        team=team.name,
        user_id=caller.user_id,
        inject_id=inject_id,
        text=cleaned,
        offset=offset,
        created_at=now,
    )
    session.add(decision)
    await session.flush()
    return Logged(exercise.id, team.name, offset, number, decision.id)


@unit_of_work
async def decision_posted(
    session: AsyncSession, decision_id: int, message_id: int | None, mirror_message_id: int | None
) -> None:
    """Where the bot showed a decision (its post in the team's thread, the control thread's
    mirror), so that ``/me delete`` can edit them. A decision erased meanwhile is left alone."""
    decision = await session.get(ExerciseDecision, decision_id)
    if decision is not None:
        decision.message_id = message_id
        decision.mirror_message_id = mirror_message_id


async def observe(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    reference: str,
    note: str,
    now: datetime,
    *,
    inject: str | None = None,
    rating: str | None = None,
) -> Logged:
    """A facilitator's or an observer's note, maybe about an inject, maybe rated."""
    exercise = await get(session, guild_id, reference, caller)
    if exercise.state == LOADED:
        raise Invalid("exercises.error.not_started", title=exercise.title)
    row = await member(session, exercise.id, caller.user_id)
    if not (row is not None and row.role in (OBSERVER, CONTROLLER)) and not await is_facilitator(
        session, exercise, caller
    ):
        raise NotAllowed("exercises.error.observers_only")
    cleaned = _text(note, TEXT_LIMIT, "note")
    if rating is not None:
        rating = rating.strip().lower().replace(" ", "_")
        if rating not in RATINGS:
            raise Invalid("exercises.error.bad_rating", value=rating[:20])
    inject_row = None
    if inject:
        scripted = scenario_of(exercise).inject(inject)
        number = scripted.number if scripted is not None else None
        if number is None:
            number = parse_id(inject.strip().lstrip("#"))  # an ad hoc one, by number
        if number is not None:
            inject_row = await session.scalar(
                select(ExerciseInject).where(
                    ExerciseInject.exercise_id == exercise.id, ExerciseInject.number == number
                )
            )
        if inject_row is None:
            raise NotFound("exercises.error.no_inject", value=inject[:40])
    offset = clock.elapsed(clock_of(exercise), now)
    session.add(
        ExerciseObservation(
            exercise_id=exercise.id,
            user_id=caller.user_id,
            inject_id=inject_row.id if inject_row else None,
            note=cleaned,
            rating=rating,
            offset=offset,
            created_at=now,
        )
    )
    await session.flush()
    return Logged(exercise.id, None, offset, inject_row.number if inject_row else None)


@dataclass(frozen=True)
class HotwashForm:
    exercise_id: int
    title: str
    team: str | None
    questions: tuple[str, ...]


async def hotwash_form(
    session: AsyncSession, guild_id: int, caller: Caller, exercise_id: int, team: str | None, language: str
) -> HotwashForm:
    """The questions a member may answer for ``team`` (players of that team, facilitators)."""
    exercise = await get(session, guild_id, exercise_id, caller)
    if exercise.state != ENDED:
        raise Invalid("exercises.error.hotwash_closed", title=exercise.title)
    row = await member(session, exercise.id, caller.user_id)
    allowed = (row is not None and (row.role != PLAYER or row.team == team)) or await is_facilitator(
        session, exercise, caller
    )
    if not allowed:
        raise NotAllowed("exercises.error.not_player")
    questions = tuple(q.get(language) for q in scenario_of(exercise).hotwash)
    return HotwashForm(exercise.id, exercise.title, team, questions)


async def answer_hotwash(
    session: AsyncSession,
    guild_id: int,
    caller: Caller,
    exercise_id: int,
    team: str | None,
    answers: list[str],
    now: datetime,
    *,
    language: str = "en",
) -> HotwashForm:
    form = await hotwash_form(session, guild_id, caller, exercise_id, team, language)
    cleaned = [(a or "").strip()[:ANSWER_LIMIT] for a in answers][: len(form.questions)]
    if not any(cleaned):
        raise Invalid("error.required", field="answers")
    session.add(
        ExerciseHotwash(
            exercise_id=exercise_id, team=team, user_id=caller.user_id, answers=cleaned, created_at=now
        )
    )
    await session.flush()
    return form


async def decision_thread(session: AsyncSession, exercise_id: int, team: str) -> int | None:
    return await session.scalar(
        select(ExerciseTeam.thread_id).where(
            ExerciseTeam.exercise_id == exercise_id, ExerciseTeam.name == team
        )
    )
