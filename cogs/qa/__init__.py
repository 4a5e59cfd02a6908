"""Cross-agency Q&A: ``/ask`` and ``/qa …`` (see ``_cog``)."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.qa._cog import QA


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(QA(bot))
