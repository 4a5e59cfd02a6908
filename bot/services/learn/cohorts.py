"""Cohorts: a course linked to an event (``/learn assign``) prepares the members who RSVP
``going``: they are sent the course (and asked for the pre-test), reminded before the event while
unfinished, and asked for the post-test after it. ``due`` finds that work and marks it done in the
same transaction (a message is sent at most once); ``report`` gives the cohort's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import GOING, Event, Rsvp
from bot.db.models.learn import Answer, Assignment, CohortMember, Course, Progress
from bot.db.unit import unit_of_work
from bot.errors import NotFound
from bot.services import audit, events, labels
from bot.services.learn import courses, steps
from bot.services.learn.course_file import CourseDef
from bot.services.learn.steps import POST, PRE

REMIND_BEFORE = timedelta(hours=24)
INVITE, REMIND, POST_TEST = "invite", "remind", "post"


@dataclass(frozen=True)
class Assigned:
    assignment_id: int
    course_id: int
    course_title: str
    event_id: int
    event_title: str
    created: bool


@dataclass(frozen=True)
class Task:
    """A message to send a cohort member: ``kind`` is invite, remind or post."""

    guild_id: int
    user_id: int
    kind: str
    course_id: int
    course_title: str
    event_title: str
    event_start: datetime
    pre_test: bool
    language: str | None = None  # the language the member answered the event in


@dataclass(frozen=True)
class QuestionStat:
    number: int
    text: str
    pre_answers: int
    pre_right: int | None  # percentage answered right, None when nobody answered
    post_answers: int
    post_right: int | None
    paired: int  # members who answered it in both tests
    gain: int | None  # percentage points, over the paired members


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    started: bool
    completed: bool
    position: int
    pre_score: int | None
    post_score: int | None


@dataclass
class Report:
    course_id: int
    course_title: str
    event_title: str | None
    total_steps: int
    members: int = 0
    started: int = 0
    completed: int = 0
    pre_taken: int = 0
    pre_mean: int | None = None
    post_taken: int = 0
    post_mean: int | None = None
    questions: list[QuestionStat] = field(default_factory=list)
    rows: list[MemberRow] = field(default_factory=list)


def event_end(event: Event) -> datetime:
    return event.starts_at + timedelta(minutes=event.duration_minutes)


@unit_of_work
async def assign(
    session: AsyncSession, guild_id: int, actor_id: int, course_text: str, event_text: str, language: str
) -> Assigned:
    row = await courses.resolve(session, guild_id, course_text, verified=True)
    event = await events.get_open(session, guild_id, events.parse_ref(event_text))
    found = await session.scalar(
        select(Assignment).where(Assignment.course_id == row.id, Assignment.event_id == event.id)
    )
    created = found is None
    if found is None:
        found = Assignment(guild_id=guild_id, course_id=row.id, event_id=event.id, assigned_by=actor_id)
        session.add(found)
        await session.flush()
        await audit.record(
            session, guild_id, actor_id, "course.assigned", target=f"course:{row.id} event:{event.id}"
        )
    title = courses.title_in(courses.definition(row), language)
    return Assigned(found.id, row.id, title, event.id, event.title, created)


@unit_of_work
async def due(session: AsyncSession, now: datetime, guild_id: int | None = None) -> list[Task]:
    """The cohort messages due now, each marked as sent as it is returned."""
    query = (
        select(Assignment, Course, Event)
        .join(Course, Course.id == Assignment.course_id)
        .join(Event, Event.id == Assignment.event_id)
        .where(Event.cancelled_at.is_(None))
        .order_by(Assignment.id)
    )
    if guild_id is not None:
        query = query.where(Assignment.guild_id == guild_id)
    tasks: list[Task] = []
    for assignment, course_row, event in (await session.execute(query)).all():
        course = courses.definition(course_row)
        going = {
            user_id: language
            for user_id, language in await session.execute(
                select(Rsvp.user_id, Rsvp.language).where(Rsvp.event_id == event.id, Rsvp.status == GOING)
            )
        }
        members = {
            m.user_id: m
            for m in await session.scalars(
                select(CohortMember).where(CohortMember.assignment_id == assignment.id)
            )
        }

        end = event_end(event)
        if now < end:
            for user_id in sorted(going.keys() - members.keys()):
                if labels.must_be_ephemeral([course_row.label]) and not await labels.is_verified(
                    session, assignment.guild_id, user_id, now
                ):
                    continue  # an AMBER course is never sent to a member who is not verified
                member = CohortMember(
                    guild_id=assignment.guild_id, assignment_id=assignment.id, user_id=user_id, invited_at=now
                )
                if now >= event.starts_at - REMIND_BEFORE:
                    member.reminded_at = now  # the invitation is the reminder
                session.add(member)
                tasks.append(_task(assignment, course_row, course, event, user_id, INVITE, going[user_id]))
        finished = await _finished(session, course_row.id, list(members))
        for user_id, member in members.items():
            if user_id not in going:
                continue
            if member.reminded_at is None and event.starts_at - REMIND_BEFORE <= now < event.starts_at:
                member.reminded_at = now
                if user_id not in finished:
                    tasks.append(
                        _task(assignment, course_row, course, event, user_id, REMIND, going[user_id])
                    )
            if member.post_asked_at is None and now >= end and course.post_test is not None:
                member.post_asked_at = now
                tasks.append(_task(assignment, course_row, course, event, user_id, POST_TEST, going[user_id]))
    await session.flush()
    return tasks


def _task(
    assignment: Assignment,
    row: Course,
    course: CourseDef,
    event: Event,
    user_id: int,
    kind: str,
    language: str | None,
) -> Task:
    return Task(
        assignment.guild_id,
        user_id,
        kind,
        row.id,
        row.title,
        event.title,
        event.starts_at,
        course.pre_test is not None,
        language,
    )


async def _finished(session: AsyncSession, course_id: int, user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    rows = await session.scalars(
        select(Progress.user_id).where(
            Progress.course_id == course_id,
            Progress.user_id.in_(user_ids),
            Progress.completed_at.is_not(None),
        )
    )
    return set(rows)


@unit_of_work
async def report(
    session: AsyncSession, guild_id: int, course_text: str, event_text: str | None, language: str
) -> Report:
    """Completion, pre/post-test scores and the gain per question of a cohort: the members of the
    course's event (with ``event``), else everyone who started the course."""
    row = await courses.resolve(session, guild_id, course_text, verified=True)
    course = courses.definition(row)
    event_title = None
    if event_text:
        event = await events.get(session, guild_id, events.parse_ref(event_text))
        assignment = await session.scalar(
            select(Assignment).where(Assignment.course_id == row.id, Assignment.event_id == event.id)
        )
        if assignment is None:
            raise NotFound("learn.cohort.not_assigned", course=row.title, event=event.title)
        user_ids = list(
            await session.scalars(
                select(CohortMember.user_id)
                .where(CohortMember.assignment_id == assignment.id)
                .order_by(CohortMember.id)
            )
        )
        event_title = event.title
    else:
        user_ids = list(
            await session.scalars(
                select(Progress.user_id).where(Progress.course_id == row.id).order_by(Progress.id)
            )
        )
    return await compute(session, row, course, user_ids, event_title, language)


async def compute(
    session: AsyncSession,
    row: Course,
    course: CourseDef,
    user_ids: list[int],
    event_title: str | None,
    language: str,
) -> Report:
    out = Report(row.id, courses.title_in(course, language), event_title, len(steps.steps_of(course)))
    out.members = len(user_ids)
    progress = {
        p.user_id: p
        for p in await session.scalars(
            select(Progress).where(Progress.course_id == row.id, Progress.user_id.in_(user_ids or [-1]))
        )
    }
    by_progress = {p.id: p.user_id for p in progress.values()}
    answers: dict[tuple[int, str], dict[int, bool]] = {}
    if by_progress:
        for answer in await session.scalars(
            select(Answer).where(Answer.progress_id.in_(list(by_progress)), Answer.part.in_((PRE, POST)))
        ):
            answers.setdefault((by_progress[answer.progress_id], answer.part), {})[answer.question] = (
                answer.correct
            )
    sizes = {
        PRE: len(course.pre_test.questions) if course.pre_test else 0,
        POST: len(course.post_test.questions) if course.post_test else 0,
    }

    def test_score(user_id: int, part: str) -> int | None:
        given = answers.get((user_id, part), {})
        if not sizes[part] or len(given) < sizes[part]:
            return None  # not taken (or not finished)
        return round(100 * sum(given.values()) / sizes[part])

    for user_id in user_ids:
        p = progress.get(user_id)
        out.rows.append(
            MemberRow(
                user_id,
                p is not None,
                bool(p and p.completed_at),
                p.position if p else 0,
                test_score(user_id, PRE),
                test_score(user_id, POST),
            )
        )
    out.started = sum(1 for r in out.rows if r.started)
    out.completed = sum(1 for r in out.rows if r.completed)
    pre = [r.pre_score for r in out.rows if r.pre_score is not None]
    post = [r.post_score for r in out.rows if r.post_score is not None]
    out.pre_taken, out.post_taken = len(pre), len(post)
    out.pre_mean = round(sum(pre) / len(pre)) if pre else None
    out.post_mean = round(sum(post) / len(post)) if post else None
    out.questions = _per_question(course, user_ids, answers, language)
    return out


def _percent(values: list[bool]) -> int | None:
    return round(100 * sum(values) / len(values)) if values else None


def _per_question(
    course: CourseDef, user_ids: list[int], answers: dict[tuple[int, str], dict[int, bool]], language: str
) -> list[QuestionStat]:
    if course.pre_test is None and course.post_test is None:
        return []
    reference = course.pre_test or course.post_test
    assert reference is not None
    stats = []
    for index, question in enumerate(reference.questions):
        pre = [answers[(u, PRE)][index] for u in user_ids if index in answers.get((u, PRE), {})]
        post = [answers[(u, POST)][index] for u in user_ids if index in answers.get((u, POST), {})]
        paired = [
            u for u in user_ids if index in answers.get((u, PRE), {}) and index in answers.get((u, POST), {})
        ]
        gain = None
        if paired and course.pre_test and course.post_test:
            before = _percent([answers[(u, PRE)][index] for u in paired]) or 0
            after = _percent([answers[(u, POST)][index] for u in paired]) or 0
            gain = after - before
        text = question.text.get(language) or next(iter(question.text.values()))
        stats.append(
            QuestionStat(
                index + 1, text, len(pre), _percent(pre), len(post), _percent(post), len(paired), gain
            )
        )
    return stats
