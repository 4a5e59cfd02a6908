"""Certificates of completion and their verification codes.

A code is random (``secrets``), stored, and means nothing by itself: a forged or mistyped code is
simply not found. After the holder erases their data the row stays as a bare code (no member id,
no name), so that verifying it says the certificate was withdrawn rather than "unknown".
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.learn import Certificate, Progress
from bot.errors import NotAllowed, NotFound
from bot.services import labels
from bot.services.learn import courses

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_SHAPE = re.compile(r"^LRN-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
NAME_LIMIT = 100


@dataclass(frozen=True)
class Issued:
    code: str
    member_name: str
    course_title: str
    course_titles: dict[str, str]
    issued_at: datetime
    label: str


@dataclass(frozen=True)
class Verification:
    code: str
    withdrawn: bool
    member_name: str | None = None
    course_title: str | None = None
    issued_at: datetime | None = None


def new_code() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3)]
    return "LRN-" + "-".join(groups)


def normalise(code: str) -> str:
    cleaned = re.sub(r"[\s_]+", "", (code or "").upper()).replace("—", "-")
    bare = cleaned.replace("-", "")
    if bare.startswith("LRN"):
        bare = bare[3:]
    if len(bare) == 12:
        return f"LRN-{bare[:4]}-{bare[4:8]}-{bare[8:]}"
    return cleaned


async def issue(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    text: str,
    member_name: str,
    now: datetime,
    *,
    verified: bool,
) -> Issued:
    """The member's certificate for a completed course (the same one each time it is asked for)."""
    row = await courses.resolve(session, guild_id, text, verified=verified)
    progress = await session.scalar(
        select(Progress).where(Progress.course_id == row.id, Progress.user_id == user_id)
    )
    if progress is None or progress.completed_at is None:
        raise NotAllowed("learn.certificate.not_completed", title=row.title)
    course = courses.definition(row)
    cert = await session.scalar(
        select(Certificate).where(
            Certificate.guild_id == guild_id,
            Certificate.course_id == row.id,
            Certificate.user_id == user_id,
            Certificate.withdrawn_at.is_(None),
        )
    )
    if cert is None:
        cert = Certificate(
            guild_id=guild_id,
            course_id=row.id,
            user_id=user_id,
            member_name=member_name[:NAME_LIMIT],
            course_title=row.title,
            label=row.label,
            code=new_code(),
            issued_at=progress.completed_at,
        )
        session.add(cert)
        await session.flush()
    return Issued(
        cert.code,
        cert.member_name or member_name,
        cert.course_title,
        dict(course.title),
        cert.issued_at,
        row.label,
    )


async def verify(session: AsyncSession, guild_id: int, code: str, *, verified: bool) -> Verification:
    """Whether a code is a certificate's; a certificate of an AMBER course does not exist for a
    member who is not verified (not even as "withdrawn")."""
    cleaned = normalise(code)
    if not CODE_SHAPE.match(cleaned):
        raise NotFound("learn.verify.unknown", code=cleaned[:40])
    cert = await session.scalar(
        select(Certificate).where(Certificate.guild_id == guild_id, Certificate.code == cleaned)
    )
    if cert is None or not labels.may_see(cert.label, verified):
        raise NotFound("learn.verify.unknown", code=cleaned)
    if cert.withdrawn_at is not None or cert.user_id is None:
        return Verification(cleaned, True)
    return Verification(cleaned, False, cert.member_name, cert.course_title, cert.issued_at)


async def of_member(session: AsyncSession, guild_id: int, user_id: int) -> list[Certificate]:
    return list(
        await session.scalars(
            select(Certificate)
            .where(
                Certificate.guild_id == guild_id,
                Certificate.user_id == user_id,
                Certificate.withdrawn_at.is_(None),
            )
            .order_by(Certificate.id)
        )
    )
