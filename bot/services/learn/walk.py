"""A member walking a course: one step at a time, forward and back, answering questions, retrying
quizzes. Every call returns the ``StepView`` to show; the position is kept in the database, so a
member continues where they left off, from any message."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import Event
from bot.db.models.learn import Answer, Assignment, CohortMember, Course, Progress
from bot.errors import Invalid
from bot.services.learn import courses, steps
from bot.services.learn.course_file import CourseDef
from bot.services.learn.steps import INTRO, LESSON, POST, PRE, QUESTION, RESULT, Step

NEXT, BACK, RETRY, ANSWER, SHOW, RESUME = "next", "back", "retry", "answer", "show", "resume"


@dataclass(frozen=True)
class StepView:
    course_id: int
    course_title: str
    label: str
    position: int
    total: int
    kind: str
    part: str = ""
    module_number: int = 0
    module_title: str | None = None
    title: str | None = None
    body: str | None = None
    resources: tuple[int, ...] = ()
    options: tuple[str, ...] = ()
    multiple: bool = False
    question_number: int = 0
    question_count: int = 0
    answered: tuple[int, ...] | None = None
    correct: tuple[int, ...] | None = None  # shown once answered (never in the pre-test)
    was_correct: bool | None = None
    explanation: str | None = None
    attempt: int = 1
    score: int | None = None
    pass_mark: int | None = None
    passed: bool | None = None
    can_back: bool = False
    can_next: bool = False
    can_retry: bool = False
    can_resume: bool = False  # at the end with modules unfinished: back to the first of them
    completed: bool = False
    locked_until: datetime | None = None
    summary: dict[str, int] = field(default_factory=dict)


def _language(course: CourseDef, language: str) -> str:
    return language if language in course.languages else course.languages[0]


def _pick(text: dict[str, str] | None, lang: str) -> str | None:
    if text is None:
        return None
    return text.get(lang) or next(iter(text.values()))


def _correct_set(choices: str) -> tuple[int, ...]:
    return tuple(int(c) for c in choices.split(",") if c != "")


def attempt_of(progress: Progress, part: str) -> int:
    return 1 if part in (PRE, POST) else int((progress.attempts or {}).get(part, 1))


async def answers_of(session: AsyncSession, progress: Progress, part: str, attempt: int) -> dict[int, Answer]:
    rows = await session.scalars(
        select(Answer).where(
            Answer.progress_id == progress.id, Answer.part == part, Answer.attempt == attempt
        )
    )
    return {row.question: row for row in rows}


def score(course: CourseDef, part: str, answers: dict[int, Answer]) -> tuple[int, bool]:
    """(percentage of the part's questions answered right, passed): a question with several
    right options counts only when exactly those were chosen."""
    quiz = steps.quiz_of(course, part)
    assert quiz is not None
    right = sum(1 for a in answers.values() if a.correct)
    percent = round(100 * right / len(quiz.questions)) if quiz.questions else 100
    return percent, percent >= quiz.pass_mark


async def passed_parts(session: AsyncSession, course: CourseDef, progress: Progress) -> set[str]:
    done = set()
    for part in steps.module_parts(course):
        answers = await answers_of(session, progress, part, attempt_of(progress, part))
        if score(course, part, answers)[1] and len(answers) == len(steps.quiz_of(course, part).questions):  # type: ignore[union-attr]
            done.add(part)
    return done


async def _cohort_ends(session: AsyncSession, guild_id: int, course_id: int, user_id: int) -> list[datetime]:
    """When the events end whose cohorts of this course the member belongs to."""
    rows = await session.execute(
        select(Event.starts_at, Event.duration_minutes)
        .join(Assignment, Assignment.event_id == Event.id)
        .join(CohortMember, CohortMember.assignment_id == Assignment.id)
        .where(
            Assignment.guild_id == guild_id,
            Assignment.course_id == course_id,
            CohortMember.user_id == user_id,
            Event.cancelled_at.is_(None),
        )
    )
    return [start + timedelta(minutes=minutes) for start, minutes in rows]


async def post_test_opens_at(
    session: AsyncSession, guild_id: int, course_id: int, user_id: int, now: datetime
) -> datetime | None:
    """When a member of a cohort may take the post-test: after the end of their event, if it has
    not ended yet (None: open now)."""
    later = [end for end in await _cohort_ends(session, guild_id, course_id, user_id) if end > now]
    return max(later) if later else None


async def _to_post_test(
    session: AsyncSession, course: CourseDef, progress: Progress, line: tuple[Step, ...], now: datetime
) -> None:
    """A cohort's member whose event is over goes straight to the post-test they have not taken,
    even with modules unfinished: what they learnt at the workshop counts too (they come back to
    the modules after it)."""
    if course.post_test is None or progress.position >= steps.first_of(line, POST):
        return
    ends = await _cohort_ends(session, progress.guild_id, progress.course_id, progress.user_id)
    if not ends or any(end > now for end in ends):
        return
    if len(await answers_of(session, progress, POST, 1)) < len(course.post_test.questions):
        progress.position = steps.first_of(line, POST)
        await session.flush()


async def _progress(
    session: AsyncSession, guild_id: int, course_id: int, user_id: int, now: datetime, *, create: bool
) -> Progress | None:
    row = await session.scalar(
        select(Progress).where(Progress.course_id == course_id, Progress.user_id == user_id)
    )
    if row is None and create:
        row = Progress(
            guild_id=guild_id,
            course_id=course_id,
            user_id=user_id,
            position=0,
            attempts={},
            started_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
    return row


async def start(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    text: str,
    language: str,
    now: datetime,
    *,
    verified: bool,
) -> StepView:
    """``/learn start``: the course's current step for the member (the first, the first time)."""
    row = await courses.resolve(session, guild_id, text, verified=verified)
    progress = await _progress(session, guild_id, row.id, user_id, now, create=True)
    assert progress is not None
    course = courses.definition(row)
    await _to_post_test(session, course, progress, steps.steps_of(course), now)
    return await _view(session, row, progress, language, now)


async def act(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    course_id: int,
    action: str,
    position: int,
    language: str,
    now: datetime,
    *,
    verified: bool,
    choices: list[int] | None = None,
) -> StepView:
    """A button or a menu of a step's message. An action on a step that is no longer the
    member's current one (an old message, a double click) only shows the current step."""
    row = await courses.get(session, guild_id, course_id, verified=verified)
    progress = await _progress(session, guild_id, row.id, user_id, now, create=True)
    assert progress is not None
    course = courses.definition(row)
    line = steps.steps_of(course)
    progress.position = min(progress.position, len(line) - 1)
    if action == SHOW or position != progress.position:
        return await _view(session, row, progress, language, now)
    current = await _view(session, row, progress, language, now)
    step = line[progress.position]
    if action == ANSWER and current.locked_until is None:
        await _answer(session, course, progress, step, choices or [], now)
    elif action == BACK and current.can_back:
        progress.position -= 1
    elif action == NEXT and current.can_next:
        progress.position += 1
        await _maybe_complete(session, course, progress, line, now)
    elif action == RETRY and current.can_retry:
        progress.attempts = {**(progress.attempts or {}), step.part: attempt_of(progress, step.part) + 1}
        progress.position = steps.first_of(line, step.part)
    elif action == RESUME and current.can_resume:
        progress.position = await _first_unfinished(session, course, progress, line)
    progress.updated_at = now
    await session.flush()
    return await _view(session, row, progress, language, now)


async def _answer(
    session: AsyncSession,
    course: CourseDef,
    progress: Progress,
    step: Step,
    choices: list[int],
    now: datetime,
) -> None:
    if step.kind != QUESTION:
        return
    question = steps.question_of(course, step)
    picked = sorted(set(choices))
    if not picked or any(not 0 <= c < len(question.options) for c in picked):
        raise Invalid("learn.answer.invalid")
    if not question.multiple and len(picked) != 1:
        raise Invalid("learn.answer.invalid")
    attempt = attempt_of(progress, step.part)
    if step.index in await answers_of(session, progress, step.part, attempt):
        return  # answered already in this attempt
    session.add(
        Answer(
            progress_id=progress.id,
            part=step.part,
            question=step.index,
            attempt=attempt,
            choices=",".join(str(c) for c in picked),
            correct=picked == sorted(question.correct),
            answered_at=now,
        )
    )
    await session.flush()


async def _maybe_complete(
    session: AsyncSession, course: CourseDef, progress: Progress, line: tuple[Step, ...], now: datetime
) -> None:
    # On the last step of the last module (its quiz's result, or its last lesson) or beyond.
    if progress.completed_at is not None or progress.position < steps.modules_end(line) - 1:
        return
    if await passed_parts(session, course, progress) >= set(steps.module_parts(course)):
        progress.completed_at = now


async def _view(
    session: AsyncSession, row: Course, progress: Progress, language: str, now: datetime
) -> StepView:
    course = courses.definition(row)
    lang = _language(course, language)
    line = steps.steps_of(course)
    position = min(progress.position, len(line) - 1)
    step = line[position]
    base = StepView(
        course_id=row.id,
        course_title=courses.title_in(course, lang),
        label=row.label,
        position=position,
        total=len(line),
        kind=step.kind,
        part=step.part,
        can_back=position > 0,
        completed=progress.completed_at is not None,
    )
    if step.module >= 0:
        module = course.modules[step.module]
        base = replace(base, module_number=step.module + 1, module_title=_pick(module.title, lang))
    if step.kind == INTRO:
        return replace(
            base,
            body=_pick(course.summary, lang),
            can_next=True,
            summary={
                "modules": len(course.modules),
                "lessons": course.lessons,
                "questions": course.quiz_questions,
                "pre": len(course.pre_test.questions) if course.pre_test else 0,
                "post": len(course.post_test.questions) if course.post_test else 0,
            },
        )
    if step.kind == LESSON:
        lesson = course.modules[step.module].lessons[step.index]
        return replace(
            base,
            title=_pick(lesson.title, lang),
            body=_pick(lesson.text, lang),
            resources=tuple(lesson.resources),
            can_next=True,
        )
    if step.kind == QUESTION:
        return await _question_view(session, course, progress, step, lang, base, now, line)
    if step.kind == RESULT:
        attempt = attempt_of(progress, step.part)
        answers = await answers_of(session, progress, step.part, attempt)
        percent, passed = score(course, step.part, answers)
        quiz = steps.quiz_of(course, step.part)
        assert quiz is not None
        module_quiz = step.part not in (PRE, POST)
        locked = None
        following = line[position + 1] if position + 1 < len(line) else None
        if following is not None and following.part == POST:
            locked = await post_test_opens_at(session, progress.guild_id, row.id, progress.user_id, now)
        return replace(
            base,
            attempt=attempt,
            score=percent,
            pass_mark=quiz.pass_mark if module_quiz else None,
            passed=passed if module_quiz else None,
            question_count=len(quiz.questions),
            can_next=(passed or not module_quiz) and locked is None,
            can_retry=module_quiz,
            locked_until=locked,
        )
    # DONE
    return replace(base, can_resume=progress.completed_at is None)


async def _first_unfinished(
    session: AsyncSession, course: CourseDef, progress: Progress, line: tuple[Step, ...]
) -> int:
    """The first step of the first module whose quiz is not passed (the first module when none
    has a quiz to pass)."""
    passed = await passed_parts(session, course, progress)
    for number, module in enumerate(course.modules):
        if module.quiz is not None and steps.module_part(number) not in passed:
            return next(i for i, s in enumerate(line) if s.module == number)
    return next((i for i, s in enumerate(line) if s.module >= 0), progress.position)


async def _question_view(
    session: AsyncSession,
    course: CourseDef,
    progress: Progress,
    step: Step,
    lang: str,
    base: StepView,
    now: datetime,
    line: tuple[Step, ...],
) -> StepView:
    question = steps.question_of(course, step)
    quiz = steps.quiz_of(course, step.part)
    assert quiz is not None
    attempt = attempt_of(progress, step.part)
    given = (await answers_of(session, progress, step.part, attempt)).get(step.index)
    locked = None
    if step.part == POST and given is None:
        locked = await post_test_opens_at(
            session, progress.guild_id, progress.course_id, progress.user_id, now
        )
    reveal = given is not None and step.part != PRE
    return replace(
        base,
        body=_pick(question.text, lang),
        options=tuple(_pick(option, lang) or "" for option in question.options),
        multiple=question.multiple,
        question_number=step.index + 1,
        question_count=len(quiz.questions),
        answered=_correct_set(given.choices) if given else None,
        correct=tuple(question.correct) if reveal else None,
        was_correct=given.correct if reveal and given else None,
        explanation=_pick(question.explanation, lang) if reveal else None,
        attempt=attempt,
        can_next=given is not None,
        locked_until=locked,
    )


async def count_started(session: AsyncSession, guild_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Progress).where(Progress.guild_id == guild_id))
        or 0
    )
