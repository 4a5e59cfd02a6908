"""``liaison transfer --to URL [--from URL]``: move a community to another database, and prove it.

Typically from the SQLite file the bot started with to PostgreSQL. Stop the bot first: what it
writes after the copy started is not in the copy (the check would then report a MISMATCH). The work
is ``bot.db.transfer``; this module parses, prints, and turns its errors into one-line messages.

Exit codes: 0 every table matches; 1 a table differs; 2 refused (bad URL, source not at the head
revision, target not empty, copy failed: the target then holds no copied row).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.cli import UsageError
from bot.config import ASYNC_DRIVERS, Settings
from bot.db import transfer

MISMATCH = 1
HASH_PREFIX = 12
# The operator's messages (English, like the rest of the CLI), by TransferError key.
MESSAGES = {
    "transfer.unavailable": "cannot open the {role} database: {reason}",
    "transfer.source_not_at_head": (
        "the source database is at revision {revision}, not at the head revision {head}: "
        "run `liaison db upgrade` on it first"
    ),
    "transfer.target_schema": "cannot create the schema of the target database: {reason}",
    "transfer.target_not_empty": (
        "the target database is not empty (rows in {tables}): transfer only fills an empty database"
    ),
    "transfer.copy_failed": "copying {table} failed, nothing was written to the target: {reason}",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "transfer", help="copy every table into another, empty, database (e.g. SQLite -> PostgreSQL)"
    )
    parser.add_argument("--to", dest="target", required=True, metavar="URL", help="the empty target")
    parser.add_argument("--from", dest="source", metavar="URL", help="the source (default: DATABASE_URL)")
    parser.add_argument(
        "--check", action="store_true", help="copy nothing: only compare the two databases, table by table"
    )
    parser.set_defaults(handler=cmd_transfer)


def cmd_transfer(args: argparse.Namespace, settings: Settings) -> int:
    source = _url(args.source or settings.database_url, "--from")
    target = _url(args.target, "--to")
    print(f"{'comparing' if args.check else 'copying'} {_shown(source)} -> {_shown(target)}")
    try:
        if args.check:
            report = asyncio.run(transfer.verify(source, target))
        else:
            report = asyncio.run(transfer.transfer(source, target))
    except transfer.TransferError as exc:
        raise UsageError(MESSAGES.get(exc.key, exc.key).format(**exc.params)) from None
    for check in (*report.checks, *report.derived):  # then the search index's tables
        print(_line(check))
    print(_total(report, copied=not args.check))
    return 0 if report.ok else MISMATCH


def _url(value: str, option: str) -> str:
    """An async database URL the bot itself could use, or a one-line usage error."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise UsageError(f"{option}: not a database URL: {value!r}") from None
    if url.drivername not in ASYNC_DRIVERS:
        raise UsageError(f"{option} must use one of {', '.join(ASYNC_DRIVERS)}, not {url.drivername!r}")
    return value.strip()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _line(check: transfer.TableCheck) -> str:
    """``table rows hash-prefix ok``; on a mismatch, the target's count and hash too."""
    source, target = check.source, check.target
    line = f"{source.table:<26} {source.rows:>9} {source.sha256[:HASH_PREFIX]}"
    if check.ok:
        return f"{line} ok"
    return f"{line} MISMATCH (target: {target.rows} rows, {target.sha256[:HASH_PREFIX]})"


def _total(report: transfer.Report, *, copied: bool) -> str:
    differing = sum(not check.ok for check in (*report.checks, *report.derived))
    verdict = "ok" if report.ok else f"{differing} table(s) MISMATCH"
    timing = f", {report.seconds:.2f} s" if copied else ""
    return f"{'total':<26} {report.rows:>9} rows in {len(report.checks)} tables{timing}: {verdict}"
