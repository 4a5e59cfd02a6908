"""Messages and command names in English and French.

Catalogs are JSON files in ``locales/<lang>/``: ``<feature>.json`` holds message keys
(``"resource.added": "Added {title}."``); ``<feature>.commands.json`` (French only) maps the English
name or description of a slash command or option to its French form, for discord.py's Translator.
Each feature owns its own files, so features never edit the same catalog.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}  # each in its own language, for choices


def _read_folder(lang: str, commands: bool) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        if path.name.endswith(".commands.json") != commands:
            continue
        entries = json.loads(path.read_text(encoding="utf-8"))
        duplicated = merged.keys() & entries.keys()
        if duplicated:
            raise ValueError(f"{path}: keys defined twice: {sorted(duplicated)}")
        merged.update(entries)
    return merged


@cache
def messages(lang: str) -> dict[str, str]:
    return _read_folder(lang, commands=False)


@cache
def command_strings(lang: str) -> dict[str, str]:
    return _read_folder(lang, commands=True)


def plural_category(lang: str, count: Any) -> str:
    """CLDR's plural category of a whole number: ``one`` or ``other`` (English: 1; French: 0 and 1)."""
    try:
        number = abs(int(count))
    except (TypeError, ValueError):
        return "other"
    one = (0, 1) if lang == "fr" else (1,)
    return "one" if number in one else "other"


def _template(lang: str, key: str, params: dict[str, Any]) -> str | None:
    """The text of ``key``; with a ``count`` parameter, its plural form ``key#one``/``key#other``
    when the catalog has one (the one plural rule: no "1 trouvés")."""
    keys = [key]
    if "count" in params:
        keys.insert(0, f"{key}#{plural_category(lang, params['count'])}")
    for candidate in keys:
        template = messages(lang).get(candidate) or messages("en").get(candidate)
        if template is not None:
            return template
    return None


def t(lang: str, key: str, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` (falling back to English, then to the key itself)."""
    template = _template(lang, key, params)
    if template is None:
        log.warning("missing message key %s", key)
        return key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        log.warning("bad parameters for message key %s: %s", key, sorted(params))
        return template


def language_of_discord_locale(locale: discord.Locale | str | None) -> str | None:
    """``en-US``/``en-GB`` -> ``en``, ``fr`` -> ``fr``; any other locale -> None."""
    if locale is None:
        return None
    value = locale.value if isinstance(locale, discord.Locale) else str(locale)
    short = value.split("-")[0].lower()
    return short if short in LANGUAGES else None


def choose_language(
    member_choice: str | None,
    known: Iterable[discord.Locale | str | None],
    guild_language: str | None,
    default: str,
) -> str:
    """The one language rule: the member's setting, then the first language known for them (a
    language code or a Discord locale: the interaction's, the one stored with their RSVP or
    reminder), then the server's, then the default."""
    for candidate in (member_choice, *(language_of_discord_locale(k) for k in known), guild_language):
        if candidate in LANGUAGES:
            return candidate
    return default


def pick_language(
    member_choice: str | None,
    discord_locale: discord.Locale | str | None,
    guild_language: str | None,
    default: str,
) -> str:
    """The contract's order: the member's setting, their Discord locale, the server's, the default."""
    return choose_language(member_choice, (discord_locale,), guild_language, default)


class LiaisonTranslator(app_commands.Translator):
    """Translates command and option names, descriptions and choices into French."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if language_of_discord_locale(locale) != "fr":
            return None
        return command_strings("fr").get(string.message)
