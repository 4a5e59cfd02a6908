"""The expert directory as a caller sees it: ``/expert profile`` and ``/expert find``, each one
unit of work that reads who calls (``bot.services.callers``: a moderator, or a verified expert,
sees ``verified``-only profiles) next to the lookup itself."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services import callers, experts
from bot.services.callers import Caller
from bot.services.experts import ExpertCard, FindPage


@unit_of_work
async def profile(session: AsyncSession, caller: Caller, user_id: int) -> ExpertCard:
    """``experts.show`` of ``user_id``'s profile, for the caller."""
    verified = await callers.verified(session, caller)
    return await experts.show(
        session, caller.guild_id, user_id, viewer_id=caller.user_id, viewer_verified=verified, now=caller.now
    )


@unit_of_work
async def find(
    session: AsyncSession,
    caller: Caller,
    *,
    expertise: str | None = None,
    country: str | None = None,
    language: str | None = None,
    agency: str | None = None,
    limit: int = 10,
) -> FindPage:
    """``experts.find`` for the caller."""
    verified = await callers.verified(session, caller)
    return await experts.find(
        session,
        caller.guild_id,
        viewer_verified=verified,
        now=caller.now,
        expertise=expertise,
        country=country,
        language=language,
        agency=agency,
        limit=limit,
    )
