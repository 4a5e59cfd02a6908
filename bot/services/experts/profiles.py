"""Registering, updating, showing and removing one's own profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.experts import ExpertArea, ExpertLanguage, ExpertProfile
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotFound
from bot.services import audit, guild_settings
from bot.services.experts import areas, index
from bot.services.experts.search import ExpertCard, load_cards
from bot.services.experts.vocab import fold, parse_country, parse_languages
from bot.timeutil import parse_timezone

AGENCY_LIMIT = 100
BIO_LIMIT = 500
VISIBILITIES = ("members", "verified")


@dataclass(frozen=True)
class ProfileUpdate:
    """The profile after ``/expert update``; ``verification_ended`` when a new agency or country
    ended the member's verification (it vouched for the old affiliation)."""

    card: ExpertCard
    verification_ended: bool = False


@dataclass(frozen=True)
class ProfileInput:
    """What ``/expert register`` and ``/expert update`` take; None means 'not given'."""

    agency: str | None = None
    country: str | None = None
    expertise: str | None = None
    languages: str | None = None
    timezone: str | None = None
    bio: str | None = None
    visibility: str | None = None


def _text(value: str, field: str, limit: int, *, required: bool) -> str | None:
    cleaned = " ".join(value.split()) if field != "bio" else value.strip()
    if not cleaned:
        if required:
            raise Invalid("error.required", field=field)
        return None
    if len(cleaned) > limit:
        raise Invalid("error.too_long", field=field, limit=limit)
    return cleaned


def _visibility(value: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in VISIBILITIES:
        raise Invalid("expert.bad_visibility", value=value[:30])
    return cleaned


async def _validated(
    session: AsyncSession, guild_id: int, data: ProfileInput
) -> tuple[dict[str, object], list[str] | None, tuple[str, ...] | None]:
    """Every given field checked before anything is written: (columns, area entries, languages)."""
    values: dict[str, object] = {}
    if data.agency is not None:
        agency = _text(data.agency, "agency", AGENCY_LIMIT, required=True)
        values.update(agency=agency, agency_key=fold(agency)[:AGENCY_LIMIT])
    if data.country is not None:
        values["country"] = parse_country(data.country)
    if data.timezone is not None and data.timezone.strip():
        values["timezone"] = parse_timezone(data.timezone).key
    if data.bio is not None:
        values["bio"] = _text(data.bio, "bio", BIO_LIMIT, required=False)
    if data.visibility is not None:
        values["visibility"] = _visibility(data.visibility)
    entries = areas.split_entries(data.expertise) if data.expertise is not None else None
    languages = parse_languages(data.languages) if data.languages is not None else None
    return values, entries, languages


async def _default_timezone(session: AsyncSession, guild_id: int, user_id: int) -> str:
    member = await guild_settings.member(session, guild_id, user_id)
    if member is not None and member.timezone:
        return member.timezone
    return (await guild_settings.get(session, guild_id)).timezone or "UTC"


async def get_row(session: AsyncSession, guild_id: int, user_id: int) -> ExpertProfile | None:
    return await session.scalar(
        select(ExpertProfile).where(ExpertProfile.guild_id == guild_id, ExpertProfile.user_id == user_id)
    )


async def _set_links(
    session: AsyncSession,
    profile: ExpertProfile,
    entries: list[str] | None,
    languages: tuple[str, ...] | None,
) -> None:
    if entries is not None:
        chosen = await areas.resolve(session, profile.guild_id, entries)
        await session.execute(delete(ExpertArea).where(ExpertArea.profile_id == profile.id))
        session.add_all(
            ExpertArea(profile_id=profile.id, area_id=a.id, guild_id=profile.guild_id) for a in chosen
        )
    if languages is not None:
        await session.execute(delete(ExpertLanguage).where(ExpertLanguage.profile_id == profile.id))
        session.add_all(
            ExpertLanguage(profile_id=profile.id, code=code, guild_id=profile.guild_id) for code in languages
        )
    await session.flush()
    if entries is not None:
        await areas.collect_garbage(session, profile.guild_id)
    await index.touch(session, profile.guild_id, profile.id)


@unit_of_work
async def check_registration(
    session: AsyncSession, guild_id: int, user_id: int, data: ProfileInput
) -> tuple[dict[str, object], list[str] | None, tuple[str, ...] | None]:
    """Everything ``register`` would refuse, refused before the member is asked for consent."""
    for field in ("agency", "country", "expertise", "languages"):
        if not (getattr(data, field) or "").strip():
            raise Invalid("error.required", field=field)
    validated = await _validated(session, guild_id, data)
    if await get_row(session, guild_id, user_id) is not None:
        raise Conflict("expert.already_registered")
    return validated


@unit_of_work
async def register(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    data: ProfileInput,
    *,
    consent_text: str,
    now: datetime,
) -> ExpertCard:
    """Create the member's profile, recording the consent text they agreed to and when."""
    values, entries, languages = await check_registration(session, guild_id, user_id, data)
    values.setdefault("timezone", await _default_timezone(session, guild_id, user_id))
    profile = ExpertProfile(
        guild_id=guild_id, user_id=user_id, consent_text=consent_text, consent_at=now, **values
    )
    session.add(profile)
    await session.flush()
    await _set_links(session, profile, entries, languages)
    return (await load_cards(session, guild_id, [profile.id], now))[profile.id]


def end_verification(profile: ExpertProfile, now: datetime) -> bool:
    """End the profile's verification now; True when it was still running (the member held the
    verified role, or may still hold it: an expiry the sweep has not handled yet)."""
    running = profile.verified_until is not None and (
        profile.verified_until > now or profile.verification_ended_at is None
    )
    profile.verified_until = profile.verified_at = profile.expiry_warned_at = None
    profile.verification_ended_at = now
    return running


def _affiliation_changed(profile: ExpertProfile, values: dict[str, object]) -> bool:
    """A verification vouches for an agency in a country: a different one of either ends it."""
    return ("agency_key" in values and values["agency_key"] != profile.agency_key) or (
        "country" in values and values["country"] != profile.country
    )


@unit_of_work
async def update(
    session: AsyncSession, guild_id: int, user_id: int, data: ProfileInput, *, now: datetime
) -> ProfileUpdate:
    values, entries, languages = await _validated(session, guild_id, data)
    profile = await get_row(session, guild_id, user_id)
    if profile is None or profile.left_at is not None:
        raise NotFound("expert.no_profile")
    ended = False
    if profile.verified_until is not None and _affiliation_changed(profile, values):
        ended = end_verification(profile, now)
    if ended:
        await audit.record(
            session,
            guild_id,
            None,
            "expert.verification_ended",
            target=f"<@{user_id}>",
            details={"reason": "affiliation_changed"},
        )
    for key, value in values.items():
        setattr(profile, key, value)
    profile.updated_at = now
    await _set_links(session, profile, entries, languages)
    card = (await load_cards(session, guild_id, [profile.id], now))[profile.id]
    return ProfileUpdate(card, ended)


async def remove(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Delete the member's profile with its areas and languages; True when there was one."""
    profile = await get_row(session, guild_id, user_id)
    if profile is None:
        return False
    await index.touch(session, guild_id, profile.id)
    await session.delete(profile)
    await session.flush()
    await areas.collect_garbage(session, guild_id)
    return True


@unit_of_work
async def leave(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """``/expert leave``."""
    if not await remove(session, guild_id, user_id):
        raise NotFound("expert.no_profile")


@unit_of_work
async def show(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    *,
    viewer_id: int,
    viewer_verified: bool,
    now: datetime,
) -> ExpertCard:
    """A profile as ``viewer`` may see it. One the viewer may not see answers exactly like one
    that does not exist, so a ``verified``-only profile is not revealed by the refusal."""
    profile = await get_row(session, guild_id, user_id)
    own = viewer_id == user_id
    hidden = profile is None or (
        not own and (profile.left_at is not None or (profile.visibility != "members" and not viewer_verified))
    )
    if profile is None or hidden:
        raise NotFound("expert.no_profile" if own else "expert.not_found")
    return (await load_cards(session, guild_id, [profile.id], now))[profile.id]
