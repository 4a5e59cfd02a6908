"""The longer command bodies of the exercises cog: starting, the clock, decisions, the hot wash."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord

from bot import i18n
from bot.exercises import clock
from bot.exercises.scenario import format_offset
from bot.services.exercises import records, units
from bot.services.exercises.units import Asker
from bot.timeutil import discord_timestamp
from bot.ui import text as ui_text
from bot.ui.respond import defer, reply_for
from cogs.exercises import _render, _threads
from cogs.exercises._views import HotwashModal

if TYPE_CHECKING:
    from bot.client import LiaisonBot
    from cogs.exercises._runner import InjectRunner

Translate = Callable[..., str]


def translator(language: str) -> Translate:
    return lambda key, **params: i18n.t(language, key, **params)


class Recording:
    """Mixed into the cog (which provides ``bot``, ``runner``, ``asker`` and ``post``)."""

    bot: LiaisonBot
    runner: InjectRunner
    asker: Callable[[discord.Interaction[LiaisonBot]], Awaitable[Asker]]
    post: Callable[..., Awaitable[discord.Message | None]]

    async def start_exercise(
        self, interaction: discord.Interaction[LiaisonBot], reference: str, speed: float
    ) -> None:
        """Threads first (nothing is written if Discord refuses), then the exercise starts."""
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        if not clock.MIN_SPEED <= speed <= clock.MAX_SPEED:
            await reply.say(
                "exercises.error.bad_speed", ephemeral=True, min=clock.MIN_SPEED, max=int(clock.MAX_SPEED)
            )
            return
        here = interaction.channel_id if isinstance(interaction.channel, discord.TextChannel) else None
        planned = await units.plan_start(
            self.bot.db, guild_id, asker, reference, self.bot.clock.now(), here=here
        )
        plan, scenario = planned.plan, planned.scenario
        opened = await _threads.open_threads(self.bot, plan, reply.t("exercises.control.name"))
        now = self.bot.clock.now()
        for team in plan.teams:
            t = translator(team.language)
            text = _render.briefing(t, scenario, team.name, team.language, plan.label, speed)
            await self.post(opened.teams[team.name].id, text)
        state = clock.started(now, speed)
        for text in _render.timeline(reply.t, scenario, state, reply.language, plan.label):
            await self.post(opened.control.id, text)
        # a second unit of work: the threads are opened on Discord in between (what Discord
        # answered, their ids, is recorded; no transaction is held across a Discord request)
        started = await units.start(
            self.bot.db,
            guild_id,
            asker,
            reference,
            speed,
            {name: thread.id for name, thread in opened.teams.items()},
            opened.control.id,
            now,
            control_language=reply.language,
        )
        self.runner.notify(started.due)
        threads = " ".join(thread.mention for thread in opened.teams.values())
        await reply.say(
            "exercises.started",
            ephemeral=True,
            title=ui_text.shown(plan.title, 200),
            threads=threads,
            control=opened.control.mention,
            speed=f"{speed:g}",
        )

    async def change_clock(
        self,
        interaction: discord.Interaction[LiaisonBot],
        reference: str,
        change: Callable[..., Awaitable[units.Clocked]],
        key: str,
    ) -> None:
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        clocked = await change(self.bot.db, guild_id, asker, reference, self.bot.clock.now())
        done, threads = clocked.change, clocked.team_threads
        if done.due:
            self.runner.notify(done.due)
        for thread_id, language in threads:
            await self.post(thread_id, i18n.t(language, f"{key}.notice", time=done.time))
        await self.post(done.control_thread_id, reply.t(f"{key}.notice", time=done.time))
        await reply.say(key, ephemeral=True, title=ui_text.shown(done.title, 200), time=done.time)

    async def log_decision(
        self, interaction: discord.Interaction[LiaisonBot], text: str, *, inject_id: int | None = None
    ) -> None:
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        decided = await units.decide(
            self.bot.db,
            guild_id,
            asker,
            interaction.channel_id or 0,
            text,
            self.bot.clock.now(),
            inject_id=inject_id,
        )
        logged, control = decided.logged, decided.control_thread_id
        shown = ui_text.shown(text.strip(), 1500)
        posted = await reply.send(
            reply.t(
                "exercises.decision.logged",
                time=logged.time,
                at=discord_timestamp(self.bot.clock.now(), "T"),
                member=interaction.user.mention,
                text=shown,
            )
        )
        if posted is None:  # a first response: Discord tells its id on request
            with contextlib.suppress(discord.HTTPException):
                posted = await interaction.original_response()
        mirror = await self.post(
            control,
            reply.t(
                "exercises.decision.mirror", time=logged.time, team=ui_text.shown(logged.team, 60), text=shown
            ),
        )
        if logged.record_id is not None:
            # a second unit of work: it records the ids of the messages Discord just posted
            await records.decision_posted(
                self.bot.db,
                logged.record_id,
                posted.id if posted is not None else None,
                mirror.id if mirror is not None else None,
            )

    async def remind_improvements(
        self, interaction: discord.Interaction[LiaisonBot], exercise_id: int
    ) -> None:
        await defer(interaction, ephemeral=True)
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        planned = await units.remind_improvements(
            self.bot.db, guild_id, asker, exercise_id, self.bot.clock.now(), language=reply.language
        )
        events = self.bot.get_cog("Events")
        if events is not None and planned:
            events.runner.notify(planned)  # type: ignore[attr-defined]
        await reply.say("exercises.reminders.planned", ephemeral=True, count=len(planned))

    async def open_hotwash(self, interaction: discord.Interaction[LiaisonBot], exercise_id: int) -> None:
        language = await self.bot.language_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        form = await units.hotwash_form(
            self.bot.db,
            guild_id,
            asker,
            exercise_id,
            interaction.channel_id or 0,
            language,
            self.bot.clock.now(),
        )
        await interaction.response.send_modal(HotwashModal(exercise_id, form.team, form.questions, language))

    async def save_hotwash(
        self,
        interaction: discord.Interaction[LiaisonBot],
        exercise_id: int,
        team: str | None,
        answers: list[str],
    ) -> None:
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = interaction.guild_id
        assert guild_id is not None
        await units.answer_hotwash(
            self.bot.db,
            guild_id,
            asker,
            exercise_id,
            team,
            answers,
            self.bot.clock.now(),
            language=reply.language,
        )
        await reply.say("exercises.hotwash.saved", ephemeral=True)


__all__ = ["Recording", "format_offset", "translator"]
