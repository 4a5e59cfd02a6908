"""The delivery engine's Sender, with discord.py: nonce + ``enforce_nonce``, errors classified.

discord.py sets ``enforce_nonce`` whenever a nonce is given, so a send repeated after a crash
(same nonce, derived from the delivery id) returns the message already posted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.delivery import Permanent, Transient, Unreachable
from bot.services.reminders.delivery import Outgoing
from bot.ui import bot_permissions
from cogs.events._render import reminder_text, safe

if TYPE_CHECKING:
    from bot.client import LiaisonBot

CANNOT_DM = 50007


class DiscordSender:
    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    async def send(self, message: Outgoing) -> int | None:
        content = reminder_text(message, self.bot.settings.liaison_locale)
        try:
            if message.to_channel:
                return await self._to_channel(message, content)
            return await self._to_member(message, content)
        except discord.Forbidden as exc:
            if not message.to_channel:
                raise Unreachable(f"{exc.code} {exc.text}") from exc
            if bot_permissions.is_permission_refusal(exc):
                await bot_permissions.after_refusal(
                    self.bot, message.guild_id, message.target_id, "event_reminder", **self._what(message)
                )
            raise Permanent(f"forbidden {exc.code} {exc.text}") from exc
        except discord.NotFound as exc:
            raise Permanent(f"not found {exc.code} {exc.text}") from exc
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise Transient(f"{exc.status} {exc.text}") from exc
            if exc.code == CANNOT_DM:
                raise Unreachable(f"{exc.code} {exc.text}") from exc
            raise Permanent(f"{exc.status} {exc.code} {exc.text}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise Transient(type(exc).__name__) from exc

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
        sent = await channel.send(content, nonce=message.nonce, allowed_mentions=mentions)
        return sent.id

    async def _to_member(self, message: Outgoing, content: str) -> int:
        dm = await self.bot.create_dm(discord.Object(id=message.target_id))
        sent = await dm.send(content, nonce=message.nonce, allowed_mentions=discord.AllowedMentions.none())
        return sent.id
