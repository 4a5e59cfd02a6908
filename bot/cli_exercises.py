"""``liaison exercise check FILE``: validate a tabletop-exercise scenario offline.

Prints the scenario's summary (title, label, teams, injects, duration) and exits 0, or prints every
problem with its line number (on stdout, one per line, then a one-line verdict on stderr) and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.documents import DocumentInvalid
from bot.exercises.scenario import Scenario, describe_problems, format_offset, parse_scenario

USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("exercise", help="tabletop exercises: check a scenario file")
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="validate a scenario file: summary, or every error with its line")
    check.add_argument("file")
    check.set_defaults(handler=cmd_check)


def summary(scenario: Scenario, language: str = "en") -> list[str]:
    teams = ", ".join(team.name for team in scenario.teams)
    return [
        f"title: {scenario.title.get(language)}",
        f"label: {scenario.label}",
        f"language: {scenario.language}",
        f"teams ({len(scenario.teams)}): {teams}",
        f"injects: {len(scenario.injects)}",
        f"duration: {format_offset(scenario.duration)}",
        f"hot-wash questions: {len(scenario.hotwash)}",
    ]


def check_file(path: str) -> tuple[int, list[str]]:
    """(exit code, lines to print) for ``exercise check``: pure enough to test without a process."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        return USAGE_ERROR, [f"cannot read {path}: {exc.strerror or exc}"]
    try:
        scenario = parse_scenario(data)
    except DocumentInvalid as exc:
        return USAGE_ERROR, describe_problems(exc)
    return 0, summary(scenario, scenario.language)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    code, lines = check_file(args.file)
    for line in lines:
        print(line)
    if code:
        problems = len(lines)
        print(f"liaison: {args.file}: {problems} problem(s), scenario refused", file=sys.stderr)
    else:
        print(f"{args.file}: valid scenario")
    return code
