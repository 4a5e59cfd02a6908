"""``liaison course check FILE``: validate a course file offline (no database, no Discord).

Prints the course's summary (title, label, modules, lessons, quiz questions, pre/post-test) and
exits 0, or prints every error with its line number and exits 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.errors import LiaisonError

USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("course", help="course files (the /learn feature)")
    sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    check = sub.add_parser("check", help="validate a course file: its summary, or every error with its line")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=cmd_check)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import UsageError
    from bot.services.learn import courses
    from bot.services.learn.course_file import CourseFileError

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        summary = courses.check(courses.decode(data))
    except LiaisonError as exc:
        raise UsageError(f"{args.file}: not a readable course file ({exc.key})") from None
    except CourseFileError as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        print(f"liaison: {args.file}: {len(exc.problems)} error(s), course not valid", file=sys.stderr)
        return USAGE_ERROR
    print(f"{args.file}: valid course")
    print(f"  title:          {summary['title']}")
    print(f"  label:          {summary['label']}")
    print(f"  languages:      {summary['languages']}")
    print(f"  modules:        {summary['modules']}")
    print(f"  lessons:        {summary['lessons']}")
    print(f"  quiz questions: {summary['quiz_questions']}")
    print(f"  pre-test:       {summary['pre_test']} questions")
    print(f"  post-test:      {summary['post_test']} questions")
    return 0
