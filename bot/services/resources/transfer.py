"""Import and export of a server's library: CSV (header row) or JSON Lines, upsert on url.

Each line is validated on its own: a bad line is reported with its number and reason and the rest is
imported. A line whose url is already in the library updates that entry only if something differs,
so re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import postings
from bot.db.models.resources import Resource, ResourceTag, search_terms_of
from bot.errors import Invalid, LiaisonError
from bot.services import audit, labels
from bot.services.resources import validation
from bot.services.resources.validation import Fields

RESOURCES_TABLE = cast(Table, Resource.__table__)
TAGS_TABLE = cast(Table, ResourceTag.__table__)
FIELDS = ("title", "url", "description", "tags", "language", "label")
BATCH = 500
FORMATS = (".csv", ".jsonl")


@dataclass(frozen=True)
class Rejection:
    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


Record = tuple[int, dict[str, Any] | Rejection]


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise Invalid("resource.bad_format", value=suffix or str(path)[:40])
    return suffix


def read_records(text: str, fmt: str) -> Iterator[Record]:
    """(line number, fields or the reason the line is unreadable), in file order."""
    if fmt == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = {"title", "url"} - {(name or "").strip().lower() for name in reader.fieldnames or ()}
        if missing:
            raise Invalid("resource.csv_header", missing=", ".join(sorted(missing)))
        for row in reader:
            values = {(k or "").strip().lower(): unguard(v) for k, v in row.items() if k is not None}
            yield reader.line_num, values
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            yield number, Rejection(number, "resource.import.bad_json")
            continue
        if not isinstance(value, dict):
            yield number, Rejection(number, "resource.import.not_object")
            continue
        yield number, value


def _fields(values: dict[str, Any]) -> Fields:
    def text(name: str) -> str | None:
        value = values.get(name)
        return None if value is None else str(value)

    tags = values.get("tags")
    if tags is not None and not isinstance(tags, str | list):
        raise Invalid("resource.import.bad_tags")
    return validation.fields(
        title_text=text("title"),
        url_text=text("url"),
        description_text=text("description"),
        tags_value=tags,
        language_text=text("language"),
        label_text=text("label"),
    )


_COMPARED = (Resource.title, Resource.description, Resource.tags, Resource.language, Resource.label)


def _content(fields: Fields) -> tuple[str, ...]:
    return (fields.title, fields.description, fields.tags_text, fields.language, fields.label)


async def import_records(
    session: AsyncSession,
    guild_id: int,
    records: Iterable[Record],
    *,
    now: datetime,
    actor_id: int | None = None,
) -> ImportReport:
    report = ImportReport()
    # Plain tuples, not ORM objects: a re-import of a large library compares without loading it.
    existing = {
        url: (rid, tuple(content))
        for url, rid, *content in await session.execute(
            select(Resource.url, Resource.id, *_COMPARED).where(Resource.guild_id == guild_id)
        )
    }
    seen: dict[str, int] = {}
    fresh: list[Fields] = []
    changed: list[tuple[int, Fields]] = []
    for number, values in records:
        if isinstance(values, Rejection):
            report.rejected.append(values)
            continue
        try:
            fields = _fields(values)
        except LiaisonError as exc:
            report.rejected.append(Rejection(number, exc.key, exc.params))
            continue
        if fields.url in seen:
            report.rejected.append(
                Rejection(number, "resource.import.repeated_url", {"first": seen[fields.url]})
            )
            continue
        seen[fields.url] = number
        known = existing.get(fields.url)
        if known is None:
            fresh.append(fields)
        elif known[1] != _content(fields):
            changed.append((known[0], fields))
        else:
            report.unchanged += 1
    for start in range(0, len(changed), BATCH):  # the rows to update read BATCH at a time
        chunk = changed[start : start + BATCH]
        rows = await session.scalars(select(Resource).where(Resource.id.in_([rid for rid, _f in chunk])))
        by_id = {row.id: row for row in rows}
        for rid, fields in chunk:
            await _update(session, by_id[rid], fields, now)
    report.updated = len(changed)
    async with postings.filing_in_bulk(session, len(fresh)) as filing:
        for start in range(0, len(fresh), BATCH):
            await _insert(session, guild_id, fresh[start : start + BATCH], actor_id, now, filing)
    report.added = len(fresh)
    if report.added or report.updated:
        details = {"added": report.added, "updated": report.updated, "rejected": len(report.rejected)}
        await audit.record(session, guild_id, actor_id, "resource.import", None, details)
    return report


async def _update(session: AsyncSession, row: Resource, fields: Fields, now: datetime) -> None:
    old_tags = row.tags
    row.title, row.description, row.language, row.label = (
        fields.title,
        fields.description,
        fields.language,
        fields.label,
    )
    row.tags, row.updated_at, row.revision = fields.tags_text, now, row.revision + 1
    if old_tags != fields.tags_text:
        await session.execute(delete(ResourceTag).where(ResourceTag.resource_id == row.id))
        await session.flush()
        session.add_all(ResourceTag(resource_id=row.id, tag=t, guild_id=row.guild_id) for t in fields.tags)


async def _insert(
    session: AsyncSession,
    guild_id: int,
    batch: list[Fields],
    actor_id: int | None,
    now: datetime,
    filing: postings.Filing,
) -> None:
    """Many new entries at once: one multi-row insert for the entries, one for their tags, and
    their search postings filed together (``bot.db.postings.filing_in_bulk``)."""
    rows = [
        {
            "guild_id": guild_id,
            "title": f.title,
            "url": f.url,
            "description": f.description,
            "tags": f.tags_text,
            "language": f.language,
            "label": f.label,
            "added_by": actor_id,
            "views": 0,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
            "verified_at": now,
            "search_terms": search_terms_of(f.title, f.tags_text, f.description),
        }
        for f in batch
    ]
    # One multi-row INSERT … RETURNING (SQLAlchemy's "insertmanyvalues"), which gives the new ids
    # directly. Looking them up by url afterwards was planned badly by PostgreSQL inside one
    # large import (no statistics yet on the growing table): 14x slower than SQLite at 100k.
    found = await session.execute(
        insert(RESOURCES_TABLE).returning(RESOURCES_TABLE.c.url, RESOURCES_TABLE.c.id), rows
    )
    ids = {url: rid for url, rid in found}
    await filing.file(list(ids.values()))
    tag_rows = [
        {"resource_id": ids[f.url], "tag": tag, "guild_id": guild_id} for f in batch for tag in f.tags
    ]
    if tag_rows:
        await session.execute(insert(TAGS_TABLE), tag_rows)


async def export_rows(session: AsyncSession, guild_id: int, *, verified: bool = True) -> list[dict[str, Any]]:
    """Every entry the reader may see, oldest first, in the import format (tags as a list)."""
    rows = await session.scalars(
        select(Resource)
        .where(Resource.guild_id == guild_id, labels.sql_visible(Resource.label, verified))
        .order_by(Resource.id)
    )
    return [
        {
            "title": r.title,
            "url": r.url,
            "description": r.description,
            "tags": [t.strip() for t in r.tags.split(",") if t.strip()],
            "language": r.language,
            "label": r.label,
        }
        for r in rows
    ]


# A spreadsheet runs a cell that starts with one of these as a formula (tab and carriage return
# too: some programs drop them and read what follows).
FORMULA_STARTS = "=+-@\t\r"
GUARD = "'"
_GUARDED = re.compile(f"^{GUARD}*[{re.escape(FORMULA_STARTS)}]")


def guard(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: one that would start a formula gets a leading apostrophe
    (which spreadsheets do not show: it marks the cell as text), and so does one that already
    looks guarded (``'=x``), so that ``unguard`` gives every cell back exactly."""
    if isinstance(value, str) and _GUARDED.match(value):
        return GUARD + value
    return value


def unguard(value: Any) -> Any:
    """The cell as it was before ``guard``."""
    if isinstance(value, str) and value.startswith(GUARD) and _GUARDED.match(value):
        return value[1:]
    return value


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == ".jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "tags": ", ".join(row["tags"])}
        writer.writerow({name: guard(value) for name, value in cells.items()})
    return buffer.getvalue()
