"""Tabletop exercises (``/exercise …``)."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.exercises._cog import Exercises


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Exercises(bot))
