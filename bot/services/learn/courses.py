"""Loading courses (``/learn load``) and finding them, with the sharing-label rule: a course
labelled ``TLP:AMBER`` is for verified members only, and does not exist for anyone else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.learn import Course, Progress
from bot.db.unit import unit_of_work
from bot.errors import Invalid, NotFound
from bot.ids import parse_id
from bot.services import audit, labels
from bot.services.learn import course_file, steps
from bot.services.learn.course_file import CourseDef, CourseFileError

MAX_FILE_BYTES = 256_000
SAMPLE_DIR = Path(__file__).resolve().parent / "samples"
# Shipped with Liaison, in the order the sandbox loads them (course #1, #2, #3 there).
SAMPLES = (
    SAMPLE_DIR / "border_detection.en.yaml",
    SAMPLE_DIR / "scenes_de_crime.fr.yaml",
    SAMPLE_DIR / "quick_start.en.yaml",
)
_defs: dict[str, CourseDef] = {}


@dataclass(frozen=True)
class Loaded:
    course_id: int
    created: bool
    summary: dict[str, object]


@dataclass(frozen=True)
class Listed:
    course_id: int
    title: str
    label: str
    steps: int
    position: int | None
    completed: bool


def definition(row: Course) -> CourseDef:
    """The parsed course of a row (cached under the row's revision, new at every load)."""
    cached = _defs.get(row.revision) if row.revision else None
    if cached is not None:
        return cached
    course = CourseDef.from_json(row.content)
    if row.revision:
        if len(_defs) > 256:
            _defs.clear()
        _defs[row.revision] = course
    return course


def title_in(course: CourseDef, language: str) -> str:
    return course.title.get(language) or course.title[course.languages[0]]


def decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise Invalid("learn.load.too_big", limit=MAX_FILE_BYTES // 1000)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("learn.load.not_text") from exc


@unit_of_work
async def load(session: AsyncSession, guild_id: int, actor_id: int, text: str, now: datetime) -> Loaded:
    """Parse and store a course; a course with the same ``id`` (or title) is replaced, keeping
    members' progress. Raises ``CourseFileError`` with every problem."""
    course = course_file.parse(text)
    row = await session.scalar(select(Course).where(Course.guild_id == guild_id, Course.slug == course.slug))
    created = row is None
    if row is None:
        row = Course(guild_id=guild_id, slug=course.slug, created_at=now)
        session.add(row)
    row.title = title_in(course, course.languages[0])[:200]
    row.label = course.label
    row.languages = ",".join(course.languages)
    row.content = course.to_json()
    row.source = text
    row.revision = secrets.token_hex(16)
    row.loaded_by = actor_id
    row.updated_at = now
    await session.flush()
    await audit.record(session, guild_id, actor_id, "course.loaded", target=f"course:{row.id}")
    return Loaded(row.id, created, course_file.summary(course))


def check(text: str) -> dict[str, object]:
    """The summary of a course file, or ``CourseFileError`` (``DocumentInvalid``)."""
    return course_file.summary(course_file.parse(text))


async def get(session: AsyncSession, guild_id: int, course_id: int, *, verified: bool) -> Course:
    """The course, if the member may see it (else NotFound, as if it did not exist)."""
    row = await session.get(Course, course_id)
    if row is None or row.guild_id != guild_id or not labels.may_see(row.label, verified):
        raise NotFound("learn.course.not_found")
    return row


def parse_ref(text: str | int | None) -> int:
    ident = parse_id(str(text or "").strip().lstrip("#").split(" ", 1)[0])
    if ident is None:
        raise NotFound("learn.course.not_found")
    return ident


async def resolve(session: AsyncSession, guild_id: int, text: str, *, verified: bool) -> Course:
    """A course from what was typed: its id (autocomplete's value), or its exact title."""
    cleaned = (text or "").strip()
    if parse_id(cleaned.lstrip("#").split(" ", 1)[0]) is not None:
        return await get(session, guild_id, parse_ref(cleaned), verified=verified)
    visible = (Course.guild_id == guild_id, labels.sql_visible(Course.label, verified))
    row = await session.scalar(select(Course).where(*visible, func.lower(Course.title) == cleaned.lower()))
    if row is None and cleaned:  # a part of the title, when only one course has it
        found = list(
            await session.scalars(
                select(Course)
                .where(*visible, func.lower(Course.title).contains(cleaned.lower(), autoescape=True))
                .limit(2)
            )
        )
        row = found[0] if len(found) == 1 else None
    if row is None:
        raise NotFound("learn.course.not_found")
    return row


async def listing(session: AsyncSession, guild_id: int, user_id: int, *, verified: bool) -> list[Listed]:
    """The server's courses the member may see, with where they stand in each."""
    rows = list(
        await session.scalars(
            select(Course)
            .where(Course.guild_id == guild_id, labels.sql_visible(Course.label, verified))
            .order_by(Course.title)
        )
    )
    mine = {
        p.course_id: p
        for p in await session.scalars(
            select(Progress).where(Progress.guild_id == guild_id, Progress.user_id == user_id)
        )
    }
    out = []
    for row in rows:
        progress = mine.get(row.id)
        out.append(
            Listed(
                row.id,
                row.title,
                row.label,
                len(steps.steps_of(definition(row))),
                progress.position if progress else None,
                bool(progress and progress.completed_at),
            )
        )
    return out


async def autocomplete(
    session: AsyncSession, guild_id: int, typed: str, *, verified: bool, limit: int = 25
) -> list[tuple[int, str]]:
    query = select(Course.id, Course.title).where(
        Course.guild_id == guild_id, labels.sql_visible(Course.label, verified)
    )
    cleaned = (typed or "").strip().lower()
    if cleaned:
        query = query.where(func.lower(Course.title).contains(cleaned, autoescape=True))
    rows = await session.execute(query.order_by(Course.title).limit(limit))
    return [(int(course_id), str(title)) for course_id, title in rows]


__all__ = [
    "CourseFileError",
    "Listed",
    "Loaded",
    "autocomplete",
    "check",
    "get",
    "listing",
    "load",
    "resolve",
]
