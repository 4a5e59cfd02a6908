"""``/me settings|export|delete``: a member's own preferences and data, always ephemeral."""

from __future__ import annotations

import io
import json

import discord
from discord import app_commands

from bot.client import LiaisonBot
from bot.services import member_prefs, privacy
from bot.services.member_prefs import PrefsChange
from bot.timeutil import search_timezones
from bot.ui import autocomplete, embeds
from bot.ui.caller import caller
from bot.ui.checks import guild_only
from bot.ui.respond import AcknowledgeFirst, reply_for, update
from bot.ui.views import confirm
from cogs.me_messages import redraw

QA_TEXT_CHOICES = [
    app_commands.Choice(name="keep", value="keep"),
    app_commands.Choice(name="erase", value="erase"),
]
EXPORT_NAME = "liaison-export.json"


class Me(AcknowledgeFirst):
    me = app_commands.Group(name="me", description="Your own settings and data", guild_only=True)

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    async def timezone_autocomplete(
        self, _interaction: discord.Interaction[LiaisonBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in search_timezones(current)]

    @me.command(name="settings", description="Your language, time zone and notification choices")
    @app_commands.describe(
        language="Language Liaison answers you in",
        timezone="Your time zone for reminders (IANA name)",
        dm_reminders="Receive event reminders by direct message",
        qa_routing="Experts: be mentioned about questions in your areas",
    )
    @app_commands.choices(language=autocomplete.LANGUAGE_CHOICES)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @guild_only()
    async def settings(
        self,
        interaction: discord.Interaction[LiaisonBot],
        language: app_commands.Choice[str] | None = None,
        timezone: str | None = None,
        dm_reminders: bool | None = None,
        qa_routing: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = PrefsChange(language.value if language else None, timezone, dm_reminders, qa_routing)
        prefs = await member_prefs.update(self.bot.db, interaction.guild_id, interaction.user.id, change)
        reply = await reply_for(interaction)
        embed = embeds.make_embed(
            reply.t("me.settings.title"),
            reply.t("me.settings.nothing" if change.empty else "me.settings.saved"),
        )
        yes, no = reply.t("common.yes"), reply.t("common.no")
        embeds.add_field(embed, reply.t("me.field.language"), prefs.language or reply.t("me.automatic"))
        embeds.add_field(embed, reply.t("me.field.timezone"), prefs.timezone or reply.t("me.server_default"))
        embeds.add_field(embed, reply.t("me.field.dm_reminders"), yes if prefs.dm_reminders else no)
        embeds.add_field(embed, reply.t("me.field.qa_routing"), yes if prefs.qa_routing else no)
        await reply.send(embed=embed, ephemeral=True)

    @me.command(name="export", description="Everything Liaison holds about you, as a JSON file")
    @guild_only()
    async def export(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild_id is not None
        data = await privacy.export_for(self.bot.db, caller(interaction))
        payload = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        reply = await reply_for(interaction)
        file = discord.File(io.BytesIO(payload), filename=EXPORT_NAME)
        await reply.send(reply.t("me.export.done"), file=file, ephemeral=True)

    @me.command(name="delete", description="Erase your personal data from Liaison in this server")
    @app_commands.describe(
        qa_text="Your Q&A questions and answers: keep them, anonymised (default), or erase them"
    )
    @app_commands.choices(qa_text=QA_TEXT_CHOICES)
    @guild_only()
    async def delete(
        self, interaction: discord.Interaction[LiaisonBot], qa_text: app_commands.Choice[str] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        mode: privacy.QaText = "erase" if qa_text is not None and qa_text.value == "erase" else "keep"
        reply = await reply_for(interaction)
        prompt = reply.t("me.delete.confirm_erase" if mode == "erase" else "me.delete.confirm")
        agreed, answer = await confirm(interaction, prompt, reply.language)
        if not agreed or answer is None:
            return
        erasure = await privacy.erase(self.bot.db, interaction.guild_id, interaction.user.id, qa_text=mode)
        await self.bot.db.checkpoint()
        # Features with a Discord side of their own (the verified role) listen for this.
        self.bot.dispatch("member_erased", interaction.guild_id, interaction.user.id)
        await redraw(self.bot, interaction.guild_id, interaction.user.id, erasure.messages)
        await update(answer, content=reply.t("me.delete.done"), view=None)  # once all is done


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Me(bot))
