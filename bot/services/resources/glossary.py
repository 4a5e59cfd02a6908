"""Acronyms and term pairs, in English and French, so that each finds the other.

The built-in glossary (acronyms below, and the field's core vocabulary as English/French term pairs
in ``glossary_terms``) is every server's starting point; a server's own entries (table
``resource_glossary``) add acronyms or terms, replace the expansions of a built-in one, or hide it
(an entry with no expansions).

Search reads it as groups of equivalent phrases, compared by their stems (``bot.db.analysis``):
an entry links its term to its expansions, and entries sharing a phrase join one group (``PRD``,
``personal radiation detector`` and ``détecteur personnel de rayonnement`` are one group).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.analysis import normalize, terms_of
from bot.db.models.resources import GlossaryEntry
from bot.db.search import words
from bot.errors import Invalid, NotFound
from bot.services import audit
from bot.services.resources.glossary_terms import TERM_PAIRS

ACRONYM_MAX = 5  # one word this long or shorter is an acronym, kept in capitals
TERM_MAX = 100
EXPANSION_MAX = 150
EXPANSIONS_MAX = 8

BUILT_IN: dict[str, tuple[str, ...]] = {
    "RIID": (
        "radionuclide identification device",
        "radioisotope identification device",
        "identificateur de radionucléides",
    ),
    "RPM": ("radiation portal monitor", "portique de détection des rayonnements", "portique de détection"),
    "PRD": (
        "personal radiation detector",
        "détecteur de rayonnements individuel",
        "détecteur individuel",
        "détecteur personnel",
    ),
    "ITDB": (
        "incident and trafficking database",
        "base de données sur les incidents et les cas de trafic",
    ),
    "ICSANT": (
        "international convention for the suppression of acts of nuclear terrorism",
        "convention internationale pour la répression des actes de terrorisme nucléaire",
        "nuclear terrorism convention",
        "convention sur le terrorisme nucléaire",
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
    "MORC": ("material out of regulatory control", "matières hors contrôle réglementaire"),
    "RDD": ("radiological dispersal device", "dispositif de dispersion radiologique", "dirty bomb"),
    "IND": ("improvised nuclear device", "engin nucléaire improvisé"),
    "HEU": ("highly enriched uranium", "uranium hautement enrichi"),
    "SOP": ("standard operating procedure", "procédure opérationnelle normalisée"),
    "DBT": ("design basis threat", "menace de référence"),
    "PPE": ("personal protective equipment", "équipement de protection individuelle"),
    "NORM": ("naturally occurring radioactive material", "matières radioactives naturelles"),
    "NRBC": ("nucléaire radiologique biologique chimique", "CBRN"),
    "AIEA": ("IAEA", "Agence internationale de l'énergie atomique"),
    "IAEA": ("International Atomic Energy Agency", "AIEA"),
    "INFCIRC/225": ("NSS 13", "Nuclear Security Series No. 13"),
}
BUILT_IN.update(TERM_PAIRS)


@dataclass(frozen=True)
class Glossary:
    """term -> its expansions; ``phrases`` maps each as index words to its term; ``groups`` holds
    the equivalent phrases as stems, ``by_stems`` the group of each."""

    entries: dict[str, tuple[str, ...]]
    by_phrase: dict[tuple[str, ...], str]
    groups: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    by_stems: dict[tuple[str, ...], int] = field(default_factory=dict)
    spelt: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)  # each group, as index words
    by_words: dict[tuple[str, ...], int] = field(default_factory=dict)

    def phrases(self) -> dict[tuple[str, ...], str]:
        return self.by_phrase

    def alternatives(self, acronym: str) -> list[tuple[str, ...]]:
        """The term and every expansion, as word tuples, term first."""
        items = [tuple(words(acronym))] + [tuple(words(e)) for e in self.entries.get(acronym, ())]
        return list(dict.fromkeys(item for item in items if item))

    @functools.cached_property
    def longest(self) -> int:
        return max((len(key) for key in self.by_stems), default=1)

    def group_of(self, stems: tuple[str, ...]) -> tuple[tuple[str, ...], ...] | None:
        """Every phrase equivalent to ``stems`` (itself included), as stems; None if none is."""
        index = self.by_stems.get(stems)
        return None if index is None else self.groups[index]

    @functools.cached_property
    def longest_spelt(self) -> int:
        return max((len(key) for key in self.by_words), default=1)

    def spelt_group_of(self, spelt: tuple[str, ...]) -> tuple[tuple[str, ...], ...] | None:
        """Every phrase equivalent to ``spelt`` (index words, as ``bot.db.search.words``), itself
        first; None if none is (for indexes of plain words: Q&A, type-ahead)."""
        index = self.by_words.get(spelt)
        if index is None:
            return None
        return (spelt, *(p for p in self.spelt[index] if p != spelt))


Phrases = list[tuple[tuple[str, ...], ...]]


def _grouped(entries: dict[str, tuple[str, ...]]) -> tuple[Phrases, dict[tuple[str, ...], int], Phrases]:
    """Union of the entries that share a phrase (compared by stems); each group also as words."""
    parent: dict[tuple[str, ...], tuple[str, ...]] = {}
    spellings: dict[tuple[str, ...], list[tuple[str, ...]]] = {}

    def root(item: tuple[str, ...]) -> tuple[str, ...]:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for term, expansions in entries.items():
        phrases = []
        for text in (term, *expansions):
            phrase, spelt = tuple(terms_of(text)), tuple(words(text))
            if phrase and spelt:
                phrases.append(phrase)
                spellings.setdefault(phrase, [])
                if spelt not in spellings[phrase]:
                    spellings[phrase].append(spelt)
        for phrase in phrases:
            parent.setdefault(phrase, phrase)
        for phrase in phrases[1:]:
            parent[root(phrase)] = root(phrases[0])
    members: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for phrase in parent:
        members.setdefault(root(phrase), []).append(phrase)
    groups = [tuple(items) for items in members.values()]
    by_stems = {phrase: i for i, items in enumerate(groups) for phrase in items}
    as_words = [tuple(w for phrase in items for w in spellings[phrase]) for items in groups]
    return groups, by_stems, as_words


def _make(entries: dict[str, tuple[str, ...]]) -> Glossary:
    groups, by_stems, spelt = _grouped(entries)
    by_words = {phrase: i for i, items in enumerate(spelt) for phrase in items}
    return Glossary(entries, _phrases(entries), groups, by_stems, spelt, by_words)


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
    return _make(dict(sorted(entries.items(), key=lambda item: (item[0].islower(), normalize(item[0])))))


def _term(text: str, known: dict[str, tuple[str, ...]] | None = None) -> str:
    """An acronym (one short or capitalised word: kept in capitals) or a term of several words;
    spelt as the entry already in the glossary when one matches but for case and accents."""
    value = " ".join((text or "").split())
    if not value or not words(value):
        raise Invalid("error.required", field="term")
    if " " not in value and (value.isupper() or len(value) <= ACRONYM_MAX):
        value = value.upper()
    if len(value) > TERM_MAX:
        raise Invalid("error.too_long", field="term", limit=TERM_MAX)
    for existing in known or BUILT_IN:
        if normalize(existing) == normalize(value):
            return existing
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
    current = await load(session, guild_id)
    acronym, values = _term(term, {**BUILT_IN, **current.entries}), _expansions(expansions)
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
    current = await load(session, guild_id)
    acronym = _term(term, {**BUILT_IN, **current.entries})
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
