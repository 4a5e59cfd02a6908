"""The resource library (``/resource …``)."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.resources._cog import Resources


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Resources(bot))
