"""``/event create|list|info|rsvp|edit|cancel|ics`` and ``/remind``; owns the reminder runner."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.client import LiaisonBot
from bot.delivery import SHUTDOWN_WAIT_SECONDS, claim_options, finish_or_cancel
from bot.services import events, reminders
from bot.services.event_time import warm_up_parser
from bot.services.events import EventInput
from bot.services.reminders.delivery import DeliveryEngine
from bot.services.reminders.runner import ReminderRunner
from bot.timeutil import discord_timestamp, search_timezones
from bot.ui import embeds, text
from bot.ui.checks import guild_only, moderator_only
from bot.ui.pages import line_pages
from bot.ui.respond import AcknowledgeFirst, defer_update, reply_for, update
from bot.ui.views import confirm, send_pages
from cogs.events import _announce, _ics, _notify, _render
from cogs.events._rsvp import Answers
from cogs.events._sender import DiscordSender
from cogs.events._views import IcsButton, RsvpButton

log = logging.getLogger("liaison.events")
Choices = list[app_commands.Choice[str]]
REPEAT_CHOICES = [app_commands.Choice(name=n, value=n) for n in ("none", "weekly", "monthly")]
STATUS_CHOICES = [
    app_commands.Choice(name="going", value="going"),
    app_commands.Choice(name="maybe", value="maybe"),
    app_commands.Choice(name="not going", value="not_going"),
]
EVENT_OPTIONS = {
    "title": "Title of the event",
    "start": "Start: YYYY-MM-DD HH:MM in the time zone, or a phrase such as tomorrow 14:00",
    "timezone": "Time zone of the start (IANA name such as Europe/Vienna)",
    "duration": "Duration such as 90m, 2h or 3d (default 1h)",
    "location": "Place or meeting link",
    "description": "What the event is about",
    "reminders": "Reminders before the start such as 1d, 2h, 15m (default: the server's)",
    "capacity": "Number of places (a waiting list opens when full)",
    "repeat": "Repeat the event every week or every month",
}


def _guild(interaction: discord.Interaction[LiaisonBot]) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


class Events(AcknowledgeFirst):
    event = app_commands.Group(name="event", description="Workshops, courses and exercises", guild_only=True)

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        options = claim_options(bot.settings)
        engine = DeliveryEngine(bot.db, DiscordSender(bot), stopped=self._stopped, **options)
        self.runner = ReminderRunner(bot.db, bot.clock, getattr(bot, "scheduler", None), engine)
        self._recovery: asyncio.Task[None] | None = None
        self._warm_up: asyncio.Task[None] | None = None
        self.answers = Answers(bot)

    # -- lifecycle: persistent buttons, wake-ups rebuilt from the database ------------------
    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton, IcsButton)
        buckets = await self.runner.start()
        log.info("reminders: %d wake-up moments loaded", buckets)
        # Not bot.spawn: closing waits for it only briefly (a recovery cut short is settled next start).
        self._recovery = asyncio.create_task(self._recover(), name="reminders-recover")
        # dateparser builds its language data on first use (~0.5 s): not inside a 3 s interaction.
        self._warm_up = asyncio.create_task(asyncio.to_thread(warm_up_parser), name="dateparser-warm-up")

    async def cog_unload(self) -> None:
        """Stop every task of the cog before the bot releases the database under them."""
        self.bot.remove_dynamic_items(RsvpButton, IcsButton)
        await self.runner.aclose()
        tasks = {task for task in (self._recovery, self._warm_up) if task is not None}
        await finish_or_cancel(tasks, SHUTDOWN_WAIT_SECONDS)

    def _stopped(self) -> bool:
        return self.bot.is_closed() or self.runner.wakeups.stopped

    async def _recover(self) -> None:
        if await self.bot.connected(self._stopped):
            await self.runner.recover_until_done()

    @commands.Cog.listener()
    async def on_clock_advanced(self) -> None:
        """The sandbox moved the bot's clock: run what became due at once."""
        try:
            await self.runner.run()
        except Exception:
            if not self.runner.wakeups.stopped:
                raise
            log.warning("reminder pass interrupted by shutdown", exc_info=True)

    # -- helpers -----------------------------------------------------------------------------
    async def event_autocomplete(self, interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        found = await events.autocomplete(self.bot.db, interaction.guild_id, current, self.bot.clock.now())
        return [
            app_commands.Choice(name=text.plain(f"#{event_id} · {title}", 100), value=str(event_id))
            for event_id, title in found
        ]

    async def timezone_autocomplete(
        self, _interaction: discord.Interaction[LiaisonBot], current: str
    ) -> Choices:
        return [app_commands.Choice(name=zone, value=zone) for zone in search_timezones(current)]

    # -- /event create | edit | cancel (moderators) ------------------------------------------
    @event.command(name="create", description="Create an event, announce it and plan its reminders")
    @app_commands.describe(**EVENT_OPTIONS)
    @app_commands.choices(repeat=REPEAT_CHOICES)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction[LiaisonBot],
        title: str,
        start: str,
        timezone: str,
        duration: str | None = None,
        location: str | None = None,
        description: str | None = None,
        reminders: str | None = None,
        capacity: int | None = None,
        repeat: app_commands.Choice[str] | None = None,
    ) -> None:
        data = EventInput(
            title,
            start,
            timezone,
            duration,
            location,
            description,
            reminders,
            capacity,
            repeat.value if repeat else None,
        )
        change = await events.create(
            self.bot.db, _guild(interaction), interaction.user.id, data, self.bot.clock.now()
        )
        self.runner.notify(change.wakeups)
        reply = await reply_for(interaction)
        note = await _announce.post(self.bot, interaction, change.event)
        text = reply.t(
            "events.created",
            id=change.event.id,
            title=_render.safe(change.event.title, 200),
            when=_render.when(change.event.starts_at),
        )
        repeated = reply.t("events.start_repeated", **change.repeated) if change.repeated else ""
        await reply.send("\n".join(part for part in (text, repeated, note) if part), ephemeral=True)

    @event.command(name="edit", description="Change an event; its reminders move with it")
    @app_commands.describe(event="The event to change", **EVENT_OPTIONS)
    @app_commands.choices(repeat=REPEAT_CHOICES)
    @app_commands.autocomplete(event=event_autocomplete, timezone=timezone_autocomplete)
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[LiaisonBot],
        event: str,
        title: str | None = None,
        start: str | None = None,
        timezone: str | None = None,
        duration: str | None = None,
        location: str | None = None,
        description: str | None = None,
        reminders: str | None = None,
        capacity: int | None = None,
        repeat: app_commands.Choice[str] | None = None,
    ) -> None:
        data = EventInput(
            title,
            start,
            timezone,
            duration,
            location,
            description,
            reminders,
            capacity,
            repeat.value if repeat else None,
        )
        guild_id = _guild(interaction)
        change = await events.edit(
            self.bot.db, guild_id, interaction.user.id, events.parse_ref(event), data, self.bot.clock.now()
        )
        self.runner.notify(change.wakeups)
        reply = await reply_for(interaction)
        row, title_text = change.event, _render.safe(change.event.title, 200)
        moment = events.next_start(row, self.bot.clock.now()) or row.starts_at
        if change.time_changed:
            text = reply.t(
                "events.edited_moved",
                id=row.id,
                title=title_text,
                when=_render.when(moment),
                count=len(change.notify),
            )
        else:
            text = reply.t("events.edited", id=row.id, title=title_text)
        if change.repeated:
            text = f"{text}\n{reply.t('events.start_repeated', **change.repeated)}"
        await reply.send(text, ephemeral=True)
        await _announce.refresh(self.bot, guild_id, row.id)
        if change.time_changed:
            self.bot.spawn(
                _notify.tell(
                    self.bot,
                    guild_id,
                    row.id,
                    change.notify,
                    "events.notify.moved",
                    title=title_text,
                    when=_render.when(moment),
                )
            )
        _notify.promoted(self.bot, guild_id, row, change.promoted)

    @event.command(name="cancel", description="Cancel an event: reminders withdrawn, attendees told")
    @app_commands.describe(event="The event to cancel")
    @app_commands.autocomplete(event=event_autocomplete)
    @moderator_only()
    async def cancel(self, interaction: discord.Interaction[LiaisonBot], event: str) -> None:
        guild_id, event_id = _guild(interaction), events.parse_ref(event)
        asked = await events.cancelling(self.bot.db, guild_id, event_id)
        reply = await reply_for(interaction)
        row = asked.event
        moment = events.next_start(row, self.bot.clock.now()) or row.starts_at
        title = _render.safe(row.title, 200)
        prompt = reply.t(
            "events.cancel_prompt", id=row.id, title=title, when=_render.when(moment), count=asked.attendees
        )
        confirmed, answer = await confirm(interaction, prompt, reply.language)
        if not confirmed or answer is None:
            return
        # a second transaction: the member confirms in between (no transaction held across a prompt)
        change = await events.cancel(
            self.bot.db, guild_id, interaction.user.id, event_id, self.bot.clock.now()
        )
        await update(answer, content=reply.t("events.cancelled_done", id=row.id, title=title), view=None)
        await _announce.refresh(self.bot, guild_id, event_id)
        self.bot.spawn(
            _notify.tell(
                self.bot,
                guild_id,
                event_id,
                change.notify,
                "events.notify.cancelled",
                title=title,
                when=_render.when(moment),
            )
        )

    # -- /event list | info | ics ------------------------------------------------------------
    @event.command(name="list", description="Upcoming events")
    @guild_only()
    async def list_(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        now = self.bot.clock.now()
        reply = await reply_for(interaction)
        cards = await events.listing(self.bot.db, _guild(interaction), now)
        lines = [_render.list_line(reply.t, card.event, card.counts, now) for card in cards]
        if not lines:
            await reply.say("events.list.empty", ephemeral=True)
            return
        pages = line_pages(reply.t, reply.t("events.list.title"), lines)
        await send_pages(interaction, pages, reply.language, ephemeral=True)

    @event.command(name="info", description="Details of an event and who is going")
    @app_commands.describe(event="The event to show")
    @app_commands.autocomplete(event=event_autocomplete)
    @guild_only()
    async def info(self, interaction: discord.Interaction[LiaisonBot], event: str) -> None:
        guild_id, event_id = _guild(interaction), events.parse_ref(event)
        shown = await events.details(self.bot.db, guild_id, event_id, interaction.user.id)
        reply = await reply_for(interaction)
        embed = _render.event_embed(
            reply.t, shown.event, shown.counts, self.bot.clock.now(), going=shown.going
        )
        if shown.mine:
            embeds.add_field(
                embed, reply.t("events.field.your_answer"), reply.t(f"events.status.{shown.mine}")
            )
        await reply.send(embed=embed, ephemeral=True)

    @event.command(name="ics", description="The event as a calendar file for Outlook or Google Calendar")
    @app_commands.describe(event="The event to export; leave it empty for every upcoming event")
    @app_commands.autocomplete(event=event_autocomplete)
    @guild_only()
    async def ics_(self, interaction: discord.Interaction[LiaisonBot], event: str | None = None) -> None:
        await _ics.send(self.bot, interaction, events.parse_ref(event) if event else None)

    async def send_ics(self, interaction: discord.Interaction[LiaisonBot], event_id: int) -> None:
        await _ics.send(self.bot, interaction, event_id)

    # -- /event rsvp and the buttons ---------------------------------------------------------
    @event.command(name="rsvp", description="Answer an event: going, maybe or not going")
    @app_commands.describe(event="The event to answer", status="Your answer (default: going)")
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(event=event_autocomplete)
    @guild_only()
    async def rsvp(
        self,
        interaction: discord.Interaction[LiaisonBot],
        event: str,
        status: app_commands.Choice[str] | None = None,
    ) -> None:
        await self.answers.record(
            interaction, events.parse_ref(event), status.value if status else "going", button=False
        )

    async def rsvp_from_button(
        self, interaction: discord.Interaction[LiaisonBot], event_id: int, status: str
    ) -> None:
        if interaction.guild_id is None:
            return
        await defer_update(interaction)  # the card is edited once the answer is recorded
        await self.answers.record(interaction, event_id, status, button=True)

    # -- /remind -----------------------------------------------------------------------------
    @app_commands.command(name="remind", description="A personal reminder by direct message")
    @app_commands.describe(
        when="in 2h, 30m, 2026-12-01 09:00 (your time zone), event:12 or 1h before event:12",
        what="What to remind you of",
    )
    @app_commands.guild_only()
    async def remind(self, interaction: discord.Interaction[LiaisonBot], when: str, what: str) -> None:
        reply = await reply_for(interaction)
        planned = await reminders.remind_member(
            self.bot.db,
            _guild(interaction),
            interaction.user.id,
            when,
            what,
            self.bot.clock.now(),
            # the Discord locale seen now; /me settings and the server's language are read
            # when the reminder is sent
            language=i18n.language_of_discord_locale(interaction.locale),
        )
        self.runner.notify([planned.fire_at])
        moment = planned.fire_at
        times = {"relative": discord_timestamp(moment, "R"), "full": discord_timestamp(moment, "F")}
        if planned.event_title:
            text = reply.t("reminders.set_event", title=_render.safe(planned.event_title, 200), **times)
        else:
            text = reply.t("reminders.set", **times)
        if planned.repeated:
            text = f"{text}\n{reply.t('events.start_repeated', **planned.repeated)}"
        await reply.send(text, ephemeral=True)
