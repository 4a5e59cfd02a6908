"""``liaison course check FILE``: validate a course file offline (no database, no Discord), as
``exercise check`` does a scenario.

Prints the course's summary (title, label, languages, modules, lessons, quiz questions, pre- and
post-test) and exits 0, or prints every problem with its line number and exits 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings

USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("course", help="courses (/learn): check a course file")
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="validate a course file: its summary, or every error with its line")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=cmd_check)


def check_file(path: str) -> tuple[int, list[str]]:
    """(exit code, lines to print) for ``course check``."""
    from bot.documents import DocumentInvalid
    from bot.services.learn import course_file

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return USAGE_ERROR, [f"cannot read {path}: {exc.strerror or exc}"]
    try:
        found = course_file.summary(course_file.parse(data))
    except DocumentInvalid as exc:
        return USAGE_ERROR, course_file.problem_lines(exc)
    return 0, [
        f"title: {found['title']}",
        f"label: {found['label']}",
        f"languages: {found['languages']}",
        f"modules: {found['modules']}",
        f"lessons: {found['lessons']}",
        f"quiz questions: {found['quiz_questions']}",
        f"pre-test: {found['pre_test']} questions",
        f"post-test: {found['post_test']} questions",
    ]


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    code, lines = check_file(args.file)
    for line in lines:
        print(line)
    if code:
        print(f"liaison: {args.file}: {len(lines)} problem(s), course refused", file=sys.stderr)
    else:
        print(f"{args.file}: valid course")
    return code
