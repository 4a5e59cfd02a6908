"""Scenario files: the shipped samples pass, bad files are refused with every error and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli_exercises import check_file
from bot.documents import DocumentInvalid
from bot.exercises.scenario import DEFAULT_HOTWASH, Scenario, format_offset, parse_offset, parse_scenario

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "bot" / "exercises" / "scenarios").glob("*.yaml"))

GOOD = """\
title:
  en: Small drill
  fr: Petit exercice
label: amber
briefing: Read this first.
teams:
  - name: Customs
    language: fr
  - name: Police
    description: {en: Border police, fr: Police aux frontières}
injects:
  - time: T+00:20
    to: [customs, Police]
    title: Second
    text: {en: Two, fr: Deux}
  - time: 00:05
    to: Customs
    id: alarm
    title: First
    text: One
    resources: [3, "#4"]
    expected: Stop the truck
    notes: Hidden in the toolbox
  - time: T+00:20
    title: Third, same time, later in the file
    text: Three
"""


def test_samples_are_valid_and_about_twelve_injects_over_three_hours() -> None:
    assert len(SAMPLES) == 2
    languages = set()
    for path in SAMPLES:
        scenario = parse_scenario(path.read_bytes())
        languages.add(scenario.language)
        assert 10 <= len(scenario.injects) <= 14
        assert scenario.duration == 3 * 3600
        assert all(inject.expected for inject in scenario.injects[1:])
        assert Scenario.from_json(scenario.to_json()) == scenario
        code, lines = check_file(str(path))
        assert code == 0 and any(line.startswith("injects:") for line in lines)
    assert languages == {"en", "fr"}


def test_good_file_is_read_in_time_order() -> None:
    scenario = parse_scenario(GOOD)
    assert scenario.label == "TLP:AMBER"
    assert scenario.title.get("fr") == "Petit exercice"
    assert [i.title.get("en") for i in scenario.injects] == [
        "First",
        "Second",
        "Third, same time, later in the file",
    ]
    first, second, third = scenario.injects
    assert (first.number, first.offset, first.time, first.key) == (1, 300, "T+00:05", "alarm")
    assert first.teams == ("Customs",) and first.resources == (3, 4)
    assert [e.get("en") for e in first.expected] == ["Stop the truck"]
    assert first.notes is not None and first.line == 16
    assert second.teams == ("Customs", "Police") and second.text.get("fr") == "Deux"
    assert third.teams == () and third.goes_to("Police")
    assert scenario.hotwash == DEFAULT_HOTWASH
    assert scenario.team_language(scenario.teams[0]) == "fr"
    assert scenario.inject("alarm") is first and scenario.inject("#2") is second
    assert Scenario.from_json(scenario.to_json()) == scenario


BAD = """\
title: ""
label: TLP:RED
language: de
briefing: [not, a, text]
teams:
  - name: Customs
  - name: customs
  - nom: Police
injects:
  - time: 1:99
    to: Border guards
    title: Alarm
    text: x
  - time: T+00:10
    title: No text here
    resources: [abc, 3, 3]
    colour: red
  - time: T+00:20
    id: "bad id!"
    title: {en: fine, de: nein}
    text: fine
hotwash: []
"""


def test_bad_file_reports_every_error_with_its_line() -> None:
    with pytest.raises(DocumentInvalid) as raised:
        parse_scenario(BAD)
    found = [(p.line, p.code) for p in raised.value.problems]
    assert found == [
        (1, "blank"),
        (2, "exercise_red"),
        (3, "language"),
        (4, "type_text"),
        (7, "duplicate"),
        (8, "missing"),
        (8, "unknown_key"),
        (10, "exercise_time"),
        (11, "exercise_team"),
        (14, "missing"),
        (16, "resource_id"),
        (16, "duplicate"),
        (17, "unknown_key"),
        (19, "exercise_key"),
        (20, "language"),
        (22, "too_few"),
    ]
    code, lines = check_file_text(BAD)
    assert code == 2 and len(lines) == len(found)
    assert lines[0] == "line 1: title: this text is empty"
    assert "line 11: injects[1].to: unknown team 'Border guards' (teams: Customs)" in lines


def check_file_text(text: str, tmp: Path | None = None) -> tuple[int, list[str]]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        return check_file(handle.name)
    finally:
        Path(handle.name).unlink()


def test_syntax_error_and_unreadable_file() -> None:
    code, lines = check_file_text("title: x\n  teams: [\n")
    assert code == 2 and lines[0].startswith("line ")
    code, lines = check_file("/nonexistent/scenario.yaml")
    assert code == 2 and "cannot read" in lines[0]


def test_offsets() -> None:
    assert (
        parse_offset("T+01:20") == 4800 and parse_offset("t+1:20") == 4800 and parse_offset("01:20") == 4800
    )
    assert parse_offset("1:60") is None and parse_offset("soon") is None
    assert format_offset(4800) == "T+01:20" and format_offset(100 * 3600) == "T+100:00"


def test_command_line_exit_codes(tmp_path: Path) -> None:
    from bot.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    assert main(["exercise", "check", str(bad)]) == 2
    assert main(["exercise", "check", str(SAMPLES[0])]) == 0
