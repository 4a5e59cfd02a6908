"""``/liaison setup|check|stats|audit``: the server's settings and the moderators' view of the bot."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import i18n
from bot.client import LiaisonBot
from bot.services import audit, guild_settings, server_setup, stats
from bot.services.guild_settings import ServerSettings, SetupChange
from bot.ui import autocomplete, bot_permissions, embeds, text
from bot.ui import verified_role as roles
from bot.ui.checks import MODERATOR_DEFAULT_PERMISSIONS, moderator_only
from bot.ui.pages import line_pages
from bot.ui.respond import AcknowledgeFirst, reply_for
from bot.ui.views import send_pages


def _mention(kind: str, value: int | None, not_set: str) -> str:
    if value is None:
        return not_set
    return f"<#{value}>" if kind == "channel" else f"<@&{value}>"


def _access_notes(
    guild: discord.Guild, role_id: int | None, channel_id: int | None
) -> list[tuple[str, dict[str, str]]]:
    """The restricted channel hidden from the verified role: verified members would not see
    TLP:AMBER questions there (said, not refused: a moderator may fix the channel next). What
    Liaison itself lacks there, and the role order, are in the permission report below."""
    channel = guild.get_channel(channel_id) if channel_id else None
    role = guild.get_role(role_id) if role_id else None
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel) or role is None:
        return []
    if channel.permissions_for(role).view_channel:
        return []
    return [("setup.restricted_hidden", {"channel": channel.mention, "role": role.mention})]


class Admin(AcknowledgeFirst):
    liaison = app_commands.Group(
        name="liaison",
        description="Configure Liaison for this server",
        guild_only=True,
        # every subcommand is for moderators: hidden from other members' menus until the
        # server's admins choose otherwise (each subcommand still checks)
        default_permissions=MODERATOR_DEFAULT_PERMISSIONS,
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
        verified_role="Role Liaison gives verified members (and takes back when verification ends)",
        restricted_channel="Text or forum channel for TLP:AMBER questions; @everyone must not see it",
        exercises_channel="Channel where tabletop exercises open their private threads",
    )
    @app_commands.choices(language=autocomplete.LANGUAGE_CHOICES)
    @app_commands.autocomplete(timezone=autocomplete.timezones)
    @moderator_only()
    async def setup(
        self,
        interaction: discord.Interaction[LiaisonBot],
        qa_channel: discord.ForumChannel | discord.TextChannel | None = None,
        events_channel: discord.TextChannel | None = None,
        review_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        language: app_commands.Choice[str] | None = None,
        timezone: str | None = None,
        reminders: str | None = None,
        verified_role: discord.Role | None = None,
        restricted_channel: discord.TextChannel | discord.ForumChannel | None = None,
        exercises_channel: discord.TextChannel | None = None,
    ) -> None:
        assert interaction.guild is not None and interaction.guild_id is not None
        everyone = interaction.guild.default_role
        change = SetupChange(
            qa_channel_id=qa_channel.id if qa_channel else None,
            events_channel_id=events_channel.id if events_channel else None,
            review_channel_id=review_channel.id if review_channel else None,
            moderator_role_id=moderator_role.id if moderator_role else None,
            language=language.value if language else None,
            timezone=timezone,
            reminders=reminders,
            verified_role_id=verified_role.id if verified_role else None,
            restricted_channel_id=restricted_channel.id if restricted_channel else None,
            restricted_channel_public=bool(
                restricted_channel and restricted_channel.permissions_for(everyone).view_channel
            ),
            exercises_channel_id=exercises_channel.id if exercises_channel else None,
        )
        now = self.bot.clock.now()
        saved = await server_setup.apply(
            self.bot.db, interaction.guild_id, interaction.user.id, change, now=now
        )
        row, previous = saved.settings, saved.previous_verified_role_id
        role_refused = False
        for user_id in saved.verified_members:  # a newly chosen role moves to the members already verified
            outcomes = [await roles.give(self.bot, interaction.guild_id, user_id, change.verified_role_id)]
            if previous is not None:
                outcomes.append(await roles.take(self.bot, interaction.guild_id, user_id, previous))
            role_refused |= roles.RoleOutcome.NO_PERMISSION in outcomes
        reply = await reply_for(interaction)
        notes = _access_notes(interaction.guild, row.verified_role_id, row.restricted_channel_id)
        if role_refused:
            notes.insert(0, ("expert.role.no_permission", {}))
        embed = embeds.make_embed(
            reply.t("setup.title"), reply.t("setup.nothing" if change.empty else "setup.saved")
        )
        not_set = reply.t("setup.not_set")
        for key, kind, value in (
            ("qa_channel", "channel", row.qa_channel_id),
            ("events_channel", "channel", row.events_channel_id),
            ("review_channel", "channel", row.review_channel_id),
            ("moderator_role", "role", row.moderator_role_id),
            ("verified_role", "role", row.verified_role_id),
            ("restricted_channel", "channel", row.restricted_channel_id),
            ("exercises_channel", "channel", row.exercises_channel_id),
        ):
            embeds.add_field(embed, reply.t(f"setup.field.{key}"), _mention(kind, value, not_set))
        embeds.add_field(
            embed, reply.t("setup.field.language"), row.language or self.bot.settings.liaison_locale
        )
        embeds.add_field(embed, reply.t("setup.field.timezone"), row.timezone)
        embeds.add_field(embed, reply.t("setup.field.reminders"), row.reminder_offsets)
        text = "\n".join(reply.t(key, **params) for key, params in notes) or None
        checked = await self._permissions(interaction.guild, row, reply.language)
        await reply.send(text, embeds=[embed, checked], ephemeral=True)

    @liaison.command(
        name="check",
        description="What Liaison may not do where it is configured (its permissions, role order)",
    )
    @moderator_only()
    async def check(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild is not None
        row = await guild_settings.current(self.bot.db, interaction.guild.id)
        reply = await reply_for(interaction)
        await reply.send(
            embed=await self._permissions(interaction.guild, row, reply.language), ephemeral=True
        )

    async def _permissions(
        self, guild: discord.Guild, settings: ServerSettings, language: str
    ) -> discord.Embed:
        """Each permission Liaison lacks in each configured channel, and role-order problems,
        with what to change (permissions found back are forgotten, to be told again if lost)."""
        report = bot_permissions.inspect(guild, settings)
        # a unit of work of its own: what Liaison has is read from Discord's state after the save
        await bot_permissions.forget_fixed(self.bot, guild.id, report)
        lines = bot_permissions.render(language, guild, report)
        if report.healthy:
            title, colour = i18n.t(language, "perms.check.healthy_title"), embeds.OK
        else:
            title, colour = i18n.t(language, "perms.check.title"), embeds.WARN
        return embeds.make_embed(title, "\n\n".join(lines), colour=colour)

    @liaison.command(name="stats", description="Figures about this server's use of Liaison")
    @moderator_only()
    async def stats(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild_id is not None
        figures = await stats.gather(self.bot.db, interaction.guild_id)
        reply = await reply_for(interaction)
        embed = embeds.make_embed(reply.t("stats.title"))
        for key, value in figures.items():
            embeds.add_field(embed, reply.t(key), str(value))
        await reply.send(embed=embed, ephemeral=True)

    @liaison.command(name="audit", description="Recent moderator actions, newest first")
    @app_commands.describe(member="Only the actions of this member")
    @moderator_only()
    async def audit(
        self, interaction: discord.Interaction[LiaisonBot], member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        lines = await audit.recent(self.bot.db, interaction.guild_id, actor_id=member.id if member else None)
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
                target=text.shown(line.target, 300, one_line=True),
            )
            for line in lines
        ]
        pages = line_pages(reply.t, reply.t("audit.title"), rendered)
        await send_pages(interaction, pages, reply.language, ephemeral=True)


async def setup(bot: LiaisonBot) -> None:
    await bot.add_cog(Admin(bot))
