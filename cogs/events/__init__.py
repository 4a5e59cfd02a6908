"""Events and reminders (``/event …``, ``/remind``)."""

from __future__ import annotations

from bot.client import LiaisonBot
from cogs.events._cog import Events


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Events(bot))
