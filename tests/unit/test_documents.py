"""The shared document reader: YAML with line numbers, every problem collected with its line."""

from __future__ import annotations

import pytest

from bot.documents import Bilingual, Checker, DocumentInvalid, Problem, parse_yaml

GOOD = """\
title: Border drill
label: TLP:GREEN
summary:
  en: A source at the border
  fr: Une source à la frontière
time: 01:20
answer: no
links: [12, "#13", "resource:14"]
items:
  - name: one
  - name: two
"""


def test_parse_keeps_lines_and_raw_text() -> None:
    root, problems = parse_yaml(GOOD)
    assert problems == [] and root is not None
    assert root.line == 1
    assert root.value["label"].line == 2
    assert root.value["summary"].value["fr"].line == 5
    assert root.value["items"].value[1].line == 11
    assert root.value["items"].value[1].where == "items[2]"
    # YAML 1.1 would read these as 80 and False: the raw text is kept for texts
    checker = Checker()
    assert checker.text(root.value["time"]) == "01:20"
    assert checker.text(root.value["answer"]) == "no"
    assert checker.ok


def test_checker_reads_typed_values() -> None:
    root, _ = parse_yaml(GOOD)
    assert root is not None
    checker = Checker()
    fields = checker.mapping(
        root, required=("title", "label", "summary"), optional=("time", "answer", "links", "items")
    )
    assert fields is not None
    summary = checker.bilingual(fields["summary"])
    assert summary == Bilingual({"en": "A source at the border", "fr": "Une source à la frontière"})
    assert summary.get("fr") == "Une source à la frontière"
    assert checker.bilingual(fields["title"]) == Bilingual({"en": "Border drill"})
    assert checker.resource_ids(fields["links"]) == [12, 13, 14]
    assert checker.choice(fields["label"], ["TLP:CLEAR", "TLP:GREEN"]) == "TLP:GREEN"
    assert [checker.text(i.value["name"]) for i in checker.items(fields["items"], minimum=1)] == [
        "one",
        "two",
    ]
    assert checker.ok, checker.problems


def test_every_problem_is_collected_with_its_line() -> None:
    text = """\
title: ""
colour: red
summary:
  en: fine
  de: nein
links: [12, twelve, 12]
count: many
items: not a list
"""
    root, problems = parse_yaml(text)
    assert problems == [] and root is not None
    checker = Checker()
    fields = checker.mapping(
        root, required=("title", "label", "summary"), optional=("links", "count", "items")
    )
    assert fields is not None
    checker.text(fields["title"])
    checker.bilingual(fields["summary"])
    checker.resource_ids(fields["links"])
    checker.integer(fields["count"], minimum=1)
    checker.items(fields["items"])
    found = sorted((p.line, p.code) for p in checker.problems)
    assert found == [
        (1, "blank"),
        (1, "missing"),  # label: reported on the mapping's first line
        (2, "unknown_key"),
        (5, "language"),
        (6, "duplicate"),
        (6, "resource_id"),
        (7, "type_integer"),
        (8, "type_list"),
    ]
    with pytest.raises(DocumentInvalid) as raised:
        checker.raise_if_any()
    assert [p.line for p in raised.value.problems] == sorted(p.line for p in checker.problems)


def test_syntax_error_and_duplicate_keys_have_lines() -> None:
    root, problems = parse_yaml("title: a\nitems:\n  - one\n - two\n")
    assert root is None and problems[0].code == "syntax" and problems[0].line == 4
    root, problems = parse_yaml("title: a\nlabel: b\ntitle: c\n")
    assert root is not None
    assert [(p.line, p.code, p.params["first"]) for p in problems] == [(3, "duplicate_key", 1)]
    assert parse_yaml("")[1][0].code == "empty"
    assert parse_yaml(b"\xff\xfe")[1][0].code == "not_text"
    assert parse_yaml("a: b", max_bytes=2)[1][0].code == "too_large"


def test_unsafe_tags_are_refused() -> None:
    _root, problems = parse_yaml("x: !!python/object/apply:os.system ['true']\n")
    assert any(p.code == "syntax" for p in problems)


def test_problem_wording() -> None:
    problem = Problem(7, "injects[2].title", "too_long", {"length": 10, "max": 5})
    assert problem.describe() == "line 7: injects[2].title: this text is too long (10 characters, at most 5)"
    assert problem.message(lambda key, **p: f"{key}:{p['max']}") == "document.error.too_long:5"


def test_control_characters_and_alias_bombs_are_refused_with_a_line() -> None:
    root, problems = parse_yaml("title: fine\ntext: bad \x08 char\n")
    assert root is None and (problems[0].line, problems[0].code) == (2, "syntax")
    assert "#x0008" in problems[0].message()
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(7)
    )
    root, problems = parse_yaml(bomb)
    assert root is None and problems[0].code == "syntax"
