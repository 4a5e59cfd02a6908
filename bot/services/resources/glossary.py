"""Acronyms and what they stand for, in English and French, so that each finds the other.

The built-in glossary below is every server's starting point; a server's own entries (table
``resource_glossary``) add acronyms, replace the expansions of a built-in one, or hide it (an entry
with no expansions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.resources import GlossaryEntry
from bot.db.search import words
from bot.errors import Invalid, NotFound
from bot.services import audit

ACRONYM_MAX = 32
EXPANSION_MAX = 150
EXPANSIONS_MAX = 8

BUILT_IN: dict[str, tuple[str, ...]] = {
    "RIID": (
        "radionuclide identification device",
        "radioisotope identification device",
        "identificateur de radionucléides",
    ),
    "RPM": ("radiation portal monitor", "portique de détection des rayonnements", "portique de détection"),
    "PRD": ("personal radiation detector", "détecteur de rayonnements individuel", "détecteur individuel"),
    "ITDB": (
        "incident and trafficking database",
        "base de données sur les incidents et les cas de trafic",
    ),
    "ICSANT": (
        "international convention for the suppression of acts of nuclear terrorism",
        "convention internationale pour la répression des actes de terrorisme nucléaire",
    ),
    "CPPNM": (
        "convention on the physical protection of nuclear material",
        "convention sur la protection physique des matières nucléaires",
    ),
    "CBRN": (
        "chemical biological radiological nuclear",
        "NRBC",
        "nucléaire radiologique biologique chimique",
    ),
}


@dataclass(frozen=True)
class Glossary:
    """acronym (upper case) -> its expansions; ``phrases`` maps each as index words to the acronym."""

    entries: dict[str, tuple[str, ...]]
    by_phrase: dict[tuple[str, ...], str]

    def phrases(self) -> dict[tuple[str, ...], str]:
        return self.by_phrase

    def alternatives(self, acronym: str) -> list[tuple[str, ...]]:
        """The acronym and every expansion, as word tuples, acronym first."""
        items = [tuple(words(acronym))] + [tuple(words(e)) for e in self.entries.get(acronym, ())]
        return list(dict.fromkeys(item for item in items if item))


_CACHE: dict[tuple[str, int], tuple[float, Glossary]] = {}
CACHE_SECONDS = 60.0


def _cache_key(session: AsyncSession, guild_id: int) -> tuple[str, int]:
    return str(session.get_bind().engine.url), guild_id


def _phrases(entries: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    found: dict[tuple[str, ...], str] = {}
    for acronym, expansions in entries.items():
        found[tuple(words(acronym))] = acronym
        for expansion in expansions:
            key = tuple(words(expansion))
            if key:
                found.setdefault(key, acronym)
    return found


async def load(session: AsyncSession, guild_id: int) -> Glossary:
    """The server's glossary; kept a minute in memory (every search reads it), dropped at once
    when this process changes it."""
    key = _cache_key(session, guild_id)
    cached = _CACHE.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    glossary = await _read(session, guild_id)
    _CACHE[key] = (time.monotonic(), glossary)
    return glossary


async def _read(session: AsyncSession, guild_id: int) -> Glossary:
    entries = dict(BUILT_IN)
    rows = await session.scalars(select(GlossaryEntry).where(GlossaryEntry.guild_id == guild_id))
    for row in rows:
        if row.expansions:
            entries[row.acronym] = tuple(str(e) for e in row.expansions)
        else:
            entries.pop(row.acronym, None)
    return Glossary(dict(sorted(entries.items())), _phrases(entries))


def _acronym(text: str) -> str:
    value = "".join((text or "").split()).upper()
    if not value or not words(value):
        raise Invalid("error.required", field="term")
    if len(value) > ACRONYM_MAX:
        raise Invalid("error.too_long", field="term", limit=ACRONYM_MAX)
    return value


def _expansions(text: str) -> tuple[str, ...]:
    items = [" ".join(part.split()) for part in (text or "").split(",")]
    found = tuple(dict.fromkeys(item for item in items if words(item)))
    if not found:
        raise Invalid("error.required", field="expansions")
    if len(found) > EXPANSIONS_MAX:
        raise Invalid("resource.glossary_too_many", limit=EXPANSIONS_MAX)
    for item in found:
        if len(item) > EXPANSION_MAX:
            raise Invalid("error.too_long", field="expansions", limit=EXPANSION_MAX)
    return found


async def _row(session: AsyncSession, guild_id: int, acronym: str) -> GlossaryEntry | None:
    return await session.scalar(
        select(GlossaryEntry).where(GlossaryEntry.guild_id == guild_id, GlossaryEntry.acronym == acronym)
    )


async def define(
    session: AsyncSession, guild_id: int, actor_id: int, term: str, expansions: str, now: datetime
) -> tuple[str, tuple[str, ...]]:
    """Set what ``term`` stands for in this server (comma-separated expansions, any language)."""
    acronym, values = _acronym(term), _expansions(expansions)
    row = await _row(session, guild_id, acronym)
    if row is None:
        row = GlossaryEntry(guild_id=guild_id, acronym=acronym)
        session.add(row)
    row.expansions, row.updated_by, row.updated_at = list(values), actor_id, now
    _CACHE.pop(_cache_key(session, guild_id), None)
    await audit.record(session, guild_id, actor_id, "resource.glossary.define", acronym)
    return acronym, values


async def forget(session: AsyncSession, guild_id: int, actor_id: int, term: str, now: datetime) -> str:
    """Remove ``term`` from this server's glossary (built-in acronyms are hidden, not deleted)."""
    acronym = _acronym(term)
    current = await load(session, guild_id)
    if acronym not in current.entries:
        raise NotFound("resource.glossary_unknown", term=acronym)
    row = await _row(session, guild_id, acronym)
    if acronym in BUILT_IN:
        if row is None:
            row = GlossaryEntry(guild_id=guild_id, acronym=acronym)
            session.add(row)
        row.expansions, row.updated_by, row.updated_at = [], actor_id, now
    elif row is not None:
        await session.delete(row)
    _CACHE.pop(_cache_key(session, guild_id), None)
    await audit.record(session, guild_id, actor_id, "resource.glossary.forget", acronym)
    return acronym


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    rows = await session.scalars(
        select(GlossaryEntry).where(GlossaryEntry.guild_id == guild_id, GlossaryEntry.updated_by == user_id)
    )
    for row in rows:
        row.updated_by = None
