"""Courses ("learn"): ``/learn …``."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.learn._cog import Learn


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Learn(bot))
