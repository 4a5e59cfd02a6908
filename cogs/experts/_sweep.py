"""Due work of the directory: expiry warnings (DM, or a notice when DMs are closed), the verified
role taken back when a verification expires, and erasure of
profiles of members gone longer than the retention period. Safe to run at any time, any number of
times: a warning is marked as sent in the same transaction that finds it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.client import LiaisonBot
from bot.services import experts
from bot.services.experts import ExpiryWarning
from bot.timeutil import discord_timestamp
from bot.ui import messenger, text, verified_role

log = logging.getLogger("liaison.experts")
WARNING_KEY = "expert.expiry_warning"


async def _warn(bot: LiaisonBot, warning: ExpiryWarning) -> None:
    guild = bot.get_guild(warning.guild_id)
    params: dict[str, Any] = {
        "date": discord_timestamp(warning.expires_at, "D"),
        "server": text.shown(guild.name, 100) if guild else "Discord",
    }
    await messenger.dm_or_notice(bot, warning.guild_id, warning.user_id, WARNING_KEY, **params)


class Sweeper:
    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self.lock = asyncio.Lock()

    async def run(self) -> None:
        async with self.lock:
            now = self.bot.clock.now()
            due = await experts.sweep(self.bot.db, now)
            if due.erased:
                log.info("erased %d profiles of departed members", due.erased)
            for warning in due.warnings:
                await _warn(self.bot, warning)
            for ended in due.expired:
                await verified_role.take(self.bot, ended.guild_id, ended.user_id)
                self.bot.dispatch("verification_ended", ended.guild_id, ended.user_id)
