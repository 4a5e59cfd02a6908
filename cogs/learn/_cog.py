"""``/learn courses|start|progress|certificate|verify|load|assign|cohort``: courses that prepare
members for a workshop, taken one step at a time in a private message with buttons."""

from __future__ import annotations

import asyncio
import io
import weakref
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LiaisonBot
from bot.documents import DocumentInvalid
from bot.services.learn import cohorts, courses, units
from bot.ui import limits
from bot.ui import text as ui_text
from bot.ui.caller import caller
from bot.ui.checks import guild_only, moderator_only
from bot.ui.errors import send_error
from bot.ui.respond import AcknowledgeFirst, Reply, defer, defer_update, reply_for, send, update
from cogs.learn import _certificate, _render, _views
from cogs.learn._cohort import INTERVAL_SECONDS, JOB_ID, CohortSweeper

Choices = list[app_commands.Choice[str]]


def _guild(interaction: discord.Interaction[LiaisonBot]) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id


class Learn(AcknowledgeFirst):
    learn = app_commands.Group(
        name="learn",
        description="Courses that prepare for workshops and keep their lessons alive",
        guild_only=True,
    )

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self.sweeper = CohortSweeper(bot)
        self._turns: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*_views.DYNAMIC_ITEMS)
        self.bot.runtime.every(JOB_ID, self.sweeper.run, minutes=INTERVAL_SECONDS / 60)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*_views.DYNAMIC_ITEMS)
        self.bot.runtime.cancel(JOB_ID)

    @commands.Cog.listener()
    async def on_clock_advanced(self) -> None:
        """The sandbox moved the bot's clock: send what became due at once."""
        await self.sweeper.run()

    @commands.Cog.listener()
    async def on_rsvp_recorded(self, guild_id: int, event_id: int, user_id: int, status: str) -> None:
        """A member answered an event: if they are going and a course prepares it, send it now."""
        if status == "going":
            self.bot.spawn(self.sweeper.run(), name="learn-cohorts-rsvp")

    # -- helpers -----------------------------------------------------------------------------
    async def course_autocomplete(
        self, interaction: discord.Interaction[LiaisonBot], current: str
    ) -> Choices:
        if interaction.guild_id is None:
            return []
        found = await units.course_choices(self.bot.db, caller(interaction), current)
        return [
            app_commands.Choice(name=limits.clip(f"#{cid} · {title}", 100), value=str(cid))
            for cid, title in found
        ]

    async def event_autocomplete(self, interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        found = await units.event_choices(self.bot.db, caller(interaction), current)
        return [
            app_commands.Choice(name=limits.clip(f"#{eid} · {title}", 100), value=str(eid))
            for eid, title in found
        ]

    def _turn(self, user_id: int, course_id: int) -> asyncio.Lock:
        """A member's clicks on one course are handled one at a time (a double click answers once)."""
        turn = self._turns.get((user_id, course_id))
        if turn is None:
            turn = self._turns[(user_id, course_id)] = asyncio.Lock()
        return turn

    @staticmethod
    def _step_message(reply: Reply, shown: units.Shown) -> dict[str, Any]:
        return {
            "embed": _render.step_embed(reply.t, shown.view, list(shown.links)),
            "view": _views.step_view(reply.t, shown.view),
        }

    # -- members -------------------------------------------------------------------------------
    @learn.command(name="courses", description="The server's courses, with your progress")
    @guild_only()
    async def list_courses(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        listed = await units.listing(self.bot.db, caller(interaction))
        reply = await reply_for(interaction)
        await reply.send(embed=_render.course_list(reply.t, listed), ephemeral=True)

    @learn.command(name="start", description="Begin or continue a course, privately, where you left off")
    @app_commands.describe(course="The course")
    @app_commands.autocomplete(course=course_autocomplete)
    @guild_only()
    async def start(self, interaction: discord.Interaction[LiaisonBot], course: str) -> None:
        shown = await units.start(self.bot.db, caller(interaction), course)
        reply = Reply(interaction, shown.language)
        await reply.send(**self._step_message(reply, shown), ephemeral=True)

    async def step_action(
        self,
        interaction: discord.Interaction[LiaisonBot],
        course_id: int,
        position: int,
        action: str,
        choices: list[int] | None = None,
    ) -> None:
        """A button or the menu of a step: act, then show the step the member is now on."""
        try:
            await defer_update(interaction)
            if interaction.guild_id is None:
                return
            # the member clicking (language, moderator, verified) is read in the click's one
            # transaction: a step's click is the hot path (a whole cohort at once)
            async with self._turn(interaction.user.id, course_id):
                shown = await units.click(
                    self.bot.db, caller(interaction), course_id, action, position, choices=choices
                )
            await update(interaction, **self._step_message(Reply(interaction, shown.language), shown))
        except Exception as error:
            await send_error(interaction, error)

    @learn.command(
        name="progress", description="Where you (or a member, for moderators) stand in each course"
    )
    @app_commands.describe(member="Another member (moderators only)")
    @guild_only()
    async def progress(
        self, interaction: discord.Interaction[LiaisonBot], member: discord.Member | None = None
    ) -> None:
        target = member or interaction.user
        rows = await units.progress(self.bot.db, caller(interaction), target.id)
        reply = await reply_for(interaction)
        await reply.send(embed=_render.progress_embed(reply.t, target.display_name, rows), ephemeral=True)

    @learn.command(name="certificate", description="Your certificate of completion of a course (PDF)")
    @app_commands.describe(course="The course you completed")
    @app_commands.autocomplete(course=course_autocomplete)
    @guild_only()
    async def certificate(self, interaction: discord.Interaction[LiaisonBot], course: str) -> None:
        await self._send_certificate(interaction, course)

    async def certificate_from_button(
        self, interaction: discord.Interaction[LiaisonBot], course_id: int
    ) -> None:
        try:
            await defer(interaction, ephemeral=True)
            await self._send_certificate(interaction, str(course_id))
        except Exception as error:
            await send_error(interaction, error)

    async def _send_certificate(self, interaction: discord.Interaction[LiaisonBot], course: str) -> None:
        reply = await reply_for(interaction)
        issued = await units.certificate(
            self.bot.db, caller(interaction), course, interaction.user.display_name
        )
        pdf = await asyncio.to_thread(_certificate.render, issued)
        file = discord.File(io.BytesIO(pdf), filename=_certificate.filename(issued))
        text = reply.t(
            "learn.certificate.done", course=ui_text.shown(issued.course_title, 200), code=issued.code
        )
        await send(interaction, text, file=file, ephemeral=True)

    @learn.command(
        name="verify", description="Check whether a certificate is genuine: for whom, which course, when"
    )
    @app_commands.describe(code="The verification code printed on the certificate")
    @guild_only()
    async def verify(self, interaction: discord.Interaction[LiaisonBot], code: str) -> None:
        found = await units.verify(self.bot.db, caller(interaction), code)
        reply = await reply_for(interaction)
        await reply.send(_render.verification_text(reply.t, found), ephemeral=True)

    # -- moderators ----------------------------------------------------------------------------
    @learn.command(name="load", description="Load or update a course from a course file")
    @app_commands.describe(course="The course file (YAML, see the README's trainer's guide)")
    @moderator_only()
    async def load(self, interaction: discord.Interaction[LiaisonBot], course: discord.Attachment) -> None:
        reply = await reply_for(interaction)
        text = courses.decode(await course.read())
        try:
            loaded = await courses.load(
                self.bot.db, _guild(interaction), interaction.user.id, text, self.bot.clock.now()
            )
        except DocumentInvalid as error:
            word = reply.t("document.line")
            lines = [f"• {ui_text.shown(p.describe(reply.t, line_word=word), 300)}" for p in error.problems]
            text = reply.t("learn.load.errors", count=len(lines)) + "\n" + "\n".join(lines)
            await reply.send(limits.clip(text, limits.MESSAGE), ephemeral=True)
            return
        summary = loaded.summary
        key = "learn.load.created" if loaded.created else "learn.load.updated"
        await reply.say(
            key,
            ephemeral=True,
            id=loaded.course_id,
            **{**summary, "title": ui_text.shown(str(summary["title"]), 200)},
        )

    @learn.command(
        name="assign", description="Link a course to an event: it prepares the event's participants"
    )
    @app_commands.describe(course="The course", event="The event it prepares for")
    @app_commands.autocomplete(course=course_autocomplete, event=event_autocomplete)
    @moderator_only()
    async def assign(self, interaction: discord.Interaction[LiaisonBot], course: str, event: str) -> None:
        reply = await reply_for(interaction)
        assigned = await cohorts.assign(
            self.bot.db, _guild(interaction), interaction.user.id, course, event, reply.language
        )
        key = "learn.assign.done" if assigned.created else "learn.assign.already"
        await reply.say(
            key,
            ephemeral=True,
            course=ui_text.shown(assigned.course_title, 200),
            event=ui_text.shown(assigned.event_title, 200),
        )
        self.bot.spawn(self.sweeper.run(), name="learn-cohorts-assign")

    @learn.command(name="cohort", description="Completion and pre/post-test results of a cohort, and a CSV")
    @app_commands.describe(course="The course", event="Only the members going to this event")
    @app_commands.autocomplete(course=course_autocomplete, event=event_autocomplete)
    @moderator_only()
    async def cohort(
        self, interaction: discord.Interaction[LiaisonBot], course: str, event: str | None = None
    ) -> None:
        reply = await reply_for(interaction)
        report = await cohorts.report(self.bot.db, _guild(interaction), course, event, reply.language)
        names = {}
        guild = interaction.guild
        for row in report.rows:
            member = guild.get_member(row.user_id) if guild else None
            names[row.user_id] = member.display_name if member else str(row.user_id)
        data = _render.cohort_csv(reply.t, report, names)
        file = discord.File(io.BytesIO(data), filename=f"cohort-{report.course_id}.csv")
        await reply.send(embed=_render.cohort_embed(reply.t, report), file=file, ephemeral=True)
