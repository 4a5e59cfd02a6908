"""Routing: which experts are mentioned in a question's thread, within the server's daily cap.

Candidates come from the expert directory (``bot.services.experts.routing_candidates``: opted-in
experts whose expertise matches the terms and who share a language with the asker). Here we keep
those who still have room under the daily cap, prefer those in working hours and with the best
match, then those asked least today, and record each mention so the cap and escalation can see it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MemberSettings
from bot.db.models.qa import ExpertNotification, Question
from bot.services import experts, guild_settings, labels
from bot.services.qa._text import routing_terms

EXPERTS_PER_ROUND = 3


@dataclass(frozen=True)
class Candidate:
    """What routing needs to know about one expert (a view of the directory's RoutingCandidate)."""

    user_id: int
    score: int
    in_working_hours: bool
    asked_today: int = 0


def _score(matched: Any) -> int:
    if isinstance(matched, bool):
        return int(matched)
    if isinstance(matched, int | float):
        return int(matched)
    if isinstance(matched, Collection) and not isinstance(matched, str):
        return len(matched)
    return 1 if matched else 0


def choose(candidates: Sequence[Candidate], cap: int, limit: int = EXPERTS_PER_ROUND) -> list[int]:
    """Up to ``limit`` experts under the cap: in working hours first, best match, least asked today.

    Ties keep the directory's order, so the choice is deterministic.
    """
    eligible = [c for c in candidates if c.score > 0 and c.asked_today < cap]
    ranked = sorted(
        enumerate(eligible),
        key=lambda pair: (not pair[1].in_working_hours, -pair[1].score, pair[1].asked_today, pair[0]),
    )
    return [candidate.user_id for _position, candidate in ranked[:limit]]


def day_start(now: datetime, timezone: str) -> datetime:
    """Midnight of ``now``'s day in the server's time zone: the daily cap resets then."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


async def asked_since(
    session: AsyncSession, guild_id: int, expert_ids: Collection[int], since: datetime
) -> dict[int, int]:
    """How many times each expert was mentioned since ``since``."""
    if not expert_ids:
        return {}
    rows = await session.execute(
        select(ExpertNotification.expert_id, func.count())
        .where(
            ExpertNotification.guild_id == guild_id,
            ExpertNotification.expert_id.in_(list(expert_ids)),
            ExpertNotification.notified_at >= since,
        )
        .group_by(ExpertNotification.expert_id)
    )
    return {int(expert): int(count) for expert, count in rows.all()}


async def already_notified(session: AsyncSession, guild_id: int, question_id: int) -> set[int]:
    rows = await session.scalars(
        select(ExpertNotification.expert_id).where(
            ExpertNotification.guild_id == guild_id, ExpertNotification.question_id == question_id
        )
    )
    return set(rows)


async def _opted_out(session: AsyncSession, guild_id: int, user_ids: Collection[int]) -> set[int]:
    if not user_ids:
        return set()
    rows = await session.scalars(
        select(MemberSettings.user_id).where(
            MemberSettings.guild_id == guild_id,
            MemberSettings.user_id.in_(list(user_ids)),
            MemberSettings.qa_routing.is_(False),
        )
    )
    return set(rows)


async def directory_candidates(
    session: AsyncSession,
    guild_id: int,
    *,
    terms: list[str],
    languages: list[str],
    exclude: set[int],
    now: datetime,
    verified_only: bool,
) -> list[Any]:
    """The expert directory's candidates."""
    found = await experts.routing_candidates(
        session,
        guild_id,
        terms=terms,
        languages=languages,
        exclude_user_ids=exclude,
        now=now,
        verified_only=verified_only,
    )
    return list(found)


async def route(session: AsyncSession, question: Question, *, now: datetime, round_: int) -> list[int]:
    """Pick and record the experts to mention for ``question`` in this round (0 = when asked)."""
    guild_id = question.guild_id
    settings = await guild_settings.get(session, guild_id)
    exclude = await already_notified(session, guild_id, question.id)
    if question.author_id is not None:
        exclude.add(question.author_id)
    found = await directory_candidates(
        session,
        guild_id,
        terms=routing_terms(question.topic, question.title, question.details),
        languages=[question.language],
        exclude=exclude,
        now=now,
        verified_only=question.label in labels.RESTRICTED,
    )
    found = [c for c in found if c.user_id not in exclude]
    if question.label in labels.RESTRICTED:
        found = [c for c in found if getattr(c, "verified", False)]
    opted_out = await _opted_out(session, guild_id, [c.user_id for c in found])
    found = [c for c in found if c.user_id not in opted_out]
    counts = await asked_since(
        session, guild_id, [c.user_id for c in found], day_start(now, settings.timezone)
    )
    chosen = choose(
        [
            Candidate(c.user_id, _score(c.matched), bool(c.in_working_hours), counts.get(c.user_id, 0))
            for c in found
        ],
        cap=settings.qa_daily_cap,
    )
    for expert_id in chosen:
        session.add(
            ExpertNotification(
                guild_id=guild_id, question_id=question.id, expert_id=expert_id, round=round_, notified_at=now
            )
        )
    await session.flush()
    return chosen


def escalation_cutoff(now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)
