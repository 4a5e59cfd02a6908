"""Autocomplete of ``exercise``, ``team`` and ``inject`` options (fast: one small query each).
Exercises a member may not know of (AMBER ones for the unverified) are never offered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.exercises.scenario import Scenario
from bot.services.exercises import units

if TYPE_CHECKING:
    from bot.client import LiaisonBot

Choices = list[app_commands.Choice[str]]


async def _asker(interaction: discord.Interaction[LiaisonBot]) -> units.Asker:
    cog: Any = interaction.client.get_cog("Exercises")  # type: ignore[attr-defined]
    return await cog.asker(interaction)  # type: ignore[no-any-return]


async def exercises(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    if interaction.guild_id is None:
        return []
    found = await units.choices(
        interaction.client.db,  # type: ignore[attr-defined]
        interaction.guild_id,
        await _asker(interaction),
        current,
        interaction.client.clock.now(),  # type: ignore[attr-defined]
    )
    return [app_commands.Choice(name=f"#{i} · {title}"[:100], value=str(i)) for i, title in found]


async def _scenario(
    interaction: discord.Interaction[LiaisonBot], *, staff_only: bool = False
) -> Scenario | None:
    """The scenario of the exercise chosen in the ``exercise`` option; with ``staff_only``, only
    for its facilitators and observers (players never learn of other teams' injects)."""
    reference = str(getattr(interaction.namespace, "exercise", "") or "")
    if interaction.guild_id is None or not reference:
        return None
    return await units.scenario_for(
        interaction.client.db,  # type: ignore[attr-defined]
        interaction.guild_id,
        await _asker(interaction),
        reference,
        interaction.client.clock.now(),  # type: ignore[attr-defined]
        staff_only=staff_only,
    )


async def teams(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    scenario = await _scenario(interaction)
    names = [t.name for t in scenario.teams] if scenario is not None else []
    return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()][:25]


async def injects(interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
    scenario = await _scenario(interaction, staff_only=True)
    if scenario is None:
        return []
    language = await interaction.client.language_for(interaction)  # type: ignore[attr-defined]
    out = []
    for inject in scenario.injects:
        name = f"#{inject.number} {inject.time} · {inject.title.get(language)}"
        if current.lower() in name.lower():
            out.append(app_commands.Choice(name=name[:100], value=str(inject.number)))
    return out[:25]
