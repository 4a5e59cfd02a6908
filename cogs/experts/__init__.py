"""The expert directory (``/expert …``)."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.experts._cog import Experts


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Experts(bot))
