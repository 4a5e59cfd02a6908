"""Spelling: "did you mean" for words that match nothing (``dosimetery`` -> ``dosimetry``).

Candidates are known words within one edit (4-6 letters) or two (7+), closest and most frequent
first, compared with rapidfuzz. On SQLite they come from the full-text index's own vocabulary
(fts5vocab); on PostgreSQL from a vocabulary of the server's visible resources (counted by the
database, ``ts_stat``) kept in memory. Either way a correction is only offered once it finds
visible resources of this server (``search`` runs it), so no word of another server, or of
material the member may not see, is ever suggested.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import search as fts
from bot.db.models.resources import RESOURCES_INDEX, Resource
from bot.db.search import Query, Term, words
from bot.services import labels
from bot.services.resources import glossary as glossary_service
from bot.services.resources.glossary import Glossary

CORRECTION_ATTEMPTS = 4
VOCABULARY_TTL = 600.0


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def indexed(session: AsyncSession, word: str) -> bool:
    """Is ``word`` itself a term of the index (in any server)? One cheap index probe."""
    probe = fts.any_match(RESOURCES_INDEX, dialect_of(session), Query.all_of([Term((word,))]))
    return (await session.scalar(probe)) is not None


@dataclass
class _Vocabulary:
    stamp: tuple[Any, ...]
    built: float
    counts: Counter[str]
    words: list[str]


_VOCABULARIES: dict[tuple[str, int, bool], _Vocabulary] = {}


def forget_vocabulary(guild_id: int) -> None:
    """Called by every write to a server's library, so corrections know new words at once."""
    for key in [key for key in _VOCABULARIES if key[1] == guild_id]:
        del _VOCABULARIES[key]


async def vocabulary(session: AsyncSession, guild_id: int, verified: bool) -> Counter[str]:
    """Words of the resources this member may see (and of the glossary), with their frequency.

    Cached per database, server and visibility; rebuilt when the library changes (rows added,
    removed or edited, seen through a cheap aggregate) and at least every ten minutes.
    """
    key = (str(session.get_bind().engine.url), guild_id, verified)
    visible = labels.sql_visible(Resource.label, verified)
    stamp_row = (
        await session.execute(
            select(func.count(), func.max(Resource.id), func.sum(Resource.revision)).where(
                Resource.guild_id == guild_id, visible
            )
        )
    ).one()
    stamp = tuple(stamp_row)
    cached = _VOCABULARIES.get(key)
    if cached and cached.stamp == stamp and time.monotonic() - cached.built < VOCABULARY_TTL:
        return cached.counts
    keys = select(Resource.id).where(Resource.guild_id == guild_id, visible)
    terms = await session.execute(fts.document_terms(RESOURCES_INDEX, dialect_of(session), keys))
    counts: Counter[str] = Counter({str(term): int(docs) for term, docs in terms})
    glossary = await glossary_service.load(session, guild_id)
    for acronym, expansions in glossary.entries.items():
        counts.update(w for w in words(" ".join((acronym, *expansions))) if len(w) > 2)
    _VOCABULARIES[key] = _Vocabulary(stamp, time.monotonic(), counts, list(counts))
    return counts


def _max_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


async def _candidates(session: AsyncSession, guild_id: int, word: str, verified: bool) -> list[str]:
    """Known words within 1 edit (4-6 letters) or 2 edits (7+), closest and most frequent first.

    On SQLite the index's own vocabulary (terms with the same first letter) is read; elsewhere a
    vocabulary of the server's visible resources kept in memory. Either way a correction is only
    offered once it finds visible resources of this server (see ``search``)."""
    edits = _max_edits(word)
    if edits == 0:
        return []
    clause = fts.indexed_terms(RESOURCES_INDEX, dialect_of(session), word[0])
    if clause is not None:
        counts: Counter[str] = Counter(
            {str(term): int(doc) for term, doc in await session.execute(clause) if str(term).isalpha()}
        )
    else:
        counts = await vocabulary(session, guild_id, verified)
    found = process.extract(word, list(counts), scorer=Levenshtein.distance, score_cutoff=edits, limit=8)
    ranked = sorted(found, key=lambda c: (c[1], -counts[c[0]], c[0]))
    return [str(c[0]) for c in ranked[:3]]


async def corrections(
    session: AsyncSession, guild_id: int, tokens: list[str], *, verified: bool, glossary: Glossary
) -> list[list[str]]:
    """Corrected versions of ``tokens`` to try, most likely first (``dosimetery`` -> ``dosimetry``,
    ``portal monitr`` -> ``portal monitor``); empty when every word is known or nothing is close."""
    known_phrases = glossary.phrases()
    options: list[list[str]] = []
    for word in tokens:
        if (word,) in known_phrases or await indexed(session, word):
            options.append([word])
            continue
        options.append(await _candidates(session, guild_id, word, verified) or [word])
    if all(len(choices) == 1 and choices[0] == word for choices, word in zip(options, tokens, strict=True)):
        return []
    attempts = [[choices[0] for choices in options]]
    for position, choices in enumerate(options):
        for alternative in choices[1:]:
            attempt = list(attempts[0])
            attempt[position] = alternative
            attempts.append(attempt)
    return attempts[:CORRECTION_ATTEMPTS]
