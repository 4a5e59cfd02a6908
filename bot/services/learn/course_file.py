"""Course files: what a trainer writes (YAML, documented in the README's trainer's guide) and
what Liaison keeps.

The file format is the exercises' one (``bot.documents``: YAML read with the line of every value,
every mistake collected with its line, bilingual texts, resource links); this module only knows
what a course is made of. ``parse(text)`` returns a ``CourseDef`` or raises ``CourseFileError``
(``bot.documents.DocumentInvalid``) with every problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from bot.documents import LANGUAGES, Checker, DocumentInvalid, Node, Problem, parse_yaml, register_messages
from bot.errors import Invalid
from bot.services import labels

Text = dict[str, str]
CourseFileError = DocumentInvalid
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_MODULES, MAX_LESSONS, MAX_QUESTIONS = 30, 40, 60
DEFAULT_PASS_MARK = 70
TITLE_LIMIT, OPTION_LIMIT, QUESTION_LIMIT, LESSON_LIMIT = 150, 200, 1000, 3500

# English problem wording specific to courses (catalog keys ``document.error.<code>`` as well).
COURSE_PROBLEMS = {
    "course_label": "'{value}' is not a sharing label (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT)",
    "course_red": "TLP:RED is refused: Liaison does not store material meant only for named recipients",
    "course_correct": "'correct' must name the right options by number (from 1 to {count}) or letter (A, B…)",
    "course_correct_twice": "'correct' names option {value} twice",
    "course_module_empty": "a module needs lessons, a quiz or both",
    "course_post_count": (
        "the post-test must have as many questions as the pre-test ({count}): question N of each is compared"
    ),
    "course_post_same": "'post_test: same' needs a pre_test",
    "course_pass_mark": "'{value}' is not a pass mark (a percentage from 0 to 100)",
}
register_messages(COURSE_PROBLEMS)


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


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64] or "course"


def problem_lines(error: DocumentInvalid) -> list[str]:
    """Every problem as ``line 12: modules[1].title: this text is empty`` (English)."""
    return [p.describe() for p in error.problems]


def _read(text: str | bytes) -> tuple[Node | None, list[Problem]]:
    """``parse_yaml``, whose reader may still raise on a character YAML forbids (a control
    character): that becomes a syntax problem on its line, as any other."""
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        line = decoded[:position].count("\n") + 1 if isinstance(position, int) else None
        detail = str(exc).splitlines()[0]
        return None, [Problem(line, "", "syntax", {"detail": detail})]


def parse(text: str | bytes) -> CourseDef:
    root, problems = _read(text)
    if root is None:
        raise DocumentInvalid(problems)
    reader = _Reader(Checker(problems))
    course = reader.course(root)
    reader.check.raise_if_any()
    assert course is not None
    return course


class _Reader:
    def __init__(self, check: Checker) -> None:
        self.check = check
        self.languages: tuple[str, ...] = ("en",)

    def text(self, node: Node | None, *, required: bool = True, limit: int = 4000) -> Text | None:
        """Plain text (the same in every language of the course) or ``{en: …, fr: …}`` with every
        language of the course."""
        if node is None:
            return None
        if node.is_mapping():
            value = self.check.bilingual(
                node, required=required, max_length=limit, require_languages=self.languages
            )
            return dict(value.texts) if value is not None else None
        plain = self.check.text(node, required=required, max_length=limit)
        return {lang: plain for lang in self.languages} if plain is not None else None

    def required_text(self, fields: dict[str, Node], key: str, limit: int) -> Text | None:
        return self.text(fields.get(key), limit=limit) if key in fields else None

    def course(self, root: Node) -> CourseDef | None:
        check = self.check
        fields = check.mapping(
            root,
            required=("title", "modules"),
            optional=("id", "label", "languages", "summary", "pass_mark", "pre_test", "post_test"),
        )
        if fields is None:
            return None
        self._languages(fields.get("languages"))
        title = self.required_text(fields, "title", TITLE_LIMIT)
        label = self._label(fields.get("label"))
        summary = self.text(fields.get("summary"), required=False, limit=LESSON_LIMIT)
        default_mark = self._pass_mark(fields.get("pass_mark"), DEFAULT_PASS_MARK)
        modules = [
            m
            for m in (
                self._module(node, default_mark)
                for node in check.items(fields.get("modules"), minimum=1, maximum=MAX_MODULES)
            )
            if m is not None
        ]
        pre = self._quiz(fields.get("pre_test"), default_mark)
        post_node = fields.get("post_test")
        if (
            post_node is not None
            and isinstance(post_node.value, str)
            and post_node.value.strip().lower() == "same"
        ):
            post = pre
            if pre is None:
                check.error(post_node, "course_post_same")
        else:
            post = self._quiz(post_node, default_mark)
        if pre and post and len(pre.questions) != len(post.questions) and post_node is not None:
            check.error(
                post_node, "course_post_count", line=root.key_lines.get("post_test"), count=len(pre.questions)
            )
        slug_source = check.text(fields.get("id"), required=False) if "id" in fields else None
        if title is None:
            return None
        return CourseDef(
            slugify(slug_source or title[self.languages[0]]),
            title,
            label,
            list(self.languages),
            summary,
            modules,
            pre,
            post,
        )

    def _languages(self, node: Node | None) -> None:
        if node is None:
            return
        values = node.value if node.is_list() else str(node.raw or node.value or "").replace(",", " ").split()
        found: list[str] = []
        for item in values:
            if isinstance(item, Node):
                value = self.check.language(item)
            else:
                value = item.strip().lower()
                if value not in LANGUAGES:
                    self.check.error(node, "language", value=value, allowed=", ".join(LANGUAGES))
                    value = None
            if value is not None and value not in found:
                found.append(value)
        if found:
            self.languages = tuple(found)

    def _label(self, node: Node | None) -> str:
        if node is None:
            return labels.DEFAULT.value
        raw = self.check.text(node)
        try:
            return labels.parse(raw).value
        except Invalid as exc:
            code = "course_red" if exc.key == "label.red_refused" else "course_label"
            self.check.error(node, code, value=(raw or "")[:30])
            return labels.DEFAULT.value

    def _pass_mark(self, node: Node | None, default: int) -> int:
        if node is None:
            return default
        raw = (node.raw if node.raw is not None else str(node.value)).strip().rstrip("%").strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 0 <= int(raw) <= 100:
            self.check.error(node, "course_pass_mark", value=raw[:20])
            return default
        return int(raw)

    def _module(self, node: Node, mark: int) -> Module | None:
        fields = self.check.mapping(node, required=("title",), optional=("lessons", "quiz"))
        if fields is None:
            return None
        title = self.required_text(fields, "title", TITLE_LIMIT)
        lessons = [
            lesson
            for lesson in (
                self._lesson(item) for item in self.check.items(fields.get("lessons"), maximum=MAX_LESSONS)
            )
            if lesson is not None
        ]
        quiz = self._quiz(fields.get("quiz"), mark)
        if "lessons" not in fields and "quiz" not in fields:
            self.check.error(node, "course_module_empty")
        if title is None:
            return None
        return Module(title, lessons, quiz)

    def _lesson(self, node: Node) -> Lesson | None:
        fields = self.check.mapping(node, required=("title", "text"), optional=("resources",))
        if fields is None:
            return None
        title = self.required_text(fields, "title", TITLE_LIMIT)
        body = self.required_text(fields, "text", LESSON_LIMIT)
        resources = self.check.resource_ids(fields.get("resources"))
        if title is None or body is None:
            return None
        return Lesson(title, body, resources)

    def _quiz(self, node: Node | None, mark: int) -> Quiz | None:
        if node is None:
            return None
        items: Node | None = node
        pass_mark = mark
        if not node.is_list():  # a mapping (pass_mark:, questions:); a bare list is the questions
            fields = self.check.mapping(node, required=("questions",), optional=("pass_mark",))
            if fields is None:
                return None
            pass_mark = self._pass_mark(fields.get("pass_mark"), mark)
            items = fields.get("questions")
        questions = [
            q
            for q in (
                self._question(item) for item in self.check.items(items, minimum=1, maximum=MAX_QUESTIONS)
            )
            if q is not None
        ]
        return Quiz(questions, pass_mark)

    def _question(self, node: Node) -> Question | None:
        fields = self.check.mapping(
            node, required=("question", "options", "correct", "explanation"), optional=()
        )
        if fields is None:
            return None
        text = self.required_text(fields, "question", QUESTION_LIMIT)
        explanation = self.required_text(fields, "explanation", QUESTION_LIMIT)
        option_nodes = self.check.items(fields.get("options"), minimum=MIN_OPTIONS, maximum=MAX_OPTIONS)
        options = [self.text(option, limit=OPTION_LIMIT) for option in option_nodes]
        correct = self._correct(fields.get("correct"), len(option_nodes))
        complete = option_nodes and len(option_nodes) <= MAX_OPTIONS and all(o is not None for o in options)
        if text is None or explanation is None or correct is None or not complete:
            return None
        return Question(text, [o for o in options if o is not None], correct, explanation)

    def _correct(self, node: Node | None, count: int) -> list[int] | None:
        if node is None:
            return None
        values = node.value if node.is_list() else [node]
        numbers: list[int] = []
        for item in values:
            raw = (item.raw if item.raw is not None else str(item.value)).strip()
            for piece in raw.replace(",", " ").split():
                number = _option_number(piece)
                if number is None or not 1 <= number <= max(count, 1):
                    self.check.error(item, "course_correct", count=count)
                    return None
                if number - 1 in numbers:
                    self.check.error(item, "course_correct_twice", value=piece[:10])
                    return None
                numbers.append(number - 1)
        if not numbers:
            self.check.error(node, "course_correct", count=count)
            return None
        return sorted(numbers)


def _option_number(piece: str) -> int | None:
    """``2`` or ``B`` (the letter the member sees) -> 2; None when neither."""
    if piece.isascii() and piece.isdigit() and len(piece) <= 2:
        return int(piece)
    if len(piece) == 1 and piece.upper() in "ABCDEF":
        return "ABCDEF".index(piece.upper()) + 1
    return None


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


__all__ = [
    "CourseDef",
    "CourseFileError",
    "Lesson",
    "Module",
    "Problem",
    "Question",
    "Quiz",
    "parse",
    "summary",
]
