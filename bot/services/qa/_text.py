"""Cleaning what the asker typed, and the words routing matches expertise against."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import Invalid
from bot.services import labels

QUESTION_MIN = 8
QUESTION_MAX = 300
DETAILS_MAX = 1500
TOPIC_MAX = 100
AGENCIES_MAX = 300
MAX_TERMS = 12

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_STOPWORD_TEXT = """
    a an and are as at be but by can could do does for from has have how i if in into is it its
    may me my no not of on or our should so than that the their them then there these they this
    to us was we were what when where which who why will with would you your any about across
    other others between neighbouring neighboring
    au aux avec ce ces comment dans de des du elle en est et il ils je la le les leur lui ma mais
    me mes moi nos notre nous on ou où par pas pour qu que quel quelle quels quelles qui sa se ses
    son sont sur ta te tes toi ton tu un une vos votre vous y été être faire fait peut
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class AskInput:
    """A question as typed with ``/ask``, before it is validated."""

    question: str
    topic: str | None = None
    details: str | None = None
    agencies: str | None = None
    label: str | None = None


def _optional(value: str | None, field: str, limit: int) -> str | None:
    cleaned = " ".join((value or "").split()) if field != "details" else (value or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise Invalid("error.too_long", field=field, limit=limit)
    return cleaned


def clean_question(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise Invalid("error.required", field="question")
    if len(cleaned) < QUESTION_MIN:
        raise Invalid("qa.error.question_short", minimum=QUESTION_MIN)
    if len(cleaned) > QUESTION_MAX:
        raise Invalid("error.too_long", field="question", limit=QUESTION_MAX)
    return cleaned


def clean_agencies(text: str | None) -> str | None:
    """``CBSA, ASN , cbsa`` -> ``CBSA, ASN``: distinct names, in the order given."""
    seen: dict[str, str] = {}
    for part in (text or "").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    joined = ", ".join(seen.values())
    return _optional(joined, "agencies", AGENCIES_MAX)


def words(text: str | None) -> list[str]:
    """Lower-case words of a text, in order."""
    return [w.casefold() for w in _WORD.findall(text or "")]


def routing_terms(topic: str | None, question: str, details: str | None = None) -> list[str]:
    """The topic first (whole, then its words), then the question's significant words."""
    terms: list[str] = []
    if topic:
        terms.append(topic.casefold())
    for word in words(topic) + words(question) + words(details)[:40]:
        if len(word) >= 3 and word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class CleanAsk:
    question: str
    topic: str | None
    details: str | None
    agencies: str | None
    label: str


def validate(given: AskInput) -> CleanAsk:
    """Every field checked before anything is posted; the first problem is raised as Invalid."""
    return CleanAsk(
        question=clean_question(given.question),
        topic=_optional(given.topic, "topic", TOPIC_MAX),
        details=_optional(given.details, "details", DETAILS_MAX),
        agencies=clean_agencies(given.agencies),
        label=labels.parse(given.label).value,
    )
