"""``liaison resources import|export|search``: the library from the command line.

The same services as ``/resource``: the same validation, upsert on url, and the same ranking. The
operator sees every label. ``--guild`` may be left out when the database serves exactly one server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.cli import UsageError
from bot.clock import utcnow
from bot.config import Settings
from bot.db import Database, migrate
from bot.db.models import GuildSettings
from bot.db.models.resources import Resource
from bot.services.resources import searching, transfer

T = TypeVar("T")
SEARCH_LIMIT_MAX = 200


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("resources", help="import, export or search the resource library")
    sub = parser.add_subparsers(dest="resources_action", required=True, parser_class=type(parser))

    imp = sub.add_parser("import", help="import a CSV (header row) or JSON Lines file; upsert on url")
    imp.add_argument("file")
    imp.add_argument("--guild", type=int)
    imp.set_defaults(handler=cmd_import)

    exp = sub.add_parser("export", help="export the library to FILE (.csv or .jsonl)")
    exp.add_argument("file")
    exp.add_argument("--guild", type=int)
    exp.set_defaults(handler=cmd_export)

    find = sub.add_parser("search", help="search the library, ranked as /resource search")
    find.add_argument("query")
    find.add_argument("--guild", type=int)
    find.add_argument("--limit", type=int, default=10)
    find.add_argument("--json", action="store_true", help="one JSON array, best first")
    find.set_defaults(handler=cmd_search)


async def _guild(session: AsyncSession, given: int | None) -> int:
    if given is not None:
        return given
    ids = list(await session.scalars(union(select(Resource.guild_id), select(GuildSettings.guild_id))))
    if len(ids) != 1:
        raise UsageError(f"--guild is required: the database serves {len(ids)} servers")
    return int(ids[0])


def _with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(settings.database_url)
        try:
            await migrate.upgrade(db.engine)
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    fmt = transfer.file_format(args.file)
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") from None
    records = list(transfer.read_records(text, fmt))

    async def work(db: Database) -> transfer.ImportReport:
        async with db.transaction() as session:
            guild_id = await _guild(session, args.guild)
            return await transfer.import_records(session, guild_id, records, now=utcnow())

    report = _with_db(settings, work)
    print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    for rejection in report.rejected:
        reason = i18n.t("en", rejection.key, **rejection.params).replace("`", "")
        print(f"line {rejection.line}: {reason}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    fmt = transfer.file_format(args.file)

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.transaction() as session:
            guild_id = await _guild(session, args.guild)
            return await transfer.export_rows(session, guild_id, verified=True)

    rows = _with_db(settings, work)
    try:
        Path(args.file).write_text(transfer.render(rows, fmt), encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {args.file}: {exc.strerror or exc}") from None
    print(f"exported {len(rows)} resources to {args.file}")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.limit <= SEARCH_LIMIT_MAX:
        raise UsageError(f"--limit must be between 1 and {SEARCH_LIMIT_MAX}")

    async def work(db: Database) -> searching.SearchResult:
        async with db.transaction() as session:
            guild_id = await _guild(session, args.guild)
            return await searching.search(session, guild_id, args.query, verified=True, limit=args.limit)

    result = _with_db(settings, work)
    if args.json:
        print(json.dumps([_as_json(hit) for hit in result.hits], ensure_ascii=False))
        return 0
    if result.corrected:
        print(f"did you mean: {result.corrected}")
    if not result.hits:
        print("no resources found")
    for hit in result.hits:
        print(f"{hit.score:8.3f}  #{hit.id}  [{hit.label}] {hit.title} <{hit.url}>")
    return 0


def _as_json(hit: searching.Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "url": hit.url,
        "score": round(hit.score, 6),
        "label": hit.label,
        "language": hit.language,
        "tags": [t.strip() for t in hit.tags.split(",") if t.strip()],
        "description": hit.description,
    }
