"""Finding experts: ``/expert find`` for members, and candidates for Q&A routing.

Ranking is done by the database: how many asked areas match, then verified first, then whether it
is working hours in the expert's zone (the set of zones in working hours is computed in Python once
per quarter hour and handed to the query), so only one page of profiles is ever loaded.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MemberSettings
from bot.db.models.experts import ExpertArea, ExpertiseArea, ExpertLanguage, ExpertProfile
from bot.services.experts import areas
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


def verified_expr(now: datetime) -> ColumnElement[int]:
    return case((and_(P.verified_until.is_not(None), P.verified_until > now), 1), else_=0)


def working_expr(now: datetime) -> ColumnElement[int]:
    zones = sorted(working_zones(now))
    return case((P.timezone.in_(zones), 1), else_=0) if zones else literal(0)


def visible_to(viewer_verified: bool) -> ColumnElement[bool]:
    """Profiles of members still in the server, and ``verified``-only ones for verified viewers."""
    shown = P.left_at.is_(None)
    return shown if viewer_verified else and_(shown, P.visibility == "members")


def _speaks(guild_id: int, codes: tuple[str, ...] | list[str]) -> ColumnElement[bool]:
    return P.id.in_(
        select(ExpertLanguage.profile_id).where(
            ExpertLanguage.guild_id == guild_id, ExpertLanguage.code.in_(list(codes))
        )
    )


def _matched_subquery(guild_id: int, id_sets: list[set[int]], per_term: bool) -> Any:
    """(profile_id, matched) for profiles with at least one matching area.

    ``per_term``: matched counts the terms the profile matches (``/expert find``); otherwise it
    counts the profile's matching areas (routing, where one topic may hit several areas)."""
    all_ids = sorted(set().union(*id_sets))
    if per_term:
        parts = [func.max(case((ExpertArea.area_id.in_(sorted(ids)), 1), else_=0)) for ids in id_sets if ids]
        matched: Any = reduce(operator.add, parts)
    else:
        matched = func.count()
    return (
        select(ExpertArea.profile_id.label("profile_id"), matched.label("matched"))
        .where(ExpertArea.guild_id == guild_id, ExpertArea.area_id.in_(all_ids))
        .group_by(ExpertArea.profile_id)
        .subquery()
    )


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
    """Profiles matching every given filter (any of the comma-separated expertise areas), best first."""
    verified, working = verified_expr(now), working_expr(now)
    matched: Any = literal(0)
    query = select(P.id).where(P.guild_id == guild_id, visible_to(viewer_verified))
    if expertise and expertise.strip():
        terms = areas.split_entries(expertise)[:MAX_TERMS]
        id_sets = await areas.matching_ids(session, guild_id, terms)
        if not any(id_sets):
            return FindPage(0, [])
        sub = _matched_subquery(guild_id, id_sets, per_term=True)
        query = query.join(sub, sub.c.profile_id == P.id)
        matched = sub.c.matched
    if country and country.strip():
        query = query.where(P.country == parse_country(country))
    if language and language.strip():
        query = query.where(_speaks(guild_id, parse_languages(language)))
    if agency and fold(agency):
        query = query.where(P.agency_key.contains(fold(agency), autoescape=True))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ranked = query.add_columns(matched.label("matched")).order_by(
        matched.desc(), verified.desc(), working.desc(), P.id
    )
    rows = (await session.execute(ranked.limit(limit).offset(offset))).all()
    cards = await load_cards(session, guild_id, [row[0] for row in rows], now)
    matches = {row[0]: int(row[1]) for row in rows}
    return FindPage(int(total), [_with_matched(cards[pid], matches[pid]) for pid in matches if pid in cards])


def _with_matched(card: ExpertCard, matched: int) -> ExpertCard:
    return ExpertCard(**{**card.__dict__, "matched": matched})


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
    """Experts who opted in to Q&A routing and whose areas match the terms, best first.

    Only profiles visible to every member are routed (a ping in a public thread would reveal a
    ``verified``-only profile). ``matched`` counts the expert's areas that match any term.
    """
    id_sets = await areas.matching_ids(session, guild_id, terms[:MAX_TERMS])
    if not any(id_sets):
        return []
    sub = _matched_subquery(guild_id, id_sets, per_term=False)
    verified, working = verified_expr(now), working_expr(now)
    opted_out = exists().where(
        MemberSettings.guild_id == guild_id,
        MemberSettings.user_id == P.user_id,
        MemberSettings.qa_routing.is_(False),
    )
    query = (
        select(P.id, P.user_id, sub.c.matched, working.label("w"), verified.label("v"))
        .join(sub, sub.c.profile_id == P.id)
        .where(P.guild_id == guild_id, visible_to(False), ~opted_out)
    )
    if exclude_user_ids:
        query = query.where(P.user_id.not_in(sorted(exclude_user_ids)))
    if verified_only:
        query = query.where(verified == 1)
    codes = [code.strip().lower() for code in languages if code and code.strip()]
    if codes:
        query = query.where(_speaks(guild_id, codes))
    query = query.order_by(sub.c.matched.desc(), working.desc(), verified.desc(), P.id).limit(limit)
    rows = (await session.execute(query)).all()
    spoken = await _languages_of(session, guild_id, [row[0] for row in rows])
    return [
        RoutingCandidate(
            user_id=row[1],
            matched=int(row[2]),
            in_working_hours=bool(row[3]),
            verified=bool(row[4]),
            languages=spoken.get(row[0], ()),
        )
        for row in rows
    ]
