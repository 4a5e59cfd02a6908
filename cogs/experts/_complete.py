"""Autocomplete for the expert options: country, languages and expertise (comma-separated lists
complete their last item), time zone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import i18n
from bot.services import experts
from bot.services.experts.vocab import search_countries, search_languages
from bot.timeutil import search_timezones
from bot.ui import text
from bot.ui.limits import CHOICE_NAME, CHOICE_VALUE, CHOICES

if TYPE_CHECKING:
    from bot.client import LiaisonBot

Choices = list[app_commands.Choice[str]]


async def _language(interaction: discord.Interaction[LiaisonBot]) -> str:
    """The caller's language, as for replies (their setting, Discord locale, the server's)."""
    try:
        return str(await interaction.client.language_for(interaction))  # type: ignore[attr-defined]
    except AttributeError:
        return i18n.language_of_discord_locale(interaction.locale) or "en"


def _split_last(current: str) -> tuple[str, str]:
    """``"en, fr, kh"`` -> (``"en, fr, "``, ``"kh"``)."""
    head, _, last = current.rpartition(",")
    return (f"{head.strip()}, " if head.strip() else ""), last.strip()


def _list_choices(current: str, options: list[tuple[str, str]]) -> Choices:
    head, _ = _split_last(current)
    given = {part.strip().lower() for part in head.split(",") if part.strip()}
    choices = []
    for name, value in options:
        if value.lower() in given:
            continue
        full = head + value
        if len(full) <= CHOICE_VALUE:
            choices.append(app_commands.Choice(name=text.plain(head + name, CHOICE_NAME), value=full))
    return choices[:CHOICES]


async def country(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    found = search_countries(current, await _language(interaction))
    return [app_commands.Choice(name=f"{name} ({code})", value=code) for name, code in found]


async def languages(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    _, last = _split_last(current)
    return _list_choices(current, search_languages(last, await _language(interaction), limit=40))


async def expertise(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    if interaction.guild_id is None:
        return []
    _, last = _split_last(current)
    labels = await experts.expertise_suggestions(
        interaction.client.db,  # type: ignore[attr-defined]
        interaction.guild_id,
        last,
        limit=40,
    )
    return _list_choices(current, [(label, label) for label in labels])


async def timezone(_interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    return [app_commands.Choice(name=zone, value=zone) for zone in search_timezones(current)]
