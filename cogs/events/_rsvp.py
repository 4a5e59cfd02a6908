"""Recording a member's answer to an event, from ``/event rsvp`` or the buttons of its card."""

from __future__ import annotations

import asyncio
import weakref

import discord

from bot import i18n
from bot.client import LiaisonBot
from bot.services import events
from bot.ui import messenger
from bot.ui.respond import reply_for, send, update
from cogs.events import _announce, _notify, _render


class Answers:
    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        # Held only while someone answers: a lock nobody uses any more is forgotten.
        self._turns: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def record(
        self, interaction: discord.Interaction[LiaisonBot], event_id: int, status: str, *, button: bool
    ) -> None:
        """Record the answer, tell the member (their place on the waiting list, if any), refresh
        the event's card (edited in place when the answer came from it), tell who got a place."""
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        reply = await reply_for(interaction)
        now = self.bot.clock.now()
        # The Discord locale seen now: later DMs about the event read it when /me settings
        # names no language, and fall back on the server's language of that moment otherwise.
        seen = i18n.language_of_discord_locale(interaction.locale)
        async with self._turn(event_id):
            result = await events.answer(
                self.bot.db, guild_id, event_id, interaction.user.id, status, now, language=seen
            )
        row = result.event
        moment = events.next_start(row, self.bot.clock.now()) or row.starts_at
        text = reply.t(
            f"events.rsvp.{result.status}",
            title=_render.safe(row.title, 200),
            when=_render.when(moment),
            position=result.position,
        )
        if button and interaction.message is not None and interaction.message.id == row.message_id:
            embed, view = await _announce.card(
                self.bot, guild_id, event_id, await messenger.server_language(self.bot, guild_id)
            )
            await update(interaction, embed=embed, view=view)
            await send(interaction, text, ephemeral=True)
        else:
            await reply.send(text, ephemeral=True)
            await _announce.refresh(self.bot, guild_id, event_id)
        _notify.promoted(self.bot, guild_id, row, result.promoted)
        # Other features may act on an answer (courses prepare those going): an event, no import.
        for user_id in [interaction.user.id, *result.promoted]:
            status = result.status if user_id == interaction.user.id else "going"
            self.bot.dispatch("rsvp_recorded", guild_id, event_id, user_id, status)

    def _turn(self, event_id: int) -> asyncio.Lock:
        """Answers to one event are written one at a time in this process, in the order they
        came: a burst of them (everyone clicking "going" at once) queues here rather than on the
        database's write lock, whose busy wait is unfair (under SQLite one could wait past its
        timeout). The row lock the transaction takes still orders them with other processes."""
        turn = self._turns.get(event_id)
        if turn is None:
            turn = self._turns[event_id] = asyncio.Lock()
        return turn
