"""``/event ics`` and the card's calendar button: one event, or the server's whole programme."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord

from bot import ics
from bot.services import events
from bot.ui.respond import defer, reply_for
from cogs.events import _render

if TYPE_CHECKING:
    from bot.client import LiaisonBot

PROGRAMME_LIMIT = 1000


async def send(bot: LiaisonBot, interaction: discord.Interaction[LiaisonBot], event_id: int | None) -> None:
    await defer(interaction, ephemeral=True)  # the button's; the command's already is
    assert interaction.guild_id is not None
    now = bot.clock.now()
    if event_id is not None:
        row = await events.calendar_entry(bot.db, interaction.guild_id, event_id)
        data = _render.ics_event(row)
        reply = await reply_for(interaction)
        file = discord.File(io.BytesIO(ics.build(data, now)), filename=ics.filename(data))
        text = reply.t("events.ics.ready", title=_render.safe(row.title, 200))
        await reply.send(text, file=file, ephemeral=True)
        return
    programme = await events.programme(
        bot.db, interaction.guild_id, interaction.user.id, now, PROGRAMME_LIMIT
    )
    rows, answers = programme.events, programme.answers
    reply = await reply_for(interaction)
    if not rows:
        await reply.say("events.ics.none", ephemeral=True)
        return
    items = [
        _render.ics_event(
            row,
            rsvp=answers.get(row.id),
            note=reply.t("events.ics.your_answer", status=reply.t(f"events.status.{answers[row.id]}"))
            if row.id in answers
            else None,
        )
        for row in rows
    ]
    name = f"{reply.t('events.ics.filename')}-{interaction.guild_id}.ics"
    raw = await asyncio.to_thread(ics.build_many, items, now)  # ~1 ms an event: off the loop
    file = discord.File(io.BytesIO(raw), filename=name)
    await reply.send(reply.t("events.ics.all_ready", count=len(rows)), file=file, ephemeral=True)
