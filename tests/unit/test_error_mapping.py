"""The one error mapping: domain errors localized, refusals named, the rest given a reference."""

from __future__ import annotations

import logging

import pytest
from discord import app_commands

from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.ui.checks import GuildOnly, NotModerator
from bot.ui.errors import message_for


@pytest.mark.parametrize("language", ["en", "fr"])
def test_domain_errors_use_their_catalog_message(language: str) -> None:
    text, ref = message_for(Invalid("error.bad_timezone", value="Mars/Base"), language)
    assert "Mars/Base" in text and ref is None
    expected = {"en": "time zone", "fr": "fuseau"}[language]
    assert expected in text


def test_default_keys() -> None:
    for error, words in (
        (NotFound(), "could not find"),
        (NotAllowed(), "not allowed"),
        (Conflict(), "conflicts"),
    ):
        assert words in message_for(error, "en")[0]


def test_refusals() -> None:
    assert "moderators" in message_for(NotModerator(), "en")[0]
    assert "modérateurs" in message_for(NotModerator(), "fr")[0]
    assert "server" in message_for(GuildOnly(), "en")[0]


def test_wrapped_domain_error_is_unwrapped() -> None:
    class FakeCommand:
        name = qualified_name = "x"

    wrapped = app_commands.CommandInvokeError(FakeCommand(), Invalid("error.bad_offset", value="soon"))  # type: ignore[arg-type]
    text, ref = message_for(wrapped, "en")
    assert "soon" in text and ref is None


def test_unexpected_errors_get_a_reference(caplog: pytest.LogCaptureFixture) -> None:
    text, ref = message_for(ZeroDivisionError("boom"), "fr")
    assert ref is not None and len(ref) == 8
    assert ref in text and "boom" not in text
    with caplog.at_level(logging.ERROR):
        pass


class _Response:
    status, reason = 403, "Forbidden"


@pytest.mark.parametrize(("language", "words"), [("en", "Embed Links"), ("fr", "Intégrer des liens")])
def test_missing_bot_permissions_are_named_in_the_readers_language(language: str, words: str) -> None:
    from bot.ui.bot_permissions import BotLacksPermissions

    text, ref = message_for(BotLacksPermissions(42, ("embed_links",)), language)
    assert f"**{words}**" in text and "<#42>" in text and ref is None


def test_an_unforeseen_discord_refusal_is_explained_without_a_reference() -> None:
    import discord

    missing = discord.Forbidden(_Response(), {"code": 50013, "message": "Missing Permissions"})  # type: ignore[arg-type]
    text, ref = message_for(missing, "en")
    assert "/liaison check" in text and ref is None
    closed_dms = discord.Forbidden(
        _Response(), {"code": 50007, "message": "Cannot send messages to this user"}
    )  # type: ignore[arg-type]
    assert message_for(closed_dms, "en")[1] is not None  # not a permission: unexpected
