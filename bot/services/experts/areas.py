"""The server's list of expertise areas: a curated seed, grown by what members enter.

A free entry is normalised: whitespace collapsed, and matched to an existing area when it is the
same once folded (case, accents, punctuation) or a near-miss typo of one, so "radiation detecton"
joins "Radiation detection" instead of starting a new area.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process
from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.experts import ExpertArea, ExpertiseArea
from bot.errors import Invalid
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


async def resolve(session: AsyncSession, guild_id: int, entries: Sequence[str]) -> list[ExpertiseArea]:
    """The area rows for what a member typed, creating the new ones."""
    catalog = {area.key: area for area in await _catalog(session, guild_id)}
    known = {
        **{key: label for key, label in _DEFAULTS_BY_KEY.items()},
        **{k: a.label for k, a in catalog.items()},
    }
    chosen: dict[str, ExpertiseArea] = {}
    for entry in entries:
        key = fold(entry)[:LABEL_LIMIT]
        if key not in known and len(key) >= FUZZY_MIN_LENGTH:
            near = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if near is not None:
                key = near[0]
        if key in chosen:
            continue
        area = catalog.get(key)
        if area is None:
            area = ExpertiseArea(guild_id=guild_id, key=key, label=known.get(key) or clean_label(entry))
            session.add(area)
            catalog[key] = area
            known[key] = area.label
        chosen[key] = area
    await session.flush()
    return list(chosen.values())


def term_matches(term_key: str, area_key: str) -> bool:
    """A term matches an area when it is inside the area's name, or the area's name is in the term
    (whole words), so a topic "riid operation in the field" finds "RIID operation"."""
    if not term_key or not area_key:
        return False
    return term_key in area_key or f" {area_key} " in f" {term_key} "


async def suggestions(session: AsyncSession, guild_id: int, prefix: str, limit: int = 25) -> list[str]:
    """Autocomplete: the server's areas (and the curated seed) starting with, then containing, ``prefix``."""
    labels = {fold(a.label): a.label for a in await _catalog(session, guild_id)}
    for key, label in _DEFAULTS_BY_KEY.items():
        labels.setdefault(key, label)
    typed = fold(prefix)
    ordered = sorted(labels.items())
    starts = [label for key, label in ordered if key.startswith(typed) or f" {typed}" in f" {key}"]
    contains = [label for key, label in ordered if typed in key and label not in starts]
    return (starts + contains)[:limit]


async def collect_garbage(session: AsyncSession, guild_id: int) -> None:
    """Forget areas no profile uses any more: a free entry may be someone's personal text."""
    used = exists().where(ExpertArea.area_id == ExpertiseArea.id)
    await session.execute(delete(ExpertiseArea).where(ExpertiseArea.guild_id == guild_id, ~used))
