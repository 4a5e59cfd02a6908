"""Exercises in ``/me export``, ``/me delete`` and ``/liaison stats``.

A member's erasure removes their assignments and what they typed (decisions, observations,
hot-wash answers); exercises they loaded and ad hoc injects they sent lose their name
(``loaded_by``, ``author_id``: the inject stays, it is the exercise's material as a scenario's
injects are). The bot's posts of their decisions (the team thread's, which names them, and the
control thread's mirror) are listed for ``/me delete`` to redraw without the member or the text:
a decision is typed text, which goes whatever ``qa_text`` says (only Q&A text may stay)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import (
    ENDED,
    SENT,
    Exercise,
    ExerciseDecision,
    ExerciseDelivery,
    ExerciseHotwash,
    ExerciseInject,
    ExerciseMember,
    ExerciseObservation,
    ExerciseTeam,
)
from bot.exercises.scenario import format_offset


def _of_guild(column: Any, guild_id: int) -> Any:
    return column.in_(select(Exercise.id).where(Exercise.guild_id == guild_id))


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    members = await session.scalars(
        select(ExerciseMember).where(ExerciseMember.guild_id == guild_id, ExerciseMember.user_id == user_id)
    )
    decisions = await session.scalars(
        select(ExerciseDecision).where(
            _of_guild(ExerciseDecision.exercise_id, guild_id), ExerciseDecision.user_id == user_id
        )
    )
    observations = await session.scalars(
        select(ExerciseObservation).where(
            _of_guild(ExerciseObservation.exercise_id, guild_id), ExerciseObservation.user_id == user_id
        )
    )
    answers = await session.scalars(
        select(ExerciseHotwash).where(
            _of_guild(ExerciseHotwash.exercise_id, guild_id), ExerciseHotwash.user_id == user_id
        )
    )
    return {
        "assignments": [{"exercise_id": m.exercise_id, "role": m.role, "team": m.team} for m in members],
        "decisions": [{"exercise_id": d.exercise_id, "team": d.team, "text": d.text} for d in decisions],
        "observations": [
            {"exercise_id": o.exercise_id, "note": o.note, "rating": o.rating} for o in observations
        ],
        "hotwash_answers": [{"exercise_id": a.exercise_id, "answers": a.answers} for a in answers],
    }


Found = tuple[str, tuple[int, ...], int, int, bool, tuple[tuple[str, str], ...]]


async def bot_messages(
    session: AsyncSession, guild_id: int, user_id: int, *, erase_text: bool = False
) -> list[Found]:
    """The posts of the member's decisions: in the team's thread (kind ``exercises.decision``,
    naming them) and the control thread's mirror (``exercises.decision_mirror``); ``params`` give
    the thread's language, the exercise time and the team, to redraw them."""
    rows = await session.execute(
        select(ExerciseDecision, Exercise, ExerciseTeam)
        .join(Exercise, Exercise.id == ExerciseDecision.exercise_id)
        .outerjoin(
            ExerciseTeam,
            (ExerciseTeam.exercise_id == ExerciseDecision.exercise_id)
            & (ExerciseTeam.name == ExerciseDecision.team),
        )
        .where(Exercise.guild_id == guild_id, ExerciseDecision.user_id == user_id)
    )
    found: list[Found] = []
    for decision, exercise, team in rows:
        time, name = format_offset(decision.offset), decision.team
        if decision.message_id and team is not None:
            params = (("language", team.language), ("time", time), ("team", name))
            found.append(
                ("exercises.decision", (team.thread_id,), decision.message_id, decision.id, True, params)
            )
        if decision.mirror_message_id and exercise.control_thread_id:
            language = exercise.control_language or exercise.language
            params = (("language", language), ("time", time), ("team", name))
            found.append(
                (
                    "exercises.decision_mirror",
                    (exercise.control_thread_id,),
                    decision.mirror_message_id,
                    decision.id,
                    True,
                    params,
                )
            )
    return found


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    await session.execute(
        delete(ExerciseMember).where(ExerciseMember.guild_id == guild_id, ExerciseMember.user_id == user_id)
    )
    for model in (ExerciseDecision, ExerciseObservation, ExerciseHotwash):
        await session.execute(
            delete(model).where(_of_guild(model.exercise_id, guild_id), model.user_id == user_id)  # type: ignore[attr-defined]
        )
    await session.execute(
        update(Exercise)
        .where(Exercise.guild_id == guild_id, Exercise.loaded_by == user_id)
        .values(loaded_by=None)
    )
    await session.execute(
        update(ExerciseInject)
        .where(_of_guild(ExerciseInject.exercise_id, guild_id), ExerciseInject.author_id == user_id)
        .values(author_id=None)
    )


async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    loaded = await session.scalar(select(func.count()).where(Exercise.guild_id == guild_id))
    ended = await session.scalar(
        select(func.count()).where(Exercise.guild_id == guild_id, Exercise.state == ENDED)
    )
    sent = await session.scalar(
        select(func.count()).where(ExerciseDelivery.guild_id == guild_id, ExerciseDelivery.state == SENT)
    )
    return {
        "exercises.stats.loaded": int(loaded or 0),
        "exercises.stats.ended": int(ended or 0),
        "exercises.stats.injects_sent": int(sent or 0),
    }
