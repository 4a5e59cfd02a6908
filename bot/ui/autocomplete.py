"""Autocomplete and choices shared by several commands (time zones, languages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import i18n
from bot.timeutil import search_timezones

if TYPE_CHECKING:
    from bot.client import LiaisonBot

LANGUAGE_CHOICES = [app_commands.Choice(name=name, value=code) for code, name in i18n.LANGUAGE_NAMES.items()]


async def timezones(
    _interaction: discord.Interaction[LiaisonBot], current: str
) -> list[app_commands.Choice[str]]:
    """IANA zone names matching what was typed (at most 25, as Discord allows)."""
    return [app_commands.Choice(name=zone, value=zone) for zone in search_timezones(current)]
