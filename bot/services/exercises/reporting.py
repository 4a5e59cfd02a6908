"""The after-action report's data: timeline, decisions, observations and ratings, hot wash,
improvement items. Rendering (Markdown, HTML) is ``bot.exercises.report``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import (
    LOADED,
    SENT,
    ExerciseDecision,
    ExerciseDelivery,
    ExerciseHotwash,
    ExerciseInject,
    ExerciseObservation,
)
from bot.documents import Bilingual
from bot.errors import Invalid
from bot.exercises import clock
from bot.services.exercises.access import Caller, clock_of, get, require_facilitator, scenario_of

IMPROVEMENT_DAYS = 30


@dataclass(frozen=True)
class InjectLine:
    number: int
    offset: int
    title: Bilingual
    text: Bilingual
    teams: tuple[str, ...]  # empty: every team
    scripted: bool
    sent_at: datetime | None
    sent_offset: float | None
    late: bool
    expected: tuple[Bilingual, ...]
    notes: Bilingual | None
    ratings: tuple[str, ...]


@dataclass(frozen=True)
class DecisionLine:
    team: str
    offset: float
    at: datetime
    text: str
    inject_number: int | None


@dataclass(frozen=True)
class ObservationLine:
    offset: float
    at: datetime
    note: str
    rating: str | None
    inject_number: int | None


@dataclass(frozen=True)
class HotwashLine:
    team: str | None
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Improvement:
    what: str
    owner: str
    due: datetime
    source: str  # "observation" or "hotwash"


@dataclass(frozen=True)
class ReportData:
    exercise_id: int
    title: Bilingual
    label: str
    briefing: Bilingual
    teams: tuple[str, ...]
    state: str
    speed: float
    started_at: datetime | None
    ended_at: datetime | None
    elapsed: float
    questions: tuple[Bilingual, ...]
    injects: tuple[InjectLine, ...]
    decisions: tuple[DecisionLine, ...]
    observations: tuple[ObservationLine, ...]
    hotwash: tuple[HotwashLine, ...]
    improvements: tuple[Improvement, ...]


async def gather(
    session: AsyncSession, guild_id: int, caller: Caller, reference: str, now: datetime
) -> ReportData:
    exercise = await get(session, guild_id, reference, caller)
    await require_facilitator(session, exercise, caller)
    if exercise.state == LOADED:
        raise Invalid("exercises.error.not_started", title=exercise.title)
    scenario = scenario_of(exercise)
    injects = list(
        await session.scalars(
            select(ExerciseInject)
            .where(ExerciseInject.exercise_id == exercise.id)
            .order_by(ExerciseInject.number)
        )
    )
    by_id = {i.id: i for i in injects}
    sent_ids = set(
        await session.scalars(
            select(ExerciseDelivery.inject_id).where(
                ExerciseDelivery.exercise_id == exercise.id, ExerciseDelivery.state == SENT
            )
        )
    )
    observations = list(
        await session.scalars(
            select(ExerciseObservation)
            .where(ExerciseObservation.exercise_id == exercise.id)
            .order_by(ExerciseObservation.offset, ExerciseObservation.id)
        )
    )
    decisions = list(
        await session.scalars(
            select(ExerciseDecision)
            .where(ExerciseDecision.exercise_id == exercise.id)
            .order_by(ExerciseDecision.offset, ExerciseDecision.id)
        )
    )
    answers = list(
        await session.scalars(
            select(ExerciseHotwash)
            .where(ExerciseHotwash.exercise_id == exercise.id)
            .order_by(ExerciseHotwash.id)
        )
    )
    lines = []
    for row in injects:
        if row.id not in sent_ids:
            continue  # the timeline holds what was sent
        content = row.content
        ratings = tuple(o.rating for o in observations if o.inject_id == row.id and o.rating)
        lines.append(
            InjectLine(
                number=row.number,
                offset=row.offset,
                title=Bilingual.from_json(content["title"]),
                text=Bilingual.from_json(content["text"]),
                teams=tuple(content.get("teams") or ()),
                scripted=row.scripted,
                sent_at=row.sent_at,
                sent_offset=row.sent_offset,
                late=row.late,
                expected=tuple(Bilingual.from_json(e) for e in content.get("expected") or ()),
                notes=Bilingual.from_json(content["notes"]) if content.get("notes") else None,
                ratings=ratings,
            )
        )
    due = (exercise.ended_at or now) + timedelta(days=IMPROVEMENT_DAYS)
    improvements: list[Improvement] = []
    for observation in observations:
        if observation.rating not in ("partly", "not_met"):
            continue
        inject = by_id.get(observation.inject_id or -1)
        teams = tuple((inject.content.get("teams") or ()) if inject else ())
        owner = ", ".join(teams) if teams else ", ".join(t.name for t in scenario.teams)
        improvements.append(Improvement(observation.note, owner, due, "observation"))
    last = len(scenario.hotwash) - 1
    for answer in answers:
        if len(answer.answers) > last >= 0 and answer.answers[last]:
            improvements.append(Improvement(answer.answers[last], answer.team or "-", due, "hotwash"))
    inject_numbers = {i.id: i.number for i in injects}
    return ReportData(
        exercise_id=exercise.id,
        title=scenario.title,
        label=exercise.label,
        briefing=scenario.briefing,
        teams=tuple(t.name for t in scenario.teams),
        state=exercise.state,
        speed=exercise.speed,
        started_at=exercise.started_at,
        ended_at=exercise.ended_at,
        elapsed=clock.elapsed(clock_of(exercise), now),
        questions=scenario.hotwash,
        injects=tuple(lines),
        decisions=tuple(
            DecisionLine(d.team, d.offset, d.created_at, d.text, inject_numbers.get(d.inject_id or -1))
            for d in decisions
        ),
        observations=tuple(
            ObservationLine(o.offset, o.created_at, o.note, o.rating, inject_numbers.get(o.inject_id or -1))
            for o in observations
        ),
        hotwash=tuple(HotwashLine(a.team, tuple(a.answers)) for a in answers),
        improvements=tuple(improvements),
    )


async def remind_improvements(
    session: AsyncSession, guild_id: int, caller: Caller, reference: str, now: datetime, *, language: str
) -> list[datetime]:
    """The report's improvement items as the facilitator's own reminders, each on its due date at
    09:00 (their time zone); returns the moments planned."""
    from bot.services import reminders

    data = await gather(session, guild_id, caller, reference, now)
    title = data.title.get(language)
    planned: list[datetime] = []
    for item in data.improvements:
        what = f"{title}: {item.what} ({item.owner})"[: reminders.WHAT_LIMIT]
        done = await reminders.remind(
            session, guild_id, caller.user_id, f"{item.due:%Y-%m-%d} 09:00", what, now, language=language
        )
        planned.append(done.reminder.fire_at)
    return planned
