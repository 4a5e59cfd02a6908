"""Expert directory: opt-in profiles, finding experts, verification, and the member's own data.

The public API lives here; the pieces are ``vocab`` (countries, languages, working hours),
``areas`` (the server's expertise list), ``profiles``, ``search`` and ``verification``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import AuditEntry
from bot.db.models.experts import ExpertProfile
from bot.db.unit import unit_of_work
from bot.services.experts import areas, index
from bot.services.experts.profiles import (
    ProfileInput,
    ProfileUpdate,
    check_registration,
    get_row,
    leave,
    register,
    remove,
    show,
)
from bot.services.experts.profiles import update as update_profile
from bot.services.experts.search import (
    ExpertCard,
    FindPage,
    RoutingCandidate,
    find,
    load_cards,
    routing_candidates,
)
from bot.services.experts.verification import (
    DEFAULT_MONTHS,
    EndedVerification,
    ExpiryWarning,
    Sweep,
    claim_expired,
    due_expiry_warnings,
    erase_departed,
    is_verified,
    member_left,
    member_returned,
    revoke,
    sweep,
    verified_members,
    verify,
)

__all__ = [
    "DEFAULT_MONTHS",
    "EndedVerification",
    "ExpertCard",
    "ExpiryWarning",
    "FindPage",
    "ProfileInput",
    "ProfileUpdate",
    "RoutingCandidate",
    "Sweep",
    "check_registration",
    "claim_expired",
    "curate_areas",
    "due_expiry_warnings",
    "erase_departed",
    "erase_member",
    "expertise_suggestions",
    "export_member",
    "find",
    "is_verified",
    "leave",
    "load_cards",
    "member_left",
    "member_returned",
    "prepare",
    "register",
    "revoke",
    "routing_candidates",
    "show",
    "stats",
    "sweep",
    "update_profile",
    "verified_members",
    "verify",
]


@unit_of_work
async def curate_areas(
    session: AsyncSession, guild_id: int, actor_id: int, *, add: str | None = None, remove: str | None = None
) -> list[str]:
    """Moderators add areas to the server's list or take them off; returns the curated list."""
    return await areas.curate(session, guild_id, actor_id, add=add, remove=remove)


@unit_of_work
async def expertise_suggestions(
    session: AsyncSession, guild_id: int, prefix: str, limit: int = 25
) -> list[str]:
    """The server's expertise list matching what was typed (also for the Q&A ``topic`` option)."""
    return await areas.suggestions(session, guild_id, prefix, limit)


@unit_of_work
async def prepare(session: AsyncSession, guild_id: int) -> None:
    """Load the server's search index ahead of the first search (it is otherwise built then)."""
    await index.load(session, guild_id)


async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    base = (
        select(func.count())
        .select_from(ExpertProfile)
        .where(ExpertProfile.guild_id == guild_id, ExpertProfile.left_at.is_(None))
    )
    profiles_count = await session.scalar(base) or 0
    verified_count = await session.scalar(base.where(ExpertProfile.verified_until > utcnow())) or 0
    return {"expert.stats.profiles": int(profiles_count), "expert.stats.verified": int(verified_count)}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's profile as stored, with the consent they gave."""
    profile = await get_row(session, guild_id, user_id)
    given = await session.scalar(
        select(func.count())
        .select_from(ExpertProfile)
        .where(ExpertProfile.guild_id == guild_id, ExpertProfile.verified_by == user_id)
    )
    data: dict[str, Any] = {"profile": None, "verifications_given": int(given or 0)}
    if profile is None:
        return data
    card = (await load_cards(session, guild_id, [profile.id], profile.updated_at))[profile.id]
    data["profile"] = {
        "agency": profile.agency,
        "country": profile.country,
        "expertise": list(card.areas),
        "languages": list(card.languages),
        "timezone": profile.timezone,
        "bio": profile.bio,
        "visibility": profile.visibility,
        "consent": {"text": profile.consent_text, "given_at": profile.consent_at.isoformat()},
        "verified_at": _iso(profile.verified_at),
        "verified_until": _iso(profile.verified_until),
        "expiry_warned_at": _iso(profile.expiry_warned_at),
        "verification_ended_at": _iso(profile.verification_ended_at),
        "left_server_at": _iso(profile.left_at),
        "created_at": _iso(profile.created_at),
        "updated_at": _iso(profile.updated_at),
    }
    return data


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Delete the profile; forget the member as the verifier of others and as a verification's
    target in the audit log (the entry stays, without who it was about)."""
    await remove(session, guild_id, user_id)
    await session.execute(
        update(ExpertProfile)
        .where(ExpertProfile.guild_id == guild_id, ExpertProfile.verified_by == user_id)
        .values(verified_by=None)
    )
    await session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.guild_id == guild_id,
            AuditEntry.action.in_(("expert.verify", "expert.revoke", "expert.verification_ended")),
            AuditEntry.target == f"<@{user_id}>",
        )
        .values(target=None)
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
