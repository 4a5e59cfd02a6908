"""``/liaison setup|stats|audit``: the server's settings and the moderators' view of the bot."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.client import LiaisonBot
from bot.services import audit, guild_settings, stats
from bot.services.guild_settings import SetupChange
from bot.ui import autocomplete, embeds
from bot.ui.checks import moderator_only
from bot.ui.respond import AcknowledgeFirst, reply_for
from bot.ui.views import send_pages

AUDIT_PER_PAGE = 15


def _mention(kind: str, value: int | None, not_set: str) -> str:
    if value is None:
        return not_set
    return f"<#{value}>" if kind == "channel" else f"<@&{value}>"


class Admin(AcknowledgeFirst):
    liaison = app_commands.Group(
        name="liaison", description="Configure Liaison for this server", guild_only=True
    )

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    @liaison.command(name="setup", description="Set this server's channels, moderator role and defaults")
    @app_commands.describe(
        qa_channel="Forum or text channel where questions are posted",
        events_channel="Channel where events are announced and reminders posted",
        review_channel="Channel where moderators are told of new suggestions",
        moderator_role="Role whose members may curate and moderate",
        language="Default language of the server",
        timezone="Default time zone of the server (IANA name)",
        reminders="Default reminder offsets before events, such as 1d, 1h",
        exercises_channel="Channel where tabletop exercises open their private threads",
    )
    @app_commands.choices(language=autocomplete.LANGUAGE_CHOICES)
    @app_commands.autocomplete(timezone=autocomplete.timezones)
    @moderator_only()
    async def setup(
        self,
        interaction: discord.Interaction[Any],
        qa_channel: discord.ForumChannel | discord.TextChannel | None = None,
        events_channel: discord.TextChannel | None = None,
        review_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        language: app_commands.Choice[str] | None = None,
        timezone: str | None = None,
        reminders: str | None = None,
        exercises_channel: discord.TextChannel | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = SetupChange(
            qa_channel_id=qa_channel.id if qa_channel else None,
            events_channel_id=events_channel.id if events_channel else None,
            review_channel_id=review_channel.id if review_channel else None,
            moderator_role_id=moderator_role.id if moderator_role else None,
            language=language.value if language else None,
            timezone=timezone,
            reminders=reminders,
            exercises_channel_id=exercises_channel.id if exercises_channel else None,
        )
        async with self.bot.db.transaction() as session:
            row = await guild_settings.update(session, interaction.guild_id, interaction.user.id, change)
        reply = await reply_for(interaction)
        changed = any(value is not None for value in vars(change).values())
        embed = embeds.make_embed(
            reply.t("setup.title"), reply.t("setup.saved" if changed else "setup.nothing")
        )
        not_set = reply.t("setup.not_set")
        for key, kind, value in (
            ("qa_channel", "channel", row.qa_channel_id),
            ("events_channel", "channel", row.events_channel_id),
            ("review_channel", "channel", row.review_channel_id),
            ("moderator_role", "role", row.moderator_role_id),
            ("exercises_channel", "channel", row.exercises_channel_id),
        ):
            embeds.add_field(embed, reply.t(f"setup.field.{key}"), _mention(kind, value, not_set))
        embeds.add_field(
            embed, reply.t("setup.field.language"), row.language or self.bot.settings.liaison_locale
        )
        embeds.add_field(embed, reply.t("setup.field.timezone"), row.timezone)
        embeds.add_field(embed, reply.t("setup.field.reminders"), row.reminder_offsets)
        await reply.send(embed=embed, ephemeral=True)

    @liaison.command(name="stats", description="Figures about this server's use of Liaison")
    @moderator_only()
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.transaction() as session:
            figures = await stats.gather(session, interaction.guild_id)
        reply = await reply_for(interaction)
        embed = embeds.make_embed(reply.t("stats.title"))
        for key, value in figures.items():
            embeds.add_field(embed, reply.t(key), str(value))
        await reply.send(embed=embed, ephemeral=True)

    @liaison.command(name="audit", description="Recent moderator actions, newest first")
    @app_commands.describe(member="Only the actions of this member")
    @moderator_only()
    async def audit(
        self, interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.transaction() as session:
            lines = await audit.recent(session, interaction.guild_id, actor_id=member.id if member else None)
        reply = await reply_for(interaction)
        if not lines:
            await reply.say("audit.empty", ephemeral=True)
            return
        rendered = [
            reply.t(
                "audit.line",
                when=f"<t:{int(line.created_at.timestamp())}:f>",
                actor=f"<@{line.actor_id}>" if line.actor_id else reply.t("audit.system"),
                action=line.action,
                target=discord.utils.escape_markdown(line.target or ""),
            )
            for line in lines
        ]
        pages = [
            embeds.make_embed(reply.t("audit.title"), "\n".join(rendered[i : i + AUDIT_PER_PAGE]))
            for i in range(0, len(rendered), AUDIT_PER_PAGE)
        ]
        await send_pages(interaction, pages, reply.language, ephemeral=True)


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Admin(bot))
