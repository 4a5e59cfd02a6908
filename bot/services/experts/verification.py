"""Verification by moderators, its expiry and warning, and what happens when a member leaves."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildSettings
from bot.db.models.experts import ExpertProfile
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit
from bot.services.experts import index, profiles

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
WARN_BEFORE = timedelta(days=7)
DEFAULT_RETENTION_DAYS = 30


def add_months(moment: datetime, months: int) -> datetime:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@unit_of_work
async def verify(
    session: AsyncSession,
    guild_id: int,
    moderator_id: int,
    user_id: int,
    *,
    now: datetime,
    months: int = DEFAULT_MONTHS,
) -> datetime:
    """Verify the member's affiliation until ``now + months``; audited. Returns the expiry."""
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid("expert.bad_months", limit=MAX_MONTHS)
    profile = await profiles.get_row(session, guild_id, user_id)
    if profile is None or profile.left_at is not None:
        raise NotFound("expert.no_profile_of")
    until = add_months(now, months)
    profile.verified_by, profile.verified_at, profile.verified_until = moderator_id, now, until
    profile.expiry_warned_at = profile.verification_ended_at = None
    await index.touch(session, guild_id, profile.id)
    await audit.record(
        session,
        guild_id,
        moderator_id,
        "expert.verify",
        target=f"<@{user_id}>",
        details={"months": months, "until": until.isoformat()},
    )
    return until


@unit_of_work
async def revoke(
    session: AsyncSession, guild_id: int, moderator_id: int, user_id: int, *, now: datetime
) -> None:
    """A moderator ends a member's verification before its term; audited."""
    profile = await profiles.get_row(session, guild_id, user_id)
    if profile is None or profile.left_at is not None:
        raise NotFound("expert.no_profile_of")
    if profile.verified_until is None or profile.verified_until <= now:
        raise Conflict("expert.revoke.not_verified")
    profiles.end_verification(profile, now)
    await index.touch(session, guild_id, profile.id)
    await audit.record(session, guild_id, moderator_id, "expert.revoke", target=f"<@{user_id}>")


@dataclass(frozen=True)
class EndedVerification:
    guild_id: int
    user_id: int


async def claim_expired(session: AsyncSession, now: datetime) -> list[EndedVerification]:
    """Verifications that have expired and whose verified role was not yet taken back, marked as
    handled as they are returned (across every server: a sweep; claimed once, as warnings are)."""
    claimed = await session.execute(
        update(ExpertProfile)
        .where(
            ExpertProfile.verified_until.is_not(None),
            ExpertProfile.verified_until <= now,
            ExpertProfile.verification_ended_at.is_(None),
        )
        .values(verification_ended_at=now)
        .returning(ExpertProfile.guild_id, ExpertProfile.user_id)
        .execution_options(synchronize_session=False)
    )
    return [EndedVerification(guild_id, user_id) for guild_id, user_id in sorted(claimed.all())]


async def verified_members(session: AsyncSession, guild_id: int, now: datetime) -> list[int]:
    """Every member of the server verified now (to give them a newly chosen verified role)."""
    rows = await session.scalars(
        select(ExpertProfile.user_id)
        .where(
            ExpertProfile.guild_id == guild_id,
            ExpertProfile.left_at.is_(None),
            ExpertProfile.verified_until > now,
        )
        .order_by(ExpertProfile.user_id)
    )
    return list(rows)


@unit_of_work
async def is_verified(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> bool:
    """Verified by a moderator and not expired; profiles of members who left are not verified."""
    found = await session.scalar(
        select(ExpertProfile.id).where(
            ExpertProfile.guild_id == guild_id,
            ExpertProfile.user_id == user_id,
            ExpertProfile.left_at.is_(None),
            ExpertProfile.verified_until > now,
        )
    )
    return found is not None


@dataclass(frozen=True)
class ExpiryWarning:
    guild_id: int
    user_id: int
    expires_at: datetime


async def due_expiry_warnings(session: AsyncSession, now: datetime) -> list[ExpiryWarning]:
    """Verifications ending within a week not yet warned about, marked as warned as they are
    returned: running this twice never warns twice. (Across every server: it is a sweep.)

    One conditional ``UPDATE … RETURNING``: when several processes sweep at once (sharded
    operation), a row locked by one is re-checked by the other after it commits, so each
    warning is claimed by exactly one of them."""
    claimed = await session.execute(
        update(ExpertProfile)
        .where(
            ExpertProfile.left_at.is_(None),
            ExpertProfile.expiry_warned_at.is_(None),
            ExpertProfile.verified_until > now,
            ExpertProfile.verified_until <= now + WARN_BEFORE,
        )
        .values(expiry_warned_at=now)
        .returning(ExpertProfile.guild_id, ExpertProfile.user_id, ExpertProfile.verified_until)
        .execution_options(synchronize_session=False)
    )
    return [
        ExpiryWarning(guild_id, user_id, verified_until)
        for guild_id, user_id, verified_until in sorted(claimed.all())
        if verified_until is not None  # always: the WHERE compares it
    ]


@unit_of_work
async def member_left(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> bool:
    """Hide the profile at once; it is erased after the server's retention period. Leaving ends
    the verification: a member who comes back needs a new ``/expert verify``."""
    profile = await profiles.get_row(session, guild_id, user_id)
    if profile is None or profile.left_at is not None:
        return False
    profile.left_at = profile.updated_at = now
    if profile.verified_until is not None:
        profiles.end_verification(profile, now)
    await index.touch(session, guild_id, profile.id)
    return True


@unit_of_work
async def member_returned(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """A member back before the erasure finds their profile shown again."""
    profile = await profiles.get_row(session, guild_id, user_id)
    if profile is None or profile.left_at is None:
        return False
    profile.left_at = None
    await index.touch(session, guild_id, profile.id)
    return True


async def erase_departed(session: AsyncSession, now: datetime) -> int:
    """Erase the profiles of members gone for longer than their server's retention period."""
    rows = (
        await session.execute(
            select(
                ExpertProfile.guild_id,
                ExpertProfile.user_id,
                ExpertProfile.left_at,
                GuildSettings.retention_days,
            )
            .outerjoin(GuildSettings, GuildSettings.guild_id == ExpertProfile.guild_id)
            .where(ExpertProfile.left_at.is_not(None))
        )
    ).all()
    erased = 0
    for guild_id, user_id, left_at, retention in rows:
        days = DEFAULT_RETENTION_DAYS if retention is None else retention
        if left_at is not None and left_at + timedelta(days=days) <= now:
            await profiles.remove(session, guild_id, user_id)
            await audit.record(session, guild_id, None, "expert.retention_erased")
            erased += 1
    return erased


@dataclass(frozen=True)
class Sweep:
    """What one pass of due work found: warnings to send, verifications whose role to take
    back, and how many departed members' profiles were erased."""

    warnings: list[ExpiryWarning]
    expired: list[EndedVerification]
    erased: int


@unit_of_work
async def sweep(session: AsyncSession, now: datetime) -> Sweep:
    """The directory's due work, claimed in one transaction (each warning and expiry is marked
    handled as it is returned)."""
    warnings = await due_expiry_warnings(session, now)
    expired = await claim_expired(session, now)
    return Sweep(warnings, expired, await erase_departed(session, now))
