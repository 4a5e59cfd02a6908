"""Spelling: "did you mean" for words that match nothing (``dosimetery`` -> ``dosimetry``).

Candidates are known words within one edit (4-6 letters) or two (7+), closest and most frequent
first, compared with rapidfuzz. They come from the vocabulary the database keeps beside the
full-text index (SQLite's ``fts5vocab``; on PostgreSQL a table counted by triggers), which holds
every server's words, AMBER material's too. So the vocabulary is always read through what the
member may see in this server (``Visible``): a word is "known" only when it finds a resource they
may see here, and only such words are offered as corrections. A word that exists only in AMBER
material, or only in another server's library, is treated exactly as a word that exists nowhere:
the answer reveals nothing about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import resident
from bot.db import search as fts
from bot.db.models.resources import RESOURCES_INDEX, Resource
from bot.db.search import Query, Term
from bot.services import labels
from bot.services.resources.glossary import Glossary

CORRECTION_ATTEMPTS = 4


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


@dataclass(frozen=True)
class Visible:
    """What the member may see: this server's resources with the labels open to them."""

    guild_id: int
    verified: bool

    async def sees(self, session: AsyncSession, word: str) -> bool:
        """Does ``word``, a word of the index, find a resource the member may see here? Stops at
        the first visible match."""
        matches = fts.hits(RESOURCES_INDEX, dialect_of(session), Query.all_of([Term((word,))]), rank=False)
        statement = (
            select(Resource.id)
            .join(matches, matches.c.id == Resource.id)
            # ``guild_id + 0``: no index on the server, so the full-text match drives the join; with
            # the index, SQLite walked every resource of the server probing the match for each
            # (seconds at 100,000 resources for a word only AMBER material holds)
            .where(Resource.guild_id + 0 == self.guild_id, labels.sql_visible(Resource.label, self.verified))
            .limit(1)
        )
        return (await session.scalar(statement)) is not None


def _max_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


async def _vocabulary(session: AsyncSession, first: str, memory: resident.View | None) -> dict[str, int]:
    """The indexed words (letters only) starting with ``first`` and how many resources hold each
    (every server's: candidates only), held in memory under the library's token when at hand."""
    clause = fts.vocabulary_terms(RESOURCES_INDEX, dialect_of(session), first)
    if memory is not None:
        return await memory.words(f"vocabulary {first}", clause, str.isalpha)
    return {str(term): int(docs) for term, docs in await session.execute(clause) if str(term).isalpha()}


async def _candidates(
    session: AsyncSession, word: str, visible: Visible, memory: resident.View | None
) -> list[str]:
    """Known words within 1 edit (4-6 letters) or 2 edits (7+), closest and most frequent first,
    among the indexed terms with the same first letter that the member may see (the first 3)."""
    edits = _max_edits(word)
    if edits == 0:
        return []
    vocabulary = await _vocabulary(session, word[0], memory)
    found = process.extract(word, vocabulary.keys(), scorer=Levenshtein.distance, score_cutoff=edits, limit=8)
    seen: list[str] = []
    for candidate, _distance, _at in sorted(found, key=lambda c: (c[1], -vocabulary[c[0]], c[0])):
        if await visible.sees(session, str(candidate)):  # a word of the index: no probe first
            seen.append(str(candidate))
            if len(seen) == 3:
                break
    return seen


async def corrections(
    session: AsyncSession,
    tokens: list[str],
    *,
    glossary: Glossary,
    visible: Visible,
    suspects: set[str],
    memory: resident.View | None = None,
) -> list[list[str]]:
    """Corrected versions of ``tokens`` to try, most likely first (``dosimetery`` -> ``dosimetry``,
    ``portal monitr`` -> ``portal monitor``): only the ``suspects`` (the words that find nothing the
    member may see; the others did) are corrected, to words the member may see (see ``Visible``);
    empty when nothing they may see is close."""
    known_phrases = glossary.phrases()
    options: list[list[str]] = []
    for word in tokens:
        if word not in suspects or (word,) in known_phrases:
            options.append([word])
            continue
        options.append(await _candidates(session, word, visible, memory) or [word])
    if all(len(choices) == 1 and choices[0] == word for choices, word in zip(options, tokens, strict=True)):
        return []
    attempts = [[choices[0] for choices in options]]
    for position, choices in enumerate(options):
        for alternative in choices[1:]:
            attempt = list(attempts[0])
            attempt[position] = alternative
            attempts.append(attempt)
    return attempts[:CORRECTION_ATTEMPTS]
