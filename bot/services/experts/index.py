"""An in-memory search index of each server's directory, for ``/expert find``.

Ranking every profile in SQL means evaluating "verified now" and "working hours now" on each row,
which takes tens of milliseconds at 50,000 profiles. Here the profiles of a server are loaded once
into sets (by area, country, language, time zone, agency), and a search is a few set operations,
then a walk through the ranking buckets (matched count, verified, working hours) taking the lowest
ids of each bucket until the page is full.

The database stays the truth: every write to a profile calls ``touch``, which advances the
server's version in ``expert_directory_state`` and logs the profile in
``expert_directory_changes``. A search first reads the version (one primary-key lookup); when it
moved, the index reloads just the profiles changed since (or everything, when it is far behind or
belongs to another database), so several processes (bot, CLI) never serve stale results.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.experts import (
    ExpertArea,
    ExpertDirectoryChange,
    ExpertDirectoryState,
    ExpertiseArea,
    ExpertLanguage,
    ExpertProfile,
)
from bot.db.upsert import insert_missing
from bot.services.experts.areas import term_matches
from bot.services.experts.vocab import fold, working_zones

P = ExpertProfile


KEEP_CHANGES = 5_000
TOUCHED = "experts.directory_touched"
MAX_STEP = 1 << 20


async def _advance(session: AsyncSession, guild_id: int, step: int) -> int | None:
    """Step the server's version (locking its row until the transaction ends); None when the
    server has no state yet."""
    return await session.scalar(
        update(ExpertDirectoryState)
        .where(ExpertDirectoryState.guild_id == guild_id)
        .values(version=ExpertDirectoryState.version + step)
        .returning(ExpertDirectoryState.version)
    )


async def touch(session: AsyncSession, guild_id: int, profile_id: int) -> None:
    """Record that the profile changed (call in the transaction that changes it). The version
    grows by a random step, so a rolled-back change never shares a version with a later one."""
    session.info[TOUCHED] = True
    step = random.randint(1, MAX_STEP)
    version = await _advance(session, guild_id, step)
    if version is None:  # the server's first write: create its state (race-free), then step it
        first = {"guild_id": guild_id, "epoch": random.getrandbits(62), "version": 0}
        await insert_missing(session, ExpertDirectoryState, [first], ("guild_id",))
        version = await _advance(session, guild_id, step)
        assert version is not None  # the row exists now, ours or another's
    session.add(ExpertDirectoryChange(guild_id=guild_id, version=version, profile_id=profile_id))
    if step % 64 == 0:  # now and then, forget changes too old for any index to catch up from
        await session.execute(
            delete(ExpertDirectoryChange).where(
                ExpertDirectoryChange.guild_id == guild_id,
                ExpertDirectoryChange.version < version - KEEP_CHANGES * MAX_STEP,
            )
        )


@dataclass(frozen=True)
class Entry:
    id: int
    user_id: int
    agency: str
    agency_key: str
    country: str
    timezone: str
    visibility: str
    verified_until: datetime | None
    bio: str | None
    areas: tuple[int, ...]
    languages: tuple[str, ...]


@dataclass
class GuildIndex:
    entries: dict[int, Entry] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    area_keys: dict[int, str] = field(default_factory=dict)
    everyone: set[int] = field(default_factory=set)
    members_visible: set[int] = field(default_factory=set)
    by_area: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_country: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_language: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_zone: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_agency: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    untils: list[tuple[datetime, int]] = field(default_factory=list)
    _verified: tuple[int, set[int]] | None = None
    _working: tuple[frozenset[str], set[int]] | None = None

    epoch: int | None = None
    version: int | None = None

    def add(self, entry: Entry) -> None:
        self.entries[entry.id] = entry
        self.everyone.add(entry.id)
        if entry.visibility == "members":
            self.members_visible.add(entry.id)
        for area_id in entry.areas:
            self.by_area[area_id].add(entry.id)
        for code in entry.languages:
            self.by_language[code].add(entry.id)
        self.by_country[entry.country].add(entry.id)
        self.by_zone[entry.timezone].add(entry.id)
        self.by_agency[entry.agency_key].add(entry.id)
        if entry.verified_until is not None:
            insort(self.untils, (entry.verified_until, entry.id))
        self._verified = self._working = None

    def drop(self, profile_id: int) -> None:
        entry = self.entries.pop(profile_id, None)
        if entry is None:
            return
        self.everyone.discard(profile_id)
        self.members_visible.discard(profile_id)
        for area_id in entry.areas:
            self.by_area[area_id].discard(profile_id)
        for code in entry.languages:
            self.by_language[code].discard(profile_id)
        self.by_country[entry.country].discard(profile_id)
        self.by_zone[entry.timezone].discard(profile_id)
        self.by_agency[entry.agency_key].discard(profile_id)
        if entry.verified_until is not None:
            self.untils.remove((entry.verified_until, profile_id))
        self._verified = self._working = None

    # -- what changes with time (cached: it only changes when a verification ends, or on a quarter hour)
    def verified(self, now: datetime) -> set[int]:
        start = bisect_right(self.untils, (now, float("inf")))
        if self._verified is None or self._verified[0] != start:
            self._verified = (start, {profile_id for _, profile_id in self.untils[start:]})
        return self._verified[1]

    def working(self, now: datetime) -> set[int]:
        zones = working_zones(now)
        if self._working is None or self._working[0] is not zones:
            found: set[int] = set()
            for zone, ids in self.by_zone.items():
                if zone in zones:
                    found |= ids
            self._working = (zones, found)
        return self._working[1]

    # -- filters -------------------------------------------------------------------------------
    def matching_ids(self, terms: Iterable[str]) -> list[set[int]]:
        """For each non-empty term, the ids of the server's areas it matches (see ``areas``)."""
        keys = [key for key in (fold(term) for term in terms) if key]
        return [{i for i, area_key in self.area_keys.items() if term_matches(key, area_key)} for key in keys]

    def with_areas(self, area_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for area_id in area_ids:
            found |= self.by_area.get(area_id, set())
        return found

    def speaking(self, codes: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in codes:
            found |= self.by_language.get(code, set())
        return found

    def agency_contains(self, key: str) -> set[int]:
        found: set[int] = set()
        for agency_key, ids in self.by_agency.items():
            if key in agency_key:
                found |= ids
        return found


def term_sets(index: GuildIndex, id_sets: list[set[int]]) -> list[set[int]]:
    """For each term that matches some area, the profiles having one of those areas."""
    return [index.with_areas(ids) for ids in id_sets if ids]


def area_sets(index: GuildIndex, id_sets: list[set[int]]) -> list[set[int]]:
    """For each area matching any term, the profiles having it."""
    return [index.by_area[area_id] for area_id in set().union(*id_sets) if index.by_area.get(area_id)]


def level_sets(sets: list[set[int]]) -> list[set[int]]:
    """Profiles by how many of ``sets`` hold them, most first, with set operations only:
    ``at_least[k]`` grows by ``at_least[k - 1] & S`` for each set ``S``."""
    at_least: list[set[int]] = [set() for _ in range(len(sets) + 2)]
    for members in sets:
        for k in range(len(sets), 1, -1):
            at_least[k] |= at_least[k - 1] & members
        at_least[1] |= members
    exact = [at_least[k] - at_least[k + 1] for k in range(len(sets), 0, -1)]
    return [level for level in exact if level]


def count_in(profile_id: int, sets: list[set[int]]) -> int:
    return sum(profile_id in members for members in sets)


def rank(
    candidates: set[int], levels: list[set[int]] | None, first: set[int], second: set[int], need: int
) -> list[int]:
    """The ``need`` best candidates: in the highest of ``levels`` (more matches), then in
    ``first``, then in ``second``, then oldest profile first. Bucket by bucket, each computed only
    when the earlier ones did not fill the page, so no per-candidate Python key is ever computed."""
    chosen: list[int] = []
    groups = (candidates & level for level in levels) if levels else iter([candidates])
    for bucket in _buckets(groups, first, second):
        chosen += heapq.nsmallest(need - len(chosen), bucket)
        if len(chosen) >= need:
            break
    return chosen


def _buckets(groups: Iterator[set[int]], first: set[int], second: set[int]) -> Iterator[set[int]]:
    for group in groups:
        first_part = group & first
        for part in (first_part, None):
            if part is None:
                part = group - first_part
            second_part = part & second
            yield second_part
            yield part - second_part


_CACHE: dict[int, GuildIndex] = {}
MAX_CATCH_UP = 2_000


async def load(session: AsyncSession, guild_id: int) -> GuildIndex:
    """The server's index, brought up to date with the database first.

    A transaction that changed the directory itself gets a private index: what it sees is not
    committed yet, and must not be served to anyone else if it rolls back."""
    if session.info.get(TOUCHED):
        return await _build(session, guild_id, None)
    state = (
        await session.execute(
            select(ExpertDirectoryState.epoch, ExpertDirectoryState.version).where(
                ExpertDirectoryState.guild_id == guild_id
            )
        )
    ).first()
    if state is None:  # nothing was ever written: nothing to cache
        return await _build(session, guild_id, None)
    epoch, version = state
    index = _CACHE.get(guild_id)
    if index is not None and index.epoch == epoch and index.version is not None:
        if index.version == version:
            return index
        if index.version < version and await _catch_up(session, guild_id, index, version):
            return index
    index = await _build(session, guild_id, None)
    index.epoch, index.version = epoch, version
    _CACHE[guild_id] = index
    return index


async def _catch_up(session: AsyncSession, guild_id: int, index: GuildIndex, version: int) -> bool:
    """Reload the profiles changed since the index's version; False when it is too far behind."""
    assert index.version is not None
    changed = set(
        await session.scalars(
            select(ExpertDirectoryChange.profile_id)
            .where(ExpertDirectoryChange.guild_id == guild_id, ExpertDirectoryChange.version > index.version)
            .limit(MAX_CATCH_UP + 1)
        )
    )
    if not changed or len(changed) > MAX_CATCH_UP:
        return False  # the log was pruned past this index, or too much changed: rebuild
    fresh = await _build(session, guild_id, changed)
    for profile_id in changed:
        index.drop(profile_id)
        if profile_id in fresh.entries:
            index.add(fresh.entries[profile_id])
    index.labels, index.area_keys = fresh.labels, fresh.area_keys
    index.version = version
    return True


async def _build(session: AsyncSession, guild_id: int, only: set[int] | None) -> GuildIndex:
    """An index of the server's shown profiles (or of just ``only``), with the whole area list."""

    def scoped(query: Any, column: Any) -> Any:
        return query if only is None else query.where(column.in_(sorted(only)))

    areas: dict[int, list[int]] = defaultdict(list)
    area_rows = select(ExpertArea.profile_id, ExpertArea.area_id).where(ExpertArea.guild_id == guild_id)
    for profile_id, area_id in await session.execute(scoped(area_rows, ExpertArea.profile_id)):
        areas[profile_id].append(area_id)
    languages: dict[int, list[str]] = defaultdict(list)
    language_rows = (
        select(ExpertLanguage.profile_id, ExpertLanguage.code)
        .where(ExpertLanguage.guild_id == guild_id)
        .order_by(ExpertLanguage.code)
    )
    for profile_id, code in await session.execute(scoped(language_rows, ExpertLanguage.profile_id)):
        languages[profile_id].append(code)
    index = GuildIndex()
    catalog = await session.execute(
        select(ExpertiseArea.id, ExpertiseArea.key, ExpertiseArea.label).where(
            ExpertiseArea.guild_id == guild_id
        )
    )
    for area_id, key, label in catalog:
        index.labels[area_id], index.area_keys[area_id] = label, key
    columns = (
        P.id,
        P.user_id,
        P.agency,
        P.agency_key,
        P.country,
        P.timezone,
        P.visibility,
        P.verified_until,
        P.bio,
    )
    rows = await session.execute(
        scoped(select(*columns).where(P.guild_id == guild_id, P.left_at.is_(None)), P.id)
    )
    for pid, user_id, agency, agency_key, country, zone, visibility, until, bio in rows:
        index.add(
            Entry(
                pid,
                user_id,
                agency,
                agency_key,
                country,
                zone,
                visibility,
                until,
                bio,
                tuple(areas[pid]),
                tuple(languages[pid]),
            )
        )
    return index


def forget() -> None:
    """Drop every cached index (tests, benchmarks)."""
    _CACHE.clear()
