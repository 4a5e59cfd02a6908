"""Every message and every command string exists in English and French."""

from __future__ import annotations

import re
import string
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot import i18n
from bot.client import LiaisonBot
from bot.config import load_settings

NAME = re.compile(r"^[-_\w]{1,32}$")


def test_message_keys_exist_in_both_languages() -> None:
    english, french = i18n.messages("en"), i18n.messages("fr")
    assert sorted(english.keys() - french.keys()) == []
    assert sorted(french.keys() - english.keys()) == []


def test_placeholders_agree_between_languages() -> None:
    formatter = string.Formatter()
    for key, text in i18n.messages("en").items():
        fields = {f for _, f, _, _ in formatter.parse(text) if f}
        french = {f for _, f, _, _ in formatter.parse(i18n.messages("fr")[key]) if f}
        assert fields == french, key


@pytest.mark.parametrize(
    ("member", "locale", "guild", "expected"),
    [
        ("fr", "en-US", "en", "fr"),
        (None, "fr", "en", "fr"),
        (None, "en-GB", "fr", "en"),
        (None, "de", "fr", "fr"),
        (None, "ja", None, "en"),
    ],
)
def test_language_order(member: str | None, locale: str, guild: str | None, expected: str) -> None:
    assert i18n.pick_language(member, locale, guild, "en") == expected


def test_missing_key_falls_back_to_the_key() -> None:
    assert i18n.t("fr", "no.such.key") == "no.such.key"
    assert i18n.t("fr", "error.unexpected", ref="ab12").endswith("`ab12`.")


class RecordingTranslator(app_commands.Translator):
    @staticmethod
    def _is_name(context: app_commands.TranslationContextTypes) -> bool:
        return context.location.name.endswith("_name") and context.location.name != "choice_name"

    def __init__(self) -> None:
        self.missing: set[str] = set()
        self.bad_names: set[str] = set()

    async def translate(
        self,
        text: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.french:
            return None
        french = i18n.command_strings("fr").get(text.message)
        if french is None:
            self.missing.add(text.message)
        elif self._is_name(context) and (not NAME.match(french) or french != french.lower()):
            self.bad_names.add(french)
        return french


@pytest.fixture
async def prepared_bot(tmp_path: Path) -> AsyncIterator[LiaisonBot]:
    settings = load_settings(env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/i18n.db")
    bot = LiaisonBot(settings)
    await bot.prepare()
    yield bot
    await bot.close()


async def test_every_command_string_has_a_french_form(prepared_bot: LiaisonBot) -> None:
    translator = RecordingTranslator()
    commands = prepared_bot.tree.get_commands(type=discord.AppCommandType.chat_input)
    assert commands, "no slash command was registered"
    for command in commands:
        await command.get_translated_payload(prepared_bot.tree, translator)
    assert sorted(translator.missing) == []
    assert sorted(translator.bad_names) == []
    sizes = {c["name"]: _combined_characters(c) for c in await prepared_bot.command_payload()}
    assert {name: size for name, size in sizes.items() if size > 4000} == {}  # Discord's limit


def test_plural_forms_come_in_pairs_and_no_text_hedges_with_s_in_brackets() -> None:
    for lang in i18n.LANGUAGES:
        catalog = i18n.messages(lang)
        for key in catalog:
            if key.endswith("#one"):
                assert key.replace("#one", "#other") in catalog, key
        assert [k for k, text in catalog.items() if re.search(r"\w\((?:s|es|e)\)", text)] == []


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 found."),
        ("en", 3, "3 found; showing the best 3."),
        ("fr", 1, "1 trouvé."),
        ("fr", 0, "0 trouvé."),
        ("fr", 2, "2 trouvés ; voici les 3 meilleurs."),
    ],
)
def test_one_plural_rule_per_language(lang: str, count: int, expected: str) -> None:
    assert i18n.t(lang, "expert.find.count", count=count, shown=3) == expected


def _longest(node: dict[str, object], field: str) -> int:
    forms = [node.get(field) or "", *dict(node.get(f"{field}_localizations") or {}).values()]  # type: ignore[call-overload]
    return max(len(str(form)) for form in forms)


def _combined_characters(node: dict[str, object]) -> int:
    """Discord's count: names, descriptions and values of a command, its options and choices,
    the longest localization of each field counting."""
    total = _longest(node, "name") + _longest(node, "description")
    for option in node.get("options") or []:  # type: ignore[attr-defined]
        total += _combined_characters(option)
    for choice in node.get("choices") or []:  # type: ignore[attr-defined]
        total += _longest(choice, "name") + len(str(choice["value"]))
    return total


def test_discords_combined_count_takes_the_longest_localization() -> None:
    option = {"name": "query", "description": "d" * 10, "description_localizations": {"fr": "f" * 30}}
    command = {"name": "find", "description": "x", "options": [option]}
    assert _combined_characters(command) == 4 + 1 + 5 + 30
