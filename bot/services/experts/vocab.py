"""The vocabulary of profiles: folding text for matching, countries, languages, working hours.

Countries and languages come from pycountry (ISO 3166-1 and ISO 639-1), with their French names
from pycountry's own translations, so members may type either language.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import pycountry

from bot.errors import Invalid
from bot.timeutil import timezone_names

WORK_START = time(9, 0)
WORK_END = time(17, 0)
MAX_LANGUAGES = 10


def fold(text: str | None) -> str:
    """Lowercase, accents removed, punctuation turned into single spaces: the form we compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@cache
def _translator(domain: str, language: str) -> Callable[[str], str]:
    if language == "en":
        return lambda text: text
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        return lambda text: text


# -- countries -------------------------------------------------------------------------------
@cache
def _country_index() -> dict[str, str]:
    """Every folded name (English, official, common, French) and code -> alpha-2."""
    french = _translator("iso3166-1", "fr")
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")]
        names.append(french(country.name))
        for name in names:
            if name:
                index.setdefault(fold(name), code)
    for country in pycountry.countries:
        index[country.alpha_2.lower()] = country.alpha_2
        index[country.alpha_3.lower()] = country.alpha_2
    return index


def parse_country(text: str | None) -> str:
    """A name (English or French) or an ISO 3166 alpha-2/alpha-3 code -> the alpha-2 code."""
    typed = (text or "").strip()
    code = _country_index().get(fold(typed))
    if code is None:
        raise Invalid("expert.bad_country", value=typed[:60])
    return code


def country_name(code: str, language: str = "en") -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _translator("iso3166-1", language)(getattr(country, "common_name", None) or country.name)


def search_countries(typed: str, language: str = "en", limit: int = 25) -> list[tuple[str, str]]:
    """Autocomplete: (name shown in ``language``, alpha-2) whose name or code starts with ``typed``."""
    return _search(_country_entries(language), typed, limit)


@cache
def _country_entries(language: str) -> tuple[tuple[str, str, str], ...]:
    entries = [
        (country_name(c.alpha_2, language), c.alpha_2, f"{c.alpha_2} {c.alpha_3} {c.name}")
        for c in pycountry.countries
    ]
    return tuple(sorted(entries, key=lambda e: fold(e[0])))


# -- languages -------------------------------------------------------------------------------
@cache
def _language_index() -> dict[str, str]:
    french = _translator("iso639-3", "fr")
    index: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code is None:
            continue
        for name in (lang.name, french(lang.name)):
            index.setdefault(fold(name), code)
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code is not None:
            index[code] = code
    return index


def parse_language(text: str) -> str:
    typed = (text or "").strip()
    code = _language_index().get(fold(typed))
    if code is None:
        raise Invalid("expert.bad_languages", value=typed[:60])
    return code


def parse_languages(text: str | None) -> tuple[str, ...]:
    """``en, French, español`` -> ``("en", "fr", "es")``: distinct, in the order given."""
    codes: list[str] = []
    for part in (text or "").split(","):
        if part.strip():
            code = parse_language(part)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise Invalid("expert.bad_languages", value=(text or "").strip()[:60])
    if len(codes) > MAX_LANGUAGES:
        raise Invalid("expert.too_many", field="languages", limit=MAX_LANGUAGES)
    return tuple(codes)


def language_name(code: str, language: str = "en") -> str:
    lang = pycountry.languages.get(alpha_2=code)
    if lang is None:
        return code
    return _translator("iso639-3", language)(lang.name)


@cache
def _language_entries(language: str) -> tuple[tuple[str, str, str], ...]:
    entries = [
        (language_name(lang.alpha_2, language), lang.alpha_2, f"{lang.alpha_2} {lang.name}")
        for lang in pycountry.languages
        if getattr(lang, "alpha_2", None)
    ]
    return tuple(sorted(entries, key=lambda e: fold(e[0])))


def search_languages(typed: str, language: str = "en", limit: int = 25) -> list[tuple[str, str]]:
    return _search(_language_entries(language), typed, limit)


def _search(entries: Iterable[tuple[str, str, str]], typed: str, limit: int) -> list[tuple[str, str]]:
    """Entries whose shown name, code or English name starts with ``typed``, then contain it."""
    key = fold(typed)
    if not key:
        return [(name, code) for name, code, _ in entries][:limit]
    starts: list[tuple[str, str]] = []
    contains: list[tuple[str, str]] = []
    for name, code, extra in entries:
        words = f"{fold(name)} {fold(extra)}"
        if fold(name).startswith(key) or code.lower() == key or f" {key}" in f" {words}":
            starts.append((name, code))
        elif key in words:
            contains.append((name, code))
    return (starts + contains)[:limit]


# -- working hours ---------------------------------------------------------------------------
def in_working_hours(zone: str, now: datetime) -> bool:
    """09:00-17:00 local time, Monday to Friday."""
    local = now.astimezone(ZoneInfo(zone))
    return local.weekday() < 5 and WORK_START <= local.time() < WORK_END


def working_zones(now: datetime) -> frozenset[str]:
    """Every zone in working hours at ``now``. Offsets are whole quarter hours, so the answer only
    changes on a quarter hour: it is computed once per quarter."""
    utc = now.astimezone(UTC)
    return _working_zones_at(utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0))


@lru_cache(maxsize=8)
def _working_zones_at(quarter: datetime) -> frozenset[str]:
    return frozenset(zone for zone in timezone_names() if in_working_hours(zone, quarter))
