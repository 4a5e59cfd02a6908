"""What a person typed, as the weighted terms of a ranked search (``bot.services.resources.searching``).

Each meaningful word (``bot.db.analysis``: identifiers whole, stop words out, English and French
stems), each pair of neighbouring words (words close together rank higher), the last word's
completions (``dosim`` -> ``dosimetry``), and for a phrase of the glossary every equivalent phrase in
either language (``détecteur personnel de rayonnement`` -> ``personal radiation detector``,
``PRD``). Each term is for one of the question's concepts (a typed word, or a glossary phrase with
its equivalents; a pair for none): ``bot.db.ranking`` scores a resource by the share of them it holds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.db import analysis, ranking
from bot.services.resources.glossary import Glossary

PAIR_WEIGHT = 0.5  # two typed words side by side
PREFIX_WEIGHT = 0.7  # a completion of the last word
SYNONYM_WEIGHT = 0.7  # an equivalent phrase of the glossary (its pairs share it)
PREFIX_MIN = 3
QUERY_MAX_WORDS = 12
EXPANSIONS_MAX = 16


@dataclass(frozen=True)
class Plan:
    """A query as weighted terms, each for one of its concepts (a typed word, or a glossary
    phrase with its equivalents; ``bot.db.ranking``); ``words`` are the typed words that count (for
    did-you-mean), ``lone`` the stems of those not in a glossary phrase (a word the library must
    know), ``last_concept`` the concept of the unfinished last word (its completions')."""

    terms: list[ranking.Weighted]
    words: list[str]
    lone: dict[str, str]  # stem -> typed word
    last_prefix: str | None
    last_concept: int | None = None


def plan(text: str, glossary: Glossary) -> Plan:
    """Weighted terms for what was typed (see the module's docstring)."""
    typed = analysis.meaningful(text)[:QUERY_MAX_WORDS]
    stems = [analysis.stem(w) for w in typed]
    weights: dict[str, tuple[float, int | None]] = {}

    def add(term: str, weight: float, concept: int | None) -> None:
        if term and weight > weights.get(term, (0.0, None))[0]:
            weights[term] = (weight, concept)

    lone: dict[str, str] = {}
    concept = 0
    longest = glossary.longest
    i = 0
    while i < len(stems):
        for size in range(min(longest, len(stems) - i), 0, -1):
            group = glossary.group_of(tuple(stems[i : i + size]))
            if group is not None:
                _equivalents(group, tuple(stems[i : i + size]), concept, add)
                i += size
                break
        else:
            add(stems[i], 1.0, concept)
            lone[stems[i]] = typed[i]
            i += 1
        concept += 1
    for first, second in itertools.pairwise(stems):
        if first != second:
            add(analysis.pair(first, second), PAIR_WEIGHT, None)
    last = analysis.normalize(typed[-1]) if typed else ""
    prefix = last if len(last) >= PREFIX_MIN and not last.isdigit() else None
    terms = [ranking.Weighted(term, weight, of) for term, (weight, of) in weights.items()]
    words_ = [analysis.normalize(w) for w in typed]
    return Plan(terms, words_, lone, prefix, concept - 1 if prefix else None)


Add = Callable[[str, float, int | None], None]  # a term, its weight, the concept it is for


def _equivalents(group: tuple[tuple[str, ...], ...], typed: tuple[str, ...], concept: int, add: Add) -> None:
    """Terms for a glossary phrase, all for its ``concept``: the typed words, and each equivalent
    phrase through its pairs (its words side by side: a resource holding one of its words apart is
    no match for it)."""
    for word in typed:
        add(word, 1.0, concept)
    size = len(typed)
    for phrase in group:
        if phrase == typed:
            continue
        if len(phrase) == 1:
            add(phrase[0], SYNONYM_WEIGHT * math.sqrt(size), concept)
            continue
        pairs = [analysis.pair(a, b) for a, b in itertools.pairwise(phrase) if a != b]
        for term in pairs:
            add(term, SYNONYM_WEIGHT * math.sqrt(size) / math.sqrt(max(len(pairs), 1)), concept)


def asked(found: Plan) -> list[str]:
    """The terms whose statistics a plan reads: its own, and ``''`` (the number of resources)."""
    return ["", *(t.term for t in found.terms)]


def scored_from(found: Plan, counts: dict[str, tuple[int, float]]) -> tuple[list[ranking.Scored], list[str]]:
    """The plan's terms the library holds (with the unfinished last word's completions), and the
    typed words it does not know at all."""
    terms = list(found.terms)
    completions: list[ranking.Weighted] = []
    if found.last_prefix:
        known = {t.term for t in terms}
        completions = [
            ranking.Weighted(term, PREFIX_WEIGHT, found.last_concept)
            for term in ranking.completions(found.last_prefix, counts, EXPANSIONS_MAX)
            if term not in known
        ]
    scored = ranking.scored(terms + completions, counts)
    present = {s.term for s in scored}
    # an unfinished word begins a known one (dosim); a word that only continues one is misspelt
    begun = [c for c in completions if found.last_prefix and c.term.startswith(found.last_prefix)]
    unknown = [
        word
        for stem, word in found.lone.items()
        if stem not in present
        and not word.isdigit()
        and not (begun and analysis.normalize(word) == found.last_prefix)
    ]
    return scored, [analysis.normalize(w) for w in unknown]
