"""The server's list of expertise areas: a curated seed, grown by what members enter.

A free entry is normalised: whitespace collapsed, and matched to an existing area when it is the
same once folded (case, accents, punctuation) or a near-miss typo of one, so "radiation detecton"
joins "Radiation detection" instead of starting a new area.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.experts import ExpertArea, ExpertiseArea
from bot.db.upsert import insert_missing
from bot.errors import Invalid
from bot.services import audit
from bot.services.experts.vocab import fold

MAX_AREAS = 15
LABEL_LIMIT = 100
FUZZY_CUTOFF = 90
FUZZY_MIN_LENGTH = 6

DEFAULT_AREAS = (
    "Radiation detection",
    "RIID operation",
    "Radiation portal monitors",
    "Border monitoring",
    "Customs enforcement",
    "Nuclear forensics",
    "Radiological crime scene management",
    "Source security",
    "Physical protection",
    "Transport security",
    "Insider threat",
    "Nuclear security culture",
    "Emergency preparedness and response",
    "Dosimetry",
    "Health physics",
    "Gamma spectrometry",
    "Neutron detection",
    "Regulatory control",
    "Export control",
    "Orphan source search",
    "Computer security",
    "Threat assessment",
    "Nuclear material accountancy",
    "Major public events",
    "Training and exercises",
    "Medical sources",
    "Industrial radiography",
    "Radioactive waste",
    "Law enforcement",
    "Intelligence analysis",
)
_DEFAULTS_BY_KEY = {fold(label): label for label in DEFAULT_AREAS}


def clean_label(text: str) -> str:
    """Whitespace collapsed; a first lowercase letter raised, the rest kept as typed (acronyms)."""
    label = " ".join(text.split())[:LABEL_LIMIT]
    return label[:1].upper() + label[1:]


def split_entries(text: str | None) -> list[str]:
    """``a, b, A`` -> distinct entries (by folded form), in the order given."""
    seen: dict[str, str] = {}
    for part in (text or "").split(","):
        key = fold(part)
        if key and key not in seen:
            seen[key] = part.strip()
    if not seen:
        raise Invalid("expert.bad_expertise")
    if len(seen) > MAX_AREAS:
        raise Invalid("expert.too_many", field="expertise", limit=MAX_AREAS)
    return list(seen.values())


async def _catalog(session: AsyncSession, guild_id: int) -> list[ExpertiseArea]:
    return list(await session.scalars(select(ExpertiseArea).where(ExpertiseArea.guild_id == guild_id)))


async def _seeded_catalog(session: AsyncSession, guild_id: int) -> dict[str, ExpertiseArea]:
    """The server's areas by key; a server's first write starts its list from the seed."""
    catalog = {area.key: area for area in await _catalog(session, guild_id)}
    if not catalog:
        seed = [{"key": key, "label": label, "curated": True} for key, label in _DEFAULTS_BY_KEY.items()]
        catalog = await _add_missing(session, guild_id, seed)
    return catalog


async def _add_missing(
    session: AsyncSession, guild_id: int, areas: list[dict[str, Any]]
) -> dict[str, ExpertiseArea]:
    """Create the areas not there yet (race-free: another member may be adding the same one
    right now), then the whole catalog, by key."""
    await insert_missing(
        session, ExpertiseArea, [{"guild_id": guild_id} | area for area in areas], ("guild_id", "key")
    )
    return {area.key: area for area in await _catalog(session, guild_id)}


def _nearest(key: str, known: Iterable[str]) -> str:
    """An existing key that ``key`` is a near-miss typo of, else ``key`` itself."""
    if len(key) < FUZZY_MIN_LENGTH:
        return key
    near = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return near[0] if near is not None else key


async def resolve(
    session: AsyncSession, guild_id: int, entries: Sequence[str], *, curated: bool = False
) -> list[ExpertiseArea]:
    """The area rows for what was typed, creating the new ones (curated when moderators add them)."""
    catalog = await _seeded_catalog(session, guild_id)
    new: dict[str, str] = {}  # key -> label of areas to create
    keys: dict[str, None] = {}  # the chosen keys, in order, once each
    for entry in entries:
        key = fold(entry)[:LABEL_LIMIT]
        if key not in catalog and key not in new:
            key = _nearest(key, [*catalog, *new])
        if key not in catalog and key not in new:
            new[key] = clean_label(entry)
        keys[key] = None
    if new:
        rows = [{"key": key, "label": label, "curated": curated} for key, label in new.items()]
        catalog = await _add_missing(session, guild_id, rows)
    chosen = [catalog[key] for key in keys]
    for area in chosen:
        area.curated = area.curated or curated
    await session.flush()
    return chosen


async def curate(
    session: AsyncSession, guild_id: int, actor_id: int, *, add: str | None, remove: str | None
) -> list[str]:
    """Moderators shape the server's list: add areas, or take them off it (an area still used by
    a profile stays until its last profile drops it). Audited; returns the curated list."""
    added = (
        [a.label for a in await resolve(session, guild_id, split_entries(add), curated=True)] if add else []
    )
    removed: list[str] = []
    if remove:
        catalog = await _seeded_catalog(session, guild_id)
        for entry in split_entries(remove):
            area = catalog.get(_nearest(fold(entry), catalog))
            if area is not None and area.curated:
                area.curated = False
                removed.append(area.label)
        await session.flush()
        await collect_garbage(session, guild_id)
    if added or removed:
        await audit.record(
            session, guild_id, actor_id, "expert.areas", details={"added": added, "removed": removed}
        )
    rows = await session.scalars(
        select(ExpertiseArea.label).where(ExpertiseArea.guild_id == guild_id, ExpertiseArea.curated.is_(True))
    )
    return sorted(rows, key=fold)


def term_matches(term_key: str, area_key: str) -> bool:
    """A term matches an area when it is inside the area's name, or the area's name is in the term
    (whole words), so a topic "riid operation in the field" finds "RIID operation"."""
    if not term_key or not area_key:
        return False
    return term_key in area_key or f" {area_key} " in f" {term_key} "


async def suggestions(session: AsyncSession, guild_id: int, prefix: str, limit: int = 25) -> list[str]:
    """Autocomplete: the server's areas (the seed before its first profile) starting with, then
    containing, ``prefix``."""
    labels = {fold(a.label): a.label for a in await _catalog(session, guild_id)} or {
        key: label for key, label in _DEFAULTS_BY_KEY.items()
    }
    typed = fold(prefix)
    ordered = sorted(labels.items())
    starts = [label for key, label in ordered if key.startswith(typed) or f" {typed}" in f" {key}"]
    contains = [label for key, label in ordered if typed in key and label not in starts]
    return (starts + contains)[:limit]


async def collect_garbage(session: AsyncSession, guild_id: int) -> None:
    """Forget members' areas no profile uses any more: a free entry may be someone's personal text."""
    used = exists().where(ExpertArea.area_id == ExpertiseArea.id)
    await session.execute(
        delete(ExpertiseArea).where(
            ExpertiseArea.guild_id == guild_id, ExpertiseArea.curated.is_(False), ~used
        )
    )
