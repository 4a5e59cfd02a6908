"""Text analysis for ranked search, the same on every engine: words, identifiers, stop words, stems.

What a resource says becomes a list of (term, impact) pairs (``document_terms``) computed here, in
Python, and stored with the row; the database only files them (``bot.db.postings``). A query is
analysed by the same functions, so a word matches whatever the engine.

- Words are runs of letters and digits, case- and accent-folded (``normalize``).
- Publication and convention identifiers are kept whole in their usual spellings:
  ``NSS 22-G``, ``NSS No. 22-G``, ``Nuclear Security Series No. 22-G`` and ``collection Sécurité
  nucléaire de l'AIEA n° 22-G`` all become the term ``nss22g`` (and ``nss22``, which a bare "NSS 22"
  finds); ``INFCIRC/225/Rev.5`` becomes ``infcirc225``; ``IAEA-TECDOC-1311`` ``tecdoc1311``;
  ``SSR-6`` ``ssr6``; ``ISO 22188`` ``iso22188``; ``ANSI N42.33`` ``n4233``.
- English and French stop words are not indexed and do not count in a query.
- Each word is stemmed by the Snowball English and French stemmers (PyStemmer) and the shorter stem
  kept: one term per word whatever the language of the text or of the query (``detectors``,
  ``détecteurs`` -> ``detector``/``detecteur``; ``radiological``, ``radiologique`` -> ``radiolog``).
- Two neighbouring words (stop words between them skipped) also make a pair term (``portal alarm``):
  matching it is what ranks words close together, and glossary phrases match through their pairs.
- The impact of a term in a resource is BM25F's term-frequency part over the title (weighted 3),
  the tags (2) and the description (1), each normalised by its length against a fixed average, so
  that stored impacts never need recomputing as the library grows.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from json.encoder import encode_basestring as _json_string  # json.dumps's, with ensure_ascii=False

import Stemmer

_EN = Stemmer.Stemmer("english")
_FR = Stemmer.Stemmer("french")
_WORD = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")

K1 = 1.2
# field: (weight, b, average length in meaningful words)
FIELDS: dict[str, tuple[float, float, float]] = {
    "title": (3.0, 0.5, 7.0),
    "tags": (2.0, 0.3, 4.0),
    "description": (1.0, 0.75, 25.0),
}
MAX_TERMS = 400  # per resource: a very long description adds nothing past this

_STOP_TEXT = """
a an and are as at be been but by can could do does did for from has have had how i if in into is it
its may me my no not of on or our should so than that the their them then there these they this those
to us was we were what when where which who whom why will with would you your any about across after
also all before being both each few more most much must only other over own same some such through
under until up very via within without yet per vs versus
au aux avec ce ces cet cette comment dans de des du elle elles en est et il ils je la le les leur
leurs lui ma mais me mes moi nos notre nous on ou où par pas pour qu que quel quelle quels quelles qui
sa se ses son sont sur ta te tes toi ton tu un une vos votre vous y été être faire fait peut l d j m
n s t c qu lors entre sans sous chez après avant ainsi donc car ni très plus moins tout tous toute
toutes afin dont quand comme
"""
STOP_WORDS = frozenset(
    unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() for w in _STOP_TEXT.split()
)

_SERIES_NUMBER = r"(?:no\.?|n[°º]\.?|number|num[ée]ro)?\s*(\d{1,3})(?:\s*[-‑–]\s*([gtr])\b|([gtr])\b)?"
_IDENTIFIERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bnuclear\s+security\s+series\s*" + _SERIES_NUMBER, re.I), "long"),
    (
        re.compile(
            r"\b(?:collection\s+)?s[ée]curit[ée]\s+nucl[ée]aire\s+(?:de\s+l['’]\s*aiea\s+)?"
            r"(?:no\.?|n[°º]\.?|num[ée]ro)\s*(\d{1,3})(?:\s*[-‑–]\s*([gtr])\b|([gtr])\b)?",
            re.I,
        ),
        "longfr",
    ),
    (re.compile(r"\bnss\s*[-‑–]?\s*" + _SERIES_NUMBER, re.I), "nss"),
    (re.compile(r"\binfcirc\s*/?\s*(\d{1,4})", re.I), "infcirc"),
    (re.compile(r"\b(?:iaea\s*[-‑–]?\s*)?tecdoc\s*[-‑–]?\s*(\d{2,5})", re.I), "tecdoc"),
    (re.compile(r"\b(ssr|ssg|gsr|gsg|nst|ns\-g)\s*[-‑–]?\s*(?:part\s*)?(\d{1,3})\b", re.I), "standard"),
    (re.compile(r"\b(iso|iec)(?:\s*/\s*iec)?\s*[-‑–]?\s*(\d{3,5})\b", re.I), "standard"),
    (re.compile(r"\b(?:ansi\s*/?\s*(?:ieee\s*)?)?n\s*42\s*\.\s*(\d{1,3})\b", re.I), "ansi"),
]


def normalize(text: str | None) -> str:
    """Lower case, accents removed (``Détection`` -> ``detection``)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _series(match: re.Match[str], first: int) -> str:
    number = match.group(first)
    letter = (match.group(first + 1) or match.group(first + 2) or "").lower()
    return f"nss{number}{letter}"


def _identifier(match: re.Match[str], kind: str) -> str:
    if kind == "long":
        token = _series(match, 1)
        return f" nuclear security series {token} "
    if kind == "longfr":
        return f" securite nucleaire {_series(match, 1)} "
    if kind == "nss":
        return f" {_series(match, 1)} "
    if kind in ("infcirc", "tecdoc"):
        return f" {kind}{match.group(1)} "
    if kind == "ansi":
        return f" n42{match.group(1)} "
    return f" {match.group(1).lower().replace('-', '')}{match.group(2)} "


# Any of the identifiers: when none is in a text, none of the substitutions below changes it.
_ANY_IDENTIFIER = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _kind in _IDENTIFIERS), re.I)


def identifiers_whole(text: str) -> str:
    """``text`` with each identifier replaced by its one term (see the module's docstring)."""
    if not _DIGIT.search(text) or not _ANY_IDENTIFIER.search(text):  # every identifier has a number
        return text
    for pattern, kind in _IDENTIFIERS:
        text = pattern.sub(functools.partial(_replace, kind=kind), text)
    return text


def _replace(match: re.Match[str], kind: str) -> str:
    return _identifier(match, kind)


def raw_words(text: str | None) -> list[str]:
    """Case-folded words (accents kept, for the French stemmer), identifiers whole."""
    return _WORD.findall(identifiers_whole(text or "").casefold())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One term for a case-folded word: the shorter of its English and French stems, accents off.
    Words with digits (identifiers, years) are kept as they are."""
    folded = normalize(word)
    if any(ch.isdigit() for ch in folded):
        return folded
    english = _EN.stemWord(folded)
    french = normalize(_FR.stemWord(word))
    return french if len(french) < len(english) else english


@lru_cache(maxsize=200_000)
def is_stop(word: str) -> bool:
    return normalize(word) in STOP_WORDS


@lru_cache(maxsize=200_000)
def _counts(word: str) -> bool:
    return not is_stop(word) and (len(word) > 1 or word.isdigit())


def meaningful(text: str | None) -> list[str]:
    """The raw words that count: no stop word, no stray letter (unless digits)."""
    return [w for w in raw_words(text) if _counts(w)]


def terms_of(text: str | None) -> list[str]:
    """The stems of the meaningful words, in order."""
    return [stem(w) for w in meaningful(text)]


def pair(first: str, second: str) -> str:
    return f"{first} {second}"


# word -> its term, or _SKIP when it does not count (no term holds a NUL): one lookup per word of a
# document, as imports analyse whole libraries. Cleared when full.
_TERMS: dict[str, str] = {}
_CACHED = 200_000
_SKIP = "\0"


def _term(word: str) -> str:
    term = stem(word) if _counts(word) else _SKIP
    if len(_TERMS) >= _CACHED:
        _TERMS.clear()
    _TERMS[word] = term
    return term


def _field_terms(text: str) -> tuple[Counter[str], int]:
    known = _TERMS.get
    stems: list[str] = []
    series: list[str] = []
    for word in raw_words(text):
        term = known(word) or _term(word)
        if term != _SKIP:
            stems.append(term)
            if word.startswith("nss") and word[-1] in "gtr" and word[3:-1].isdigit():
                series.append(word[:-1])  # "NSS 22-G" also answers a bare "NSS 22"
    stems += series
    counts: Counter[str] = Counter(stems)
    counts.update(pair(a, b) for a, b in itertools.pairwise(stems) if a != b)
    return counts, len(stems)


# pseudo term frequency -> impact (``round`` is slow, and few values recur across a library)
_IMPACTS: dict[float, float] = {}


def _impact(tf: float) -> float:
    impact = _IMPACTS.get(tf)
    if impact is None:
        if len(_IMPACTS) >= _CACHED:
            _IMPACTS.clear()
        impact = _IMPACTS[tf] = round(tf * (K1 + 1) / (tf + K1), 4)
    return impact


def document_terms(title: str | None, tags: str | None, description: str | None) -> list[tuple[str, float]]:
    """(term, impact) for a resource, best first, impacts rounded (the same on every engine)."""
    pseudo: dict[str, float] = {}
    for field, text in (("title", title), ("tags", tags), ("description", description)):
        weight, b, average = FIELDS[field]
        counts, length = _field_terms(text or "")
        norm = 1 - b + b * length / average
        for term, tf in counts.items():
            pseudo[term] = pseudo.get(term, 0.0) + weight * tf / norm
    pseudo.pop("", None)
    # by term, then (a stable sort) by impact, highest first: (-impact, term) order
    ranked = sorted(sorted((term, _impact(tf)) for term, tf in pseudo.items()), key=_second, reverse=True)
    return ranked[:MAX_TERMS]


_second = operator.itemgetter(1)


def document_json(title: str | None, tags: str | None, description: str | None) -> str:
    """``document_terms`` as stored in ``resources.search_terms``: what ``json.dumps(terms,
    ensure_ascii=False, separators=(",", ":"))`` writes, character for character (its string
    encoder, floats as ``repr``), written here with each impact's text cached."""
    parts = []
    for term, impact in document_terms(title, tags, description):
        text = _IMPACT_TEXT.get(impact)
        if text is None:
            if len(_IMPACT_TEXT) >= _CACHED:
                _IMPACT_TEXT.clear()
            text = _IMPACT_TEXT[impact] = repr(impact)
        parts.append(f"[{_json_string(term)},{text}]")
    return "[" + ",".join(parts) + "]"


_IMPACT_TEXT: dict[float, str] = {}
