"""``/exercise load|list|info|assign|start|pause|resume|inject|decision|observe|end|report``."""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord import app_commands

from bot.client import LiaisonBot
from bot.documents import DocumentInvalid
from bot.exercises import report as report_files
from bot.exercises.scenario import format_offset
from bot.services.exercises import access, units
from bot.services.exercises.units import Asker
from bot.ui import text as ui_text
from bot.ui.caller import caller
from bot.ui.checks import has_moderator_power, moderator_only
from bot.ui.respond import AcknowledgeFirst, reply_for
from cogs.exercises import _commands, _complete, _render, _threads
from cogs.exercises._runner import InjectRunner
from cogs.exercises._views import (
    DecisionButton,
    HotwashButton,
    RemindButton,
)

log = logging.getLogger("liaison.exercises")
Choices = list[app_commands.Choice[str]]
ROLE_CHOICES = [app_commands.Choice(name=r, value=r) for r in ("player", "controller", "observer")]
RATING_CHOICES = [app_commands.Choice(name=r, value=r) for r in ("met", "partly", "not_met")]


def _guild(interaction: discord.Interaction[LiaisonBot]) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


class Exercises(_commands.Recording, AcknowledgeFirst):
    exercise = app_commands.Group(name="exercise", description="Tabletop exercises", guild_only=True)

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self.runner = InjectRunner(bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DecisionButton, HotwashButton, RemindButton)
        await self.runner.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DecisionButton, HotwashButton, RemindButton)
        await self.runner.aclose()

    @discord.ext.commands.Cog.listener()
    async def on_clock_advanced(self) -> None:
        """The sandbox moved the bot's clock: send what became due at once."""
        try:
            await self.runner.run()
        except Exception:
            if not self.runner.wakeups.stopped:
                raise

    # -- helpers -----------------------------------------------------------------------------
    async def asker(self, interaction: discord.Interaction[LiaisonBot]) -> Asker:
        """Who calls (moderator role and verification are read in the command's own transaction)."""
        return caller(interaction)

    async def post(self, channel_id: int | None, content: str, **kwargs: Any) -> discord.Message | None:
        if channel_id is None:
            return None
        channel = self.bot.get_partial_messageable(channel_id)
        try:
            return await channel.send(content, allowed_mentions=discord.AllowedMentions.none(), **kwargs)
        except discord.HTTPException as exc:
            log.warning("could not post in thread %s: %s", channel_id, exc)
            return None

    # -- load, list, info, assign ------------------------------------------------------------
    @exercise.command(name="load", description="Load a scenario file (YAML) as a new exercise")
    @app_commands.describe(
        scenario="The scenario file (.yaml)",
        channel="Where its threads open (default: the exercises channel)",
    )
    @moderator_only()
    async def load(
        self,
        interaction: discord.Interaction[LiaisonBot],
        scenario: discord.Attachment,
        channel: discord.TextChannel | None = None,
    ) -> None:
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        data = (
            await scenario.read()
            if scenario.size <= access.MAX_FILE_BYTES
            else b"x" * (access.MAX_FILE_BYTES + 1)
        )
        try:
            loaded = await units.load(
                self.bot.db,
                _guild(interaction),
                asker,
                data,
                channel.id if channel else None,
                self.bot.clock.now(),
            )
        except DocumentInvalid as exc:
            word = reply.t("document.line")
            lines = [p.describe(reply.t, line_word=word) for p in exc.problems]
            text = (
                reply.t("exercises.load.refused", count=len(lines))
                + "\n"
                + "\n".join(f"• {ui_text.shown(line, 300)}" for line in lines)
            )
            await reply.send(text, ephemeral=True)
            return
        found = loaded.scenario
        text = reply.t(
            "exercises.load.done",
            id=loaded.exercise_id,
            title=ui_text.shown(found.title.get(reply.language), 200),
            label=found.label,
            teams=", ".join(ui_text.shown(t.name, 60) for t in found.teams),
            injects=len(found.injects),
            duration=format_offset(found.duration),
        )
        if loaded.dropped_resources:
            text += "\n" + reply.t(
                "exercises.load.dropped", ids=", ".join(f"#{i}" for i in loaded.dropped_resources)
            )
        await reply.send(text, ephemeral=True)

    @exercise.command(name="list", description="This server's exercises")
    async def list_(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        reply = await reply_for(interaction)
        found = await units.listing(
            self.bot.db, _guild(interaction), await self.asker(interaction), self.bot.clock.now()
        )
        if not found:
            await reply.say("exercises.list.empty", ephemeral=True)
            return
        lines = [
            reply.t(
                "exercises.list.line",
                id=e.exercise_id,
                title=ui_text.shown(e.title.get(reply.language), 120),
                label=e.label,
                state=reply.t(f"exercises.state.{e.state}"),
            )
            for e in found
        ]
        await reply.send(reply.t("exercises.list.title") + "\n" + "\n".join(lines), ephemeral=True)

    @exercise.command(name="info", description="An exercise: its teams, injects and clock")
    @app_commands.describe(exercise="The exercise")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def info(self, interaction: discord.Interaction[LiaisonBot], exercise: str) -> None:
        reply = await reply_for(interaction)
        found = await units.info(
            self.bot.db, _guild(interaction), await self.asker(interaction), exercise, self.bot.clock.now()
        )
        embed = _render.info_embed(reply.t, found, reply.language, self.bot.clock.now())
        await reply.send(embed=embed, ephemeral=True)

    @exercise.command(
        name="assign", description="Assign a member to a team, as player, controller or observer"
    )
    @app_commands.describe(
        exercise="The exercise",
        member="The member",
        team="The team",
        role="player (default), controller or observer",
    )
    @app_commands.choices(role=ROLE_CHOICES)
    @app_commands.autocomplete(exercise=_complete.exercises, team=_complete.teams)
    async def assign(
        self,
        interaction: discord.Interaction[LiaisonBot],
        exercise: str,
        member: discord.Member,
        team: str,
        role: app_commands.Choice[str] | None = None,
    ) -> None:
        reply = await reply_for(interaction)
        asker = await self.asker(interaction)
        guild_id = _guild(interaction)
        done = await units.assign(
            self.bot.db,
            guild_id,
            asker,
            exercise,
            member.id,
            team,
            role.value if role else "player",
            self.bot.clock.now(),
            member_moderator_with=lambda role_id: has_moderator_power(member, role_id),
        )
        await _threads.join(self.bot, guild_id, done.threads, member.id)
        await reply.say(
            "exercises.assigned",
            ephemeral=True,
            member=member.mention,
            role=reply.t(f"exercises.role.{done.role}"),
            team=ui_text.shown(done.team or reply.t("exercises.all_teams"), 60),
            title=ui_text.shown(done.title, 200),
        )

    # -- start, pause, resume, inject, end ---------------------------------------------------
    @exercise.command(name="start", description="Start an exercise: team threads, control thread, injects")
    @app_commands.describe(exercise="The exercise", speed="Exercise minutes per real minute (default 1)")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def start(
        self,
        interaction: discord.Interaction[LiaisonBot],
        exercise: str,
        speed: app_commands.Range[float, 0.1, 10000.0] | None = None,
    ) -> None:
        await self.start_exercise(interaction, exercise, float(speed or 1.0))

    @exercise.command(name="pause", description="Pause an exercise's clock")
    @app_commands.describe(exercise="The exercise")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def pause(self, interaction: discord.Interaction[LiaisonBot], exercise: str) -> None:
        await self.change_clock(interaction, exercise, units.pause, "exercises.paused")

    @exercise.command(name="resume", description="Resume a paused exercise where its clock stopped")
    @app_commands.describe(exercise="The exercise")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def resume(self, interaction: discord.Interaction[LiaisonBot], exercise: str) -> None:
        await self.change_clock(interaction, exercise, units.resume, "exercises.resumed")

    @exercise.command(name="inject", description="Send the next inject now, a named one, or an ad hoc text")
    @app_commands.describe(
        exercise="The exercise",
        inject="The inject to send now (default: the next one)",
        text="An ad hoc inject's text",
        team="Only to this team (ad hoc inject; default: all)",
    )
    @app_commands.autocomplete(exercise=_complete.exercises, inject=_complete.injects, team=_complete.teams)
    async def inject(
        self,
        interaction: discord.Interaction[LiaisonBot],
        exercise: str,
        inject: str | None = None,
        text: str | None = None,
        team: str | None = None,
    ) -> None:
        reply = await reply_for(interaction)
        done = await units.inject_now(
            self.bot.db,
            _guild(interaction),
            await self.asker(interaction),
            exercise,
            self.bot.clock.now(),
            inject=inject,
            text=text,
            team=team,
            language=reply.language,
        )
        self.runner.notify(done.due)
        await reply.say(
            "exercises.injected",
            ephemeral=True,
            number=done.number,
            title=ui_text.shown(done.title.get(reply.language), 200),
        )

    @exercise.command(name="end", description="End an exercise: stop the injects and open the hot wash")
    @app_commands.describe(exercise="The exercise")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def end(self, interaction: discord.Interaction[LiaisonBot], exercise: str) -> None:
        reply = await reply_for(interaction)
        ended = await units.end(
            self.bot.db, _guild(interaction), await self.asker(interaction), exercise, self.bot.clock.now()
        )
        for _name, language, thread_id in ended.teams:
            t = _commands.translator(language)
            text = _render.hotwash_call(t, ended.title, ended.hotwash, language, ended.elapsed)
            await self.post(thread_id, text, view=HotwashButton.persistent_view(ended.exercise_id, language))
        await self.post(
            ended.control_thread_id,
            _render.hotwash_call(reply.t, ended.title, ended.hotwash, reply.language, ended.elapsed),
            view=HotwashButton.persistent_view(ended.exercise_id, reply.language),
        )
        await reply.say(
            "exercises.ended",
            ephemeral=True,
            title=ui_text.shown(ended.title, 200),
            time=format_offset(ended.elapsed),
        )

    @exercise.command(name="report", description="The after-action report, as Markdown and HTML files")
    @app_commands.describe(exercise="The exercise")
    @app_commands.autocomplete(exercise=_complete.exercises)
    async def report(self, interaction: discord.Interaction[LiaisonBot], exercise: str) -> None:
        reply = await reply_for(interaction)
        data = await units.report(
            self.bot.db, _guild(interaction), await self.asker(interaction), exercise, self.bot.clock.now()
        )
        markdown = report_files.markdown(data, reply.t, reply.language)
        html = report_files.page(data, reply.t, reply.language)
        files = [
            discord.File(
                io.BytesIO(markdown.encode("utf-8")), filename=f"exercise-{data.exercise_id}-report.md"
            ),
            discord.File(
                io.BytesIO(html.encode("utf-8")), filename=f"exercise-{data.exercise_id}-report.html"
            ),
        ]
        text = reply.t(
            "exercises.report.ready",
            label=data.label,
            title=ui_text.shown(data.title.get(reply.language), 200),
        )
        view = RemindButton.persistent_view(data.exercise_id, reply.language) if data.improvements else None
        if view is not None:
            await reply.send(text, files=files, ephemeral=True, view=view)
        else:
            await reply.send(text, files=files, ephemeral=True)

    # -- decision, observe --------------------------------------------------------------------
    @exercise.command(name="decision", description="Log your team's decision (inside your team's thread)")
    @app_commands.describe(text="The decision")
    async def decision(self, interaction: discord.Interaction[LiaisonBot], text: str) -> None:
        await self.log_decision(interaction, text)

    @exercise.command(name="observe", description="Record an observation, rated against the expected actions")
    @app_commands.describe(
        exercise="The exercise",
        note="What you observed",
        inject="The inject it is about",
        rating="met, partly or not_met",
    )
    @app_commands.choices(rating=RATING_CHOICES)
    @app_commands.autocomplete(exercise=_complete.exercises, inject=_complete.injects)
    async def observe(
        self,
        interaction: discord.Interaction[LiaisonBot],
        exercise: str,
        note: str,
        inject: str | None = None,
        rating: app_commands.Choice[str] | None = None,
    ) -> None:
        reply = await reply_for(interaction)
        logged = await units.observe(
            self.bot.db,
            _guild(interaction),
            await self.asker(interaction),
            exercise,
            note,
            self.bot.clock.now(),
            inject=inject,
            rating=rating.value if rating else None,
        )
        await reply.say("exercises.observed", ephemeral=True, time=logged.time)
