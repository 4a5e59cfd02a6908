"""Course files: good files parse to what they say; bad files give every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.learn import course_file
from bot.services.learn.course_file import CourseDef, CourseFileError, parse
from tests.learn_files import AMBER_COURSE, SHORT_COURSE

SAMPLES = Path(__file__).resolve().parents[2] / "bot" / "services" / "learn" / "samples"


def problems_of(text: str) -> list[str]:
    with pytest.raises(CourseFileError) as caught:
        parse(text)
    return caught.value.problems


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
        "line 2: 'label': TLP:RED is refused",
        "line 3: 'languages' must be en, fr or both",
        "line 4: unknown field 'colour'",
        "line 5: 'pass_mark' must be a percentage",
        "line 9: 'text' is missing",
        "line 10: 'title' is missing",
        "line 11: 'resources': 'abc' is not a resource id",
        "line 15: module 1 quiz, question 1: 'options' must be a list of 2 to 6 answers",
        "line 20: module 1 quiz, question 2: 'correct' must name options by number, 1 to 3",
        "line 22: 'explanation' is missing",
        "line 27: module 1 quiz, question 4: 'correct' must name each right option once",
        "line 29: module 2 has neither lessons nor a quiz",
        "line 36: 'post_test' must have as many questions as 'pre_test'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected), found


def test_missing_explanation_line_is_the_questions() -> None:
    text = (
        "title: T\nmodules:\n  - title: M\n    quiz:\n"
        "      - question: Q\n        options: [A, B]\n        correct: 1\n"
    )
    assert problems_of(text) == ["line 5: 'explanation' is missing"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty"),
        ("- just\n- a list\n", "line 1: the file must be a mapping"),
        ("title: [unclosed\n", "line 2: not valid YAML"),
        ("title: T\n", "line 1: 'modules' must be a list of at least one module"),
        ("modules: []\n", "line 1: 'title' is missing"),
        (
            "title: {en: T}\nlanguages: en, fr\nmodules:\n  - title: M\n    lessons: [{title: L, text: T}]\n",
            "line 1: 'title' has no text in fr",
        ),
        (
            "title: {de: T}\nmodules: [{title: M, lessons: [{title: L, text: T}]}]\n",
            "line 1: 'title': unknown language de",
        ),
        (
            "title: T\npost_test: same\nmodules: [{title: M, lessons: [{title: L, text: T}]}]\n",
            "line 2: 'post_test: same' needs a 'pre_test'",
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
    assert "Basic radiological and nuclear threats" in out and "quiz questions: 20" in out
    assert "modules:        4" in out and "TLP:CLEAR" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    assert main(["course", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 2: 'label': TLP:RED is refused" in err and "line 36:" in err and "Traceback" not in err
    assert main(["course", "check", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
