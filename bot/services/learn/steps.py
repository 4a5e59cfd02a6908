"""A course as the line of steps a member walks, one at a time: the introduction, the pre-test's
questions, each module's lessons then its quiz's questions and result, the post-test's questions
and result, and the end. Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.services.learn.course_file import CourseDef, Question, Quiz

INTRO, LESSON, QUESTION, RESULT, DONE = "intro", "lesson", "question", "result", "done"
PRE, POST = "pre", "post"


@dataclass(frozen=True)
class Step:
    kind: str
    part: str = ""  # "pre", "post", or a module's quiz "m1", "m2"…
    module: int = -1  # 0-based module index (lessons, module quizzes)
    index: int = -1  # lesson or question index within its module / part


def module_part(module: int) -> str:
    return f"m{module + 1}"


def quiz_of(course: CourseDef, part: str) -> Quiz | None:
    if part == PRE:
        return course.pre_test
    if part == POST:
        return course.post_test
    number = int(part[1:]) - 1
    return course.modules[number].quiz if 0 <= number < len(course.modules) else None


def question_of(course: CourseDef, step: Step) -> Question:
    quiz = quiz_of(course, step.part)
    assert quiz is not None
    return quiz.questions[step.index]


def module_parts(course: CourseDef) -> list[str]:
    return [module_part(i) for i, m in enumerate(course.modules) if m.quiz]


def _build(course: CourseDef) -> tuple[Step, ...]:
    steps = [Step(INTRO)]
    if course.pre_test:
        steps += [Step(QUESTION, PRE, -1, i) for i in range(len(course.pre_test.questions))]
        steps.append(Step(RESULT, PRE))
    for number, module in enumerate(course.modules):
        steps += [Step(LESSON, "", number, i) for i in range(len(module.lessons))]
        if module.quiz:
            part = module_part(number)
            steps += [Step(QUESTION, part, number, i) for i in range(len(module.quiz.questions))]
            steps.append(Step(RESULT, part, number))
    if course.post_test:
        steps += [Step(QUESTION, POST, -1, i) for i in range(len(course.post_test.questions))]
        steps.append(Step(RESULT, POST))
    steps.append(Step(DONE))
    return tuple(steps)


_cache: dict[int, tuple[CourseDef, tuple[Step, ...]]] = {}


def steps_of(course: CourseDef) -> tuple[Step, ...]:
    """The steps of ``course`` (cached per course object)."""
    cached = _cache.get(id(course))
    if cached is None or cached[0] is not course:
        if len(_cache) > 256:
            _cache.clear()
        cached = _cache[id(course)] = (course, _build(course))
    return cached[1]


def first_of(steps: tuple[Step, ...], part: str) -> int:
    return next(i for i, s in enumerate(steps) if s.part == part)


def modules_end(steps: tuple[Step, ...]) -> int:
    """The position right after the last module step: reaching it completes the course."""
    last = max((i for i, s in enumerate(steps) if s.module >= 0), default=0)
    return last + 1


@lru_cache(maxsize=64)
def letters(count: int) -> tuple[str, ...]:
    return tuple("ABCDEF"[:count])
