"""Courses ("learn"): course files, members walking them, certificates, cohorts.

This package is also where ``/liaison stats`` and ``/me export|delete`` find the feature's hooks
(``stats``, ``export_member``, ``erase_member``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models.learn import Answer, Assignment, Certificate, CohortMember, Course, Progress
from bot.db.models.resources import Resource
from bot.services import labels
from bot.services.learn import certificates, cohorts, courses, steps, walk
from bot.services.learn.course_file import CourseFileError
from bot.services.learn.courses import Listed

__all__ = [
    "CourseFileError",
    "Listed",
    "MemberProgress",
    "certificates",
    "cohorts",
    "courses",
    "erase_member",
    "export_member",
    "progress_of",
    "stats",
    "walk",
]


@dataclass(frozen=True)
class MemberProgress:
    course_id: int
    title: str
    label: str
    position: int
    total: int
    completed_at: datetime | None
    quiz_scores: dict[str, int]
    pre_score: int | None
    post_score: int | None
    certificate: str | None


async def progress_of(
    session: AsyncSession, guild_id: int, user_id: int, *, verified: bool
) -> list[MemberProgress]:
    """Where the member stands in each course they started (that the asker may see)."""
    rows = (
        await session.execute(
            select(Progress, Course)
            .join(Course, Course.id == Progress.course_id)
            .where(
                Progress.guild_id == guild_id,
                Progress.user_id == user_id,
                labels.sql_visible(Course.label, verified),
            )
            .order_by(Course.title)
        )
    ).all()
    codes = {c.course_id: c.code for c in await certificates.of_member(session, guild_id, user_id)}
    out = []
    for progress, row in rows:
        course = courses.definition(row)
        scores: dict[str, int] = {}
        for part in steps.module_parts(course) + [
            p for p in (steps.PRE, steps.POST) if steps.quiz_of(course, p)
        ]:
            answers = await walk.answers_of(session, progress, part, walk.attempt_of(progress, part))
            if answers:
                scores[part] = walk.score(course, part, answers)[0]
        out.append(
            MemberProgress(
                row.id,
                row.title,
                row.label,
                progress.position,
                len(steps.steps_of(course)),
                progress.completed_at,
                {k: v for k, v in scores.items() if k not in (steps.PRE, steps.POST)},
                scores.get(steps.PRE),
                scores.get(steps.POST),
                codes.get(row.id),
            )
        )
    return out


async def lesson_resources(
    session: AsyncSession, guild_id: int, ids: tuple[int, ...], *, verified: bool
) -> list[tuple[int, str]]:
    """(id, title) of a lesson's linked resources that the member may see, in the lesson's order."""
    if not ids:
        return []
    rows = await session.execute(
        select(Resource.id, Resource.title).where(
            Resource.guild_id == guild_id, Resource.id.in_(ids), labels.sql_visible(Resource.label, verified)
        )
    )
    found = {int(rid): str(title) for rid, title in rows}
    return [(rid, found[rid]) for rid in ids if rid in found]


# -- per-feature hooks -----------------------------------------------------------------------
async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    async def count(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.guild_id == guild_id, *where)
        return int(await session.scalar(query) or 0)

    return {
        "learn.stats.courses": await count(Course),
        "learn.stats.started": await count(Progress),
        "learn.stats.certificates": await count(Certificate, Certificate.withdrawn_at.is_(None)),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    progress = (
        await session.execute(
            select(Progress, Course)
            .join(Course, Course.id == Progress.course_id)
            .where(Progress.guild_id == guild_id, Progress.user_id == user_id)
            .order_by(Progress.id)
        )
    ).all()
    out_progress = []
    for row, course in progress:
        given = await session.scalars(select(Answer).where(Answer.progress_id == row.id).order_by(Answer.id))
        out_progress.append(
            {
                "course": course.title,
                "position": row.position,
                "started_at": _iso(row.started_at),
                "completed_at": _iso(row.completed_at),
                "answers": [
                    {
                        "part": a.part,
                        "question": a.question + 1,
                        "attempt": a.attempt,
                        "choices": [int(c) + 1 for c in a.choices.split(",") if c],
                        "correct": a.correct,
                        "at": _iso(a.answered_at),
                    }
                    for a in given
                ],
            }
        )
    certs = await certificates.of_member(session, guild_id, user_id)
    cohort_rows = await session.scalars(
        select(CohortMember).where(CohortMember.guild_id == guild_id, CohortMember.user_id == user_id)
    )
    return {
        "progress": out_progress,
        "certificates": [
            {"code": c.code, "course": c.course_title, "name": c.member_name, "issued_at": _iso(c.issued_at)}
            for c in certs
        ],
        "cohorts": [
            {"invited_at": _iso(m.invited_at), "reminded_at": _iso(m.reminded_at)} for m in cohort_rows
        ],
    }


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Progress and answers go; certificates stay as bare codes, withdrawn (verifying one says
    so); the member's id leaves the courses they loaded and the cohorts they assigned."""
    await session.execute(delete(Progress).where(Progress.guild_id == guild_id, Progress.user_id == user_id))
    await session.execute(
        delete(CohortMember).where(CohortMember.guild_id == guild_id, CohortMember.user_id == user_id)
    )
    await session.execute(
        update(Certificate)
        .where(Certificate.guild_id == guild_id, Certificate.user_id == user_id)
        .values(user_id=None, member_name=None, withdrawn_at=utcnow())
    )
    await session.execute(
        update(Course).where(Course.guild_id == guild_id, Course.loaded_by == user_id).values(loaded_by=None)
    )
    await session.execute(
        update(Assignment)
        .where(Assignment.guild_id == guild_id, Assignment.assigned_by == user_id)
        .values(assigned_by=None)
    )
