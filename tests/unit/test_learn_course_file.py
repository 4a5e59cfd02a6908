"""Course files: good files parse to what they say; bad files give every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import i18n
from bot.documents import DocumentInvalid
from bot.services.learn import course_file
from bot.services.learn.course_file import CourseDef, parse
from tests.learn_files import AMBER_COURSE, SHORT_COURSE

SAMPLES = Path(__file__).resolve().parents[2] / "bot" / "services" / "learn" / "samples"


def problems_of(text: str) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        parse(text)
    return course_file.problem_lines(caught.value)


def test_short_course_parses_and_round_trips() -> None:
    course = parse(SHORT_COURSE)
    assert course.slug == "short-course" and course.languages == ["en", "fr"]
    assert course.title == {"en": "Short course", "fr": "Cours court"}
    assert [len(m.lessons) for m in course.modules] == [1, 1]
    assert course.modules[0].lessons[0].resources == [1]
    assert course.modules[0].quiz is not None and course.modules[0].quiz.pass_mark == 100
    assert course.modules[1].quiz is not None and course.modules[1].quiz.pass_mark == 50  # file default
    neutron = course.modules[1].quiz.questions[0]
    assert neutron.correct == [0, 2] and neutron.multiple
    assert course.pre_test is not None and course.post_test == course.pre_test
    assert CourseDef.from_json(course.to_json()) == course
    assert course_file.summary(course) == {
        "title": "Short course",
        "label": "TLP:GREEN",
        "languages": "en, fr",
        "modules": 2,
        "lessons": 2,
        "quiz_questions": 2,
        "pre_test": 2,
        "post_test": 2,
    }


def test_right_options_by_letter() -> None:
    text = (
        "title: T\nmodules:\n  - title: M\n    quiz:\n"
        "      - {question: Q, options: [x, y, z], correct: [a, C], explanation: E}\n"
    )
    quiz = parse(text).modules[0].quiz
    assert quiz is not None and quiz.questions[0].correct == [0, 2]
    bad = text.replace("[a, C]", "[G]")
    assert problems_of(bad) == [
        "line 5: modules[1].quiz[1].correct[1]: "
        "'correct' must name the right options by number (from 1 to 3) or letter (A, B…)"
    ]


def test_plain_text_serves_every_language_and_label_defaults() -> None:
    course = parse(AMBER_COURSE)
    assert course.label == "TLP:AMBER" and course.languages == ["en"]
    assert course.slug == "amber-course"
    minimal = parse("title: Tiny\nmodules:\n  - title: M\n    lessons:\n      - {title: L, text: T}\n")
    assert minimal.label == "TLP:GREEN" and minimal.slug == "tiny" and minimal.pre_test is None


@pytest.mark.parametrize("name", ["border_detection.en.yaml", "scenes_de_crime.fr.yaml"])
def test_shipped_samples_pass(name: str) -> None:
    course = parse((SAMPLES / name).read_text(encoding="utf-8"))
    assert course.pre_test is not None and course.post_test is not None
    assert len(course.pre_test.questions) == len(course.post_test.questions)


def test_english_sample_has_four_modules_and_twenty_questions() -> None:
    course = parse((SAMPLES / "border_detection.en.yaml").read_text(encoding="utf-8"))
    assert len(course.modules) == 4 and course.quiz_questions == 20
    assert course.title["en"].startswith("Basic radiological and nuclear threats")
    assert any(q.multiple for m in course.modules if m.quiz for q in m.quiz.questions)


BAD = """\
title: Broken
label: TLP:RED
languages: [en, de]
colour: blue
pass_mark: 150
modules:
  - title: One
    lessons:
      - title: No text
      - text: No title
        resources: [abc]
    quiz:
      questions:
        - question: Only one option?
          options: [Yes]
          correct: 1
          explanation: Because.
        - question: Wrong number
          options: [A, B, C]
          correct: [2, 7]
          explanation: Because.
        - question: No explanation
          options: [A, B]
          correct: 1
        - question: Twice
          options: [A, B]
          correct: [1, 1]
          explanation: x
  - title: Empty
pre_test:
  questions:
    - question: Q
      options: [A, B]
      correct: 1
      explanation: E
post_test:
  questions:
    - question: Q
      options: [A, B]
      correct: 1
      explanation: E
    - question: Q2
      options: [A, B]
      correct: 2
      explanation: E
"""


def test_every_error_of_a_bad_file_with_its_line() -> None:
    found = problems_of(BAD)
    expected = [
        "line 2: label: TLP:RED is refused",
        "line 3: languages[2]: unknown language 'de'",
        "line 4: colour: unknown field 'colour'",
        "line 5: pass_mark: '150' is not a pass mark",
        "line 9: modules[1].lessons[1]: the field 'text' is required",
        "line 10: modules[1].lessons[2]: the field 'title' is required",
        "line 11: modules[1].lessons[2].resources[1]: 'abc' is not a resource id",
        "line 15: modules[1].quiz.questions[1].options: at least 2 item(s) expected, found 1",
        "line 20: modules[1].quiz.questions[2].correct[2]: 'correct' must name the right options by number",
        "line 22: modules[1].quiz.questions[3]: the field 'explanation' is required",
        "line 27: modules[1].quiz.questions[4].correct[2]: 'correct' names option 1 twice",
        "line 29: modules[2]: a module needs lessons, a quiz or both",
        "line 36: post_test: the post-test must have as many questions as the pre-test (1)",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected), found


def test_missing_explanation_line_is_the_questions() -> None:
    text = (
        "title: T\nmodules:\n  - title: M\n    quiz:\n"
        "      - question: Q\n        options: [A, B]\n        correct: 1\n"
    )
    assert problems_of(text) == ["line 5: modules[1].quiz[1]: the field 'explanation' is required"]


def test_problems_in_french_for_the_bot() -> None:
    with pytest.raises(DocumentInvalid) as caught:
        parse(BAD)
    french = [
        p.describe(lambda k, /, **kw: i18n.t("fr", k, **kw), line_word="ligne") for p in caught.value.problems
    ]
    assert "ligne 2: label: TLP:RED est refusé" in french[0]
    assert any("« correct » désigne deux fois l'option 1" in line for line in french)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        (
            "title: T\nmodules:\n  - title: M\n    quiz:\n      pass_mark: ²\n      questions:\n"
            "        - {question: Q, options: [A, B], correct: '²', explanation: E}\n",
            "line 5: modules[1].quiz.pass_mark: '²' is not a pass mark",
        ),
        ("title: T\nsummary: a\x08b\n", "line 2: this is not valid YAML"),
        ("- just\n- a list\n", "line 1: expected a set of fields"),
        ("title: [unclosed\n", "line 2: this is not valid YAML"),
        ("title: T\n", "line 1: the field 'modules' is required"),
        ("modules: []\n", "line 1: the field 'title' is required"),
        ("title: T\nmodules: []\n", "line 2: modules: at least 1 item(s) expected, found 0"),
        (
            "title: {en: T}\nlanguages: en, fr\nmodules:\n  - title: M\n    lessons: [{title: L, text: T}]\n",
            "line 1: title: a text in 'fr' is required",
        ),
        (
            "title: {de: T}\nmodules: [{title: M, lessons: [{title: L, text: T}]}]\n",
            "line 1: title.de: unknown language 'de'",
        ),
        (
            "title: T\npost_test: same\nmodules: [{title: M, lessons: [{title: L, text: T}]}]\n",
            "line 2: post_test: 'post_test: same' needs a pre_test",
        ),
        (
            "title: T\ntitle: U\nmodules: [{title: M, quiz: [{question: Q}]}]\n",
            "line 2: title: 'title' is given twice",
        ),
    ],
)
def test_bad_files(text: str, expected: str) -> None:
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_course_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["course", "check", str(SAMPLES / "border_detection.en.yaml")]) == 0
    out = capsys.readouterr().out
    assert "title: Basic radiological and nuclear threats" in out and "quiz questions: 20" in out
    assert "modules: 4" in out and "label: TLP:CLEAR" in out and "valid course" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    assert main(["course", "check", str(bad)]) == 2
    printed = capsys.readouterr()
    assert "line 2: label: TLP:RED is refused" in printed.out and "line 36: post_test" in printed.out
    assert "13 problem(s)" in printed.err and "Traceback" not in printed.out + printed.err
    assert main(["course", "check", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().out
