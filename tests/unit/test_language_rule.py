"""The one language rule (``i18n.choose_language``) used in and outside interactions."""

from __future__ import annotations

import discord
import pytest

from bot import i18n


@pytest.mark.parametrize(
    ("member", "known", "server", "expected"),
    [
        ("fr", ("en-US",), "en", "fr"),  # the member's /me setting first
        (None, ("de", None, "fr"), "en", "fr"),  # then the first known language Liaison speaks
        (None, (discord.Locale.british_english,), "fr", "en"),  # a Discord locale counts
        (None, ("de",), "fr", "fr"),  # then the server's
        (None, (), None, "en"),  # then LIAISON_LOCALE
        ("xx", (), "yy", "en"),
    ],
)
def test_choose_language(
    member: str | None, known: tuple[str, ...], server: str | None, expected: str
) -> None:
    assert i18n.choose_language(member, known, server, "en") == expected


def test_pick_language_is_the_same_rule_with_the_interaction_locale() -> None:
    assert i18n.pick_language(None, "fr", "en", "en") == "fr"
    assert i18n.choose_language(None, ("fr",), "en", "en") == "fr"
