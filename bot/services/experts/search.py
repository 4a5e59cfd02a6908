"""Finding experts: ``/expert find`` for members, and candidates for Q&A routing.

Both run on the in-memory index of the server's directory (``index.py``), which a single small
query proves current: filters are set operations, ranking walks buckets (how many asked areas
match, verified, working hours in the expert's zone) instead of sorting every profile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MemberSettings
from bot.db.models.experts import ExpertArea, ExpertiseArea, ExpertLanguage, ExpertProfile
from bot.services.experts import areas, index
from bot.services.experts.vocab import fold, parse_country, parse_languages, working_zones

P = ExpertProfile
MAX_TERMS = 15
ROUTING_LIMIT = 50


@dataclass(frozen=True)
class RoutingCandidate:
    user_id: int
    matched: int
    in_working_hours: bool
    verified: bool
    languages: tuple[str, ...]


@dataclass(frozen=True)
class ExpertCard:
    """What a viewer allowed to see the profile is shown."""

    user_id: int
    agency: str
    country: str
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    bio: str | None
    visibility: str
    verified_until: datetime | None
    in_working_hours: bool
    matched: int = 0


@dataclass(frozen=True)
class FindPage:
    total: int
    experts: list[ExpertCard]


async def find(
    session: AsyncSession,
    guild_id: int,
    *,
    viewer_verified: bool,
    now: datetime,
    expertise: str | None = None,
    country: str | None = None,
    language: str | None = None,
    agency: str | None = None,
    limit: int = 10,
    offset: int = 0,
) -> FindPage:
    """Profiles matching every given filter (any of the comma-separated expertise areas), best first.

    Runs on the in-memory index (``index.py``): one small query checks that it is current."""
    idx = await index.load(session, guild_id)
    candidates = idx.everyone if viewer_verified else idx.members_visible
    per_term: list[set[int]] = []
    if expertise and expertise.strip():
        per_term = index.term_sets(idx, idx.matching_ids(areas.split_entries(expertise)[:MAX_TERMS]))
        candidates = candidates & set().union(*per_term)
    if country and country.strip():
        candidates = candidates & idx.by_country.get(parse_country(country), set())
    if language and language.strip():
        candidates = candidates & idx.speaking(parse_languages(language))
    if agency and fold(agency):
        candidates = candidates & idx.agency_contains(fold(agency))
    verified, working = idx.verified(now), idx.working(now)
    levels = index.level_sets(per_term) if len(per_term) > 1 else None
    page = index.rank(candidates, levels, verified, working, offset + limit)[offset:]
    cards = []
    for profile_id in page:
        entry = idx.entries[profile_id]
        cards.append(
            ExpertCard(
                user_id=entry.user_id,
                agency=entry.agency,
                country=entry.country,
                areas=tuple(sorted(idx.labels.get(a, "?") for a in entry.areas)),
                languages=entry.languages,
                timezone=entry.timezone,
                bio=entry.bio,
                visibility=entry.visibility,
                verified_until=entry.verified_until if profile_id in verified else None,
                in_working_hours=profile_id in working,
                matched=index.count_in(profile_id, per_term),
            )
        )
    return FindPage(len(candidates), cards)


async def load_cards(
    session: AsyncSession, guild_id: int, profile_ids: list[int], now: datetime
) -> dict[int, ExpertCard]:
    """Cards for these profiles, with their areas and languages, in two more queries."""
    if not profile_ids:
        return {}
    profiles = await session.scalars(select(P).where(P.guild_id == guild_id, P.id.in_(profile_ids)))
    area_rows = await session.execute(
        select(ExpertArea.profile_id, ExpertiseArea.label)
        .join(ExpertiseArea, ExpertiseArea.id == ExpertArea.area_id)
        .where(ExpertArea.guild_id == guild_id, ExpertArea.profile_id.in_(profile_ids))
        .order_by(ExpertiseArea.label)
    )
    labels: dict[int, list[str]] = defaultdict(list)
    for profile_id, label in area_rows:
        labels[profile_id].append(label)
    languages = await _languages_of(session, guild_id, profile_ids)
    zones = working_zones(now)
    return {
        p.id: ExpertCard(
            user_id=p.user_id,
            agency=p.agency,
            country=p.country,
            areas=tuple(labels[p.id]),
            languages=languages.get(p.id, ()),
            timezone=p.timezone,
            bio=p.bio,
            visibility=p.visibility,
            verified_until=p.verified_until if p.verified_until and p.verified_until > now else None,
            in_working_hours=p.timezone in zones,
        )
        for p in profiles
    }


async def _languages_of(
    session: AsyncSession, guild_id: int, profile_ids: list[int]
) -> dict[int, tuple[str, ...]]:
    rows = await session.execute(
        select(ExpertLanguage.profile_id, ExpertLanguage.code)
        .where(ExpertLanguage.guild_id == guild_id, ExpertLanguage.profile_id.in_(profile_ids))
        .order_by(ExpertLanguage.code)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for profile_id, code in rows:
        found[profile_id].append(code)
    return {pid: tuple(codes) for pid, codes in found.items()}


async def routing_candidates(
    session: AsyncSession,
    guild_id: int,
    *,
    terms: list[str],
    languages: list[str],
    exclude_user_ids: set[int],
    now: datetime,
    verified_only: bool = False,
    limit: int = ROUTING_LIMIT,
) -> list[RoutingCandidate]:
    """Experts who opted in to Q&A routing and whose areas match the terms, best first: more
    matching areas, then in working hours, then verified.

    Only profiles visible to every member are routed (a ping in a public thread would reveal a
    ``verified``-only profile). ``matched`` counts the expert's areas that match any term.
    """
    idx = await index.load(session, guild_id)
    per_area = index.area_sets(idx, idx.matching_ids(terms[:MAX_TERMS]))
    candidates = idx.members_visible & set().union(*per_area)
    codes = [code.strip().lower() for code in languages if code and code.strip()]
    if codes:
        candidates &= idx.speaking(codes)
    verified, working = idx.verified(now), idx.working(now)
    if verified_only:
        candidates &= verified
    refused = set(exclude_user_ids) | await _opted_out(session, guild_id)
    candidates = {pid for pid in candidates if idx.entries[pid].user_id not in refused}
    return [
        RoutingCandidate(
            user_id=idx.entries[pid].user_id,
            matched=index.count_in(pid, per_area),
            in_working_hours=pid in working,
            verified=pid in verified,
            languages=idx.entries[pid].languages,
        )
        for pid in index.rank(candidates, index.level_sets(per_area), working, verified, limit)
    ]


async def _opted_out(session: AsyncSession, guild_id: int) -> set[int]:
    rows = await session.scalars(
        select(MemberSettings.user_id).where(
            MemberSettings.guild_id == guild_id, MemberSettings.qa_routing.is_(False)
        )
    )
    return set(rows)
