"""The delivery engine's Sender, with discord.py: nonce + ``enforce_nonce``, errors classified.

discord.py sets ``enforce_nonce`` whenever a nonce is given, so a send repeated after a crash
(same nonce, derived from the delivery id) returns the message already posted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.delivery import Permanent
from bot.services.reminders.delivery import Outgoing
from bot.ui import bot_permissions, messenger
from cogs.events._render import reminder_text, safe

if TYPE_CHECKING:
    from bot.client import LiaisonBot


class DiscordSender:
    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    async def send(self, message: Outgoing) -> int | None:
        content = reminder_text(message, self.bot.settings.liaison_locale)
        with messenger.delivery_outcomes(dm=not message.to_channel):
            if message.to_channel:
                return await self._to_channel(message, content)
            return await self._to_member(message, content)

    @staticmethod
    def _what(message: Outgoing) -> dict[str, str]:
        return {"what": "reminder", "title": safe(message.title or message.text or "", 200)}

    async def _to_channel(self, message: Outgoing, content: str) -> int:
        """Not attempted when Liaison knows it lacks what a reminder needs there: the delivery
        fails (kept, counted in the stats) and the moderators are told (once per permission)."""
        cached = self.bot.get_channel(message.target_id)
        missing = bot_permissions.lacking(cached, "event_reminder") if cached is not None else ()
        if missing:
            await bot_permissions.refused(
                self.bot,
                message.guild_id,
                message.target_id,
                missing,
                "event_reminder",
                **self._what(message),
            )
            raise Permanent(f"missing permissions: {', '.join(missing)}")
        channel = self.bot.get_partial_messageable(message.target_id, guild_id=message.guild_id)
        mentions = discord.AllowedMentions(
            everyone=False,
            roles=False,
            replied_user=False,
            users=[discord.Object(id=user_id) for user_id in message.mentions],
        )
        try:
            sent = await channel.send(content, nonce=message.nonce, allowed_mentions=mentions)
        except discord.Forbidden as exc:
            if bot_permissions.is_permission_refusal(exc):
                await bot_permissions.after_refusal(
                    self.bot, message.guild_id, message.target_id, "event_reminder", **self._what(message)
                )
            raise
        return sent.id

    async def _to_member(self, message: Outgoing, content: str) -> int:
        dm = await self.bot.create_dm(discord.Object(id=message.target_id))
        sent = await dm.send(content, nonce=message.nonce, allowed_mentions=discord.AllowedMentions.none())
        return sent.id
