"""Course files: what a trainer writes (YAML, documented in the README) and what Liaison keeps.

``parse(text)`` returns a ``CourseDef`` or raises ``CourseFileError`` with every error and its
line. The format core (YAML with lines, bilingual texts, resource links, collected errors) is
``bot.services.learn.fileformat``; this module only knows what a course is made of.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.errors import Invalid
from bot.services import labels
from bot.services.learn import fileformat as ff
from bot.services.learn.fileformat import Map, Problems, Seq

Text = dict[str, str]
MIN_OPTIONS, MAX_OPTIONS = 2, 6
DEFAULT_PASS_MARK = 70
TITLE_LIMIT, OPTION_LIMIT, QUESTION_LIMIT, LESSON_LIMIT = 150, 200, 1000, 3500


@dataclass
class Question:
    text: Text
    options: list[Text]
    correct: list[int]  # 0-based indexes of the right options
    explanation: Text

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


@dataclass
class Quiz:
    questions: list[Question]
    pass_mark: int = DEFAULT_PASS_MARK


@dataclass
class Lesson:
    title: Text
    text: Text
    resources: list[int] = field(default_factory=list)


@dataclass
class Module:
    title: Text
    lessons: list[Lesson]
    quiz: Quiz | None = None


@dataclass
class CourseDef:
    slug: str
    title: Text
    label: str
    languages: list[str]
    summary: Text | None
    modules: list[Module]
    pre_test: Quiz | None = None
    post_test: Quiz | None = None

    @property
    def lessons(self) -> int:
        return sum(len(m.lessons) for m in self.modules)

    @property
    def quiz_questions(self) -> int:
        return sum(len(m.quiz.questions) for m in self.modules if m.quiz)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CourseDef:
        def quiz(raw: dict[str, Any] | None) -> Quiz | None:
            if raw is None:
                return None
            return Quiz([Question(**q) for q in raw["questions"]], raw["pass_mark"])

        modules = [
            Module(m["title"], [Lesson(**lesson) for lesson in m["lessons"]], quiz(m.get("quiz")))
            for m in data["modules"]
        ]
        return cls(
            slug=data["slug"],
            title=data["title"],
            label=data["label"],
            languages=list(data["languages"]),
            summary=data.get("summary"),
            modules=modules,
            pre_test=quiz(data.get("pre_test")),
            post_test=quiz(data.get("post_test")),
        )


class CourseFileError(Exception):
    """A course file that cannot be loaded: ``problems`` holds every error with its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64] or "course"


TOP_KEYS = {"id", "title", "label", "languages", "summary", "pass_mark", "modules", "pre_test", "post_test"}


def parse(text: str) -> CourseDef:
    problems = Problems()
    data = ff.read(text, problems)
    if data is None:
        raise CourseFileError(problems.lines())
    course = _course(data, problems)
    if problems or course is None:
        raise CourseFileError(problems.lines())
    return course


def _languages(data: Map, problems: Problems) -> tuple[str, ...]:
    raw = data.get("languages", "en")
    items = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
    found = tuple(dict.fromkeys(str(i).strip().lower() for i in items if str(i).strip()))
    bad = [lang for lang in found if lang not in ff.LANGUAGES]
    if bad or not found:
        problems.add(ff.line_of(data, "languages"), "'languages' must be en, fr or both")
        return ("en",)
    return found


def _pass_mark(parent: Map, problems: Problems, default: int) -> int:
    value = parent.get("pass_mark", default)
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
    try:
        mark = int(value)
    except (TypeError, ValueError):
        mark = -1
    if not 0 <= mark <= 100:
        problems.add(ff.line_of(parent, "pass_mark"), "'pass_mark' must be a percentage from 0 to 100")
        return default
    return mark


def _course(data: Map, problems: Problems) -> CourseDef | None:
    ff.unknown_keys(data, TOP_KEYS, problems, "the course")
    langs = _languages(data, problems)
    title = ff.text(data, "title", problems, limit=TITLE_LIMIT, languages=langs)
    try:
        label = labels.parse(str(data.get("label") or ""))
    except Invalid as exc:
        reason = "TLP:RED is refused" if exc.key == "label.red_refused" else "unknown sharing label"
        problems.add(ff.line_of(data, "label"), f"'label': {reason} (TLP:CLEAR, GREEN, AMBER, AMBER+STRICT)")
        label = labels.DEFAULT
    summary = ff.text(data, "summary", problems, required=False, limit=LESSON_LIMIT, languages=langs)
    default_mark = _pass_mark(data, problems, DEFAULT_PASS_MARK)
    modules_raw = data.get("modules")
    modules: list[Module] = []
    if not isinstance(modules_raw, Seq) or not modules_raw:
        problems.add(ff.line_of(data, "modules"), "'modules' must be a list of at least one module")
    else:
        for index, raw in enumerate(modules_raw):
            module = _module(raw, ff.line_of(modules_raw, index), index + 1, problems, langs, default_mark)
            if module is not None:
                modules.append(module)
    pre = _test(data, "pre_test", problems, langs, default_mark)
    post = _test(data, "post_test", problems, langs, default_mark, same_as=pre)
    if pre and post and len(pre.questions) != len(post.questions):
        problems.add(
            ff.line_of(data, "post_test"),
            "'post_test' must have as many questions as 'pre_test' (question N of each is compared)",
        )
    slug_source = data.get("id") or (title or {}).get(langs[0], "")
    if title is None:
        return None
    return CourseDef(slugify(str(slug_source)), title, label.value, list(langs), summary, modules, pre, post)


def _module(
    raw: Any, line: int, number: int, problems: Problems, langs: tuple[str, ...], mark: int
) -> Module | None:
    if not isinstance(raw, Map):
        problems.add(line, f"module {number} must be a mapping (title:, lessons:, quiz:)")
        return None
    ff.unknown_keys(raw, {"title", "lessons", "quiz"}, problems, f"module {number}")
    title = ff.text(raw, "title", problems, limit=TITLE_LIMIT, languages=langs)
    lessons: list[Lesson] = []
    lessons_raw = raw.get("lessons") or Seq()
    if not isinstance(lessons_raw, Seq):
        problems.add(ff.line_of(raw, "lessons"), f"module {number}: 'lessons' must be a list")
        lessons_raw = Seq()
    for index, item in enumerate(lessons_raw):
        where = ff.line_of(lessons_raw, index)
        if not isinstance(item, Map):
            problems.add(where, f"module {number}, lesson {index + 1} must be a mapping (title:, text:)")
            continue
        ff.unknown_keys(
            item, {"title", "text", "resources"}, problems, f"module {number}, lesson {index + 1}"
        )
        lesson_title = ff.text(item, "title", problems, limit=TITLE_LIMIT, languages=langs)
        body = ff.text(item, "text", problems, limit=LESSON_LIMIT, languages=langs)
        resources = ff.resource_ids(item, "resources", problems)
        if lesson_title and body:
            lessons.append(Lesson(lesson_title, body, resources))
    quiz = None
    if "quiz" in raw:
        quiz = _quiz(raw["quiz"], ff.line_of(raw, "quiz"), f"module {number} quiz", problems, langs, mark)
    if not lessons_raw and "quiz" not in raw:
        problems.add(line, f"module {number} has neither lessons nor a quiz")
    if title is None:
        return None
    return Module(title, lessons, quiz)


def _test(
    data: Map, key: str, problems: Problems, langs: tuple[str, ...], mark: int, same_as: Quiz | None = None
) -> Quiz | None:
    if key not in data:
        return None
    raw = data[key]
    if isinstance(raw, str) and raw.strip().lower() in {"same", "same_as_pre_test"}:
        if same_as is None:
            problems.add(ff.line_of(data, key), f"'{key}: same' needs a 'pre_test'")
        return same_as
    return _quiz(raw, ff.line_of(data, key), key, problems, langs, mark)


def _quiz(
    raw: Any, line: int, where: str, problems: Problems, langs: tuple[str, ...], mark: int
) -> Quiz | None:
    if isinstance(raw, Seq):  # a bare list of questions
        holder = Map()
        holder.line, holder.lines = line, {"questions": line}
        holder["questions"] = raw
        raw = holder
    if not isinstance(raw, Map):
        problems.add(line, f"{where} must be a mapping (pass_mark:, questions:)")
        return None
    ff.unknown_keys(raw, {"pass_mark", "questions"}, problems, where)
    pass_mark = _pass_mark(raw, problems, mark)
    items = raw.get("questions")
    if not isinstance(items, Seq) or not items:
        problems.add(
            ff.line_of(raw, "questions"), f"{where}: 'questions' must be a list of at least one question"
        )
        return None
    questions = []
    for index, item in enumerate(items):
        question = _question(
            item, ff.line_of(items, index), f"{where}, question {index + 1}", problems, langs
        )
        if question is not None:
            questions.append(question)
    return Quiz(questions, pass_mark)


def _question(raw: Any, line: int, where: str, problems: Problems, langs: tuple[str, ...]) -> Question | None:
    if not isinstance(raw, Map):
        problems.add(line, f"{where} must be a mapping (question:, options:, correct:, explanation:)")
        return None
    ff.unknown_keys(raw, {"question", "options", "correct", "explanation"}, problems, where)
    text = ff.text(raw, "question", problems, limit=QUESTION_LIMIT, languages=langs)
    explanation = ff.text(raw, "explanation", problems, limit=QUESTION_LIMIT, languages=langs)
    options_raw = raw.get("options")
    options: list[Text] = []
    if not isinstance(options_raw, Seq) or not MIN_OPTIONS <= len(options_raw) <= MAX_OPTIONS:
        problems.add(ff.line_of(raw, "options"), f"{where}: 'options' must be a list of 2 to 6 answers")
    else:
        for index, option in enumerate(options_raw):
            value = ff.text_value(
                option,
                ff.line_of(options_raw, index),
                f"option {index + 1}",
                problems,
                limit=OPTION_LIMIT,
                languages=langs,
            )
            if value is not None:
                options.append(value)
    correct = _correct(raw, where, problems, len(options_raw) if isinstance(options_raw, Seq) else 0)
    complete = isinstance(options_raw, Seq) and len(options) == len(options_raw)
    if text is None or explanation is None or correct is None or not complete:
        return None
    return Question(text, options, correct, explanation)


def _correct(raw: Map, where: str, problems: Problems, count: int) -> list[int] | None:
    line = ff.line_of(raw, "correct")
    value = raw.get("correct")
    if value is None:
        problems.add(line, f"{where}: 'correct' is missing (the number of the right option, or a list)")
        return None
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    numbers: list[int] = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or not 1 <= int(text) <= max(count, 1):
            problems.add(line, f"{where}: 'correct' must name options by number, 1 to {count or '…'}")
            return None
        numbers.append(int(text) - 1)
    if not numbers or len(set(numbers)) != len(numbers):
        problems.add(line, f"{where}: 'correct' must name each right option once")
        return None
    return sorted(numbers)


def summary(course: CourseDef) -> dict[str, Any]:
    """What ``course check`` prints and ``/learn load`` says."""
    return {
        "title": course.title[course.languages[0]],
        "label": course.label,
        "languages": ", ".join(course.languages),
        "modules": len(course.modules),
        "lessons": course.lessons,
        "quiz_questions": course.quiz_questions,
        "pre_test": len(course.pre_test.questions) if course.pre_test else 0,
        "post_test": len(course.post_test.questions) if course.post_test else 0,
    }
