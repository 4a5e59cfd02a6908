"""``/expert register|update|profile|find|verify|leave``: the directory, always answered ephemerally."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LiaisonBot
from bot.errors import LiaisonError
from bot.services import directory, experts
from bot.services.experts import ProfileInput
from bot.timeutil import discord_timestamp
from bot.ui import embeds, verified_role
from bot.ui.caller import caller
from bot.ui.checks import guild_only, moderator_only
from bot.ui.errors import message_for
from bot.ui.respond import AcknowledgeFirst, reply_for, update
from bot.ui.views import confirm, send_pages
from cogs.experts import _complete, _render
from cogs.experts._sweep import Sweeper

SWEEP_JOB = "experts.sweep"
SWEEP_MINUTES = 5
CONSENT_TIMEOUT = 180.0
VISIBILITY_CHOICES = [
    app_commands.Choice(name="Members", value="members"),
    app_commands.Choice(name="Verified members only", value="verified"),
]
OPTIONS = {
    "agency": "Your agency or organisation",
    "country": "Country of your agency (name or ISO code)",
    "expertise": "Your areas of expertise, comma-separated",
    "languages": "Languages you work in, comma-separated (codes or names)",
    "timezone": "Your time zone (IANA name such as Asia/Phnom_Penh)",
    "bio": "A short introduction (500 characters at most)",
    "visibility": "Who may see your profile",
}
AUTOCOMPLETE = {
    "country": _complete.country,
    "expertise": _complete.expertise,
    "languages": _complete.languages,
    "timezone": _complete.timezone,
}


def _choice(value: app_commands.Choice[str] | None) -> str | None:
    return value.value if value is not None else None


def _with_role_outcome(t: Any, text: str, outcome: verified_role.RoleOutcome) -> str:
    """A moderator is told when Discord refused Liaison the role change."""
    if outcome is verified_role.RoleOutcome.NO_PERMISSION:
        return f"{text}\n{t('expert.role.no_permission')}"
    return text


class Experts(AcknowledgeFirst):
    expert = app_commands.Group(
        name="expert", description="The directory of practitioners, with their consent", guild_only=True
    )

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self.sweeper = Sweeper(bot)

    async def cog_load(self) -> None:
        """Wake every few minutes, and once right away for what came due while the bot was down."""
        self.bot.runtime.every(SWEEP_JOB, self.sweeper.run, minutes=SWEEP_MINUTES, now=True)

    async def cog_unload(self) -> None:
        self.bot.runtime.cancel(SWEEP_JOB)

    # -- own profile ------------------------------------------------------------------------
    @expert.command(name="register", description="Add yourself to the expert directory (opt-in)")
    @app_commands.describe(**OPTIONS)
    @app_commands.choices(visibility=VISIBILITY_CHOICES)
    @app_commands.autocomplete(**AUTOCOMPLETE)
    @guild_only()
    async def register(
        self,
        interaction: discord.Interaction[LiaisonBot],
        agency: str,
        country: str,
        expertise: str,
        languages: str,
        timezone: str | None = None,
        bio: str | None = None,
        visibility: app_commands.Choice[str] | None = None,
    ) -> None:
        """Validate, show what the member consents to, then create the profile once they agree."""
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        data = ProfileInput(agency, country, expertise, languages, timezone, bio, _choice(visibility))
        await experts.check_registration(self.bot.db, guild_id, user_id, data)
        reply = await reply_for(interaction)
        consent = reply.t("expert.consent.text")
        prompt = reply.t("expert.consent.prompt", text=consent)
        agreed, answer = await confirm(interaction, prompt, reply.language, timeout=CONSENT_TIMEOUT)
        if not agreed or answer is None:
            return
        now = self.bot.clock.now()
        try:
            # a second unit of work: the member confirms in between (no transaction held across a prompt)
            card = await experts.register(self.bot.db, guild_id, user_id, data, consent_text=consent, now=now)
        except LiaisonError as error:  # e.g. registered meanwhile from another prompt
            await update(answer, content=message_for(error, reply.language)[0], view=None)
            return
        embed = _render.profile_embed(reply, card, now)
        await update(answer, content=reply.t("expert.registered"), embed=embed, view=None)

    @expert.command(name="update", description="Change your expert profile")
    @app_commands.describe(**OPTIONS)
    @app_commands.choices(visibility=VISIBILITY_CHOICES)
    @app_commands.autocomplete(**AUTOCOMPLETE)
    @guild_only()
    async def update(
        self,
        interaction: discord.Interaction[LiaisonBot],
        agency: str | None = None,
        country: str | None = None,
        expertise: str | None = None,
        languages: str | None = None,
        timezone: str | None = None,
        bio: str | None = None,
        visibility: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        data = ProfileInput(agency, country, expertise, languages, timezone, bio, _choice(visibility))
        now = self.bot.clock.now()
        result = await experts.update_profile(
            self.bot.db, interaction.guild_id, interaction.user.id, data, now=now
        )
        reply = await reply_for(interaction)
        changed = any(value is not None for value in vars(data).values())
        text = reply.t("expert.updated" if changed else "expert.update.nothing")
        if result.verification_ended:
            await verified_role.take(self.bot, interaction.guild_id, interaction.user.id)
            self.bot.dispatch("verification_ended", interaction.guild_id, interaction.user.id)
            text = f"{text}\n{reply.t('expert.update.verification_ended')}"
        await reply.send(text, embed=_render.profile_embed(reply, result.card, now), ephemeral=True)

    @expert.command(name="leave", description="Remove your expert profile")
    @guild_only()
    async def leave(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        await experts.show(
            self.bot.db, guild_id, user_id, viewer_id=user_id, viewer_verified=True, now=self.bot.clock.now()
        )
        reply = await reply_for(interaction)
        agreed, answer = await confirm(interaction, reply.t("expert.leave.confirm"), reply.language)
        if not agreed or answer is None:
            return
        try:
            # a second unit of work: the member confirms in between (no transaction held across a prompt)
            await experts.leave(self.bot.db, guild_id, user_id)
        except LiaisonError as error:  # e.g. removed meanwhile from another prompt
            await update(answer, content=message_for(error, reply.language)[0], view=None)
            return
        await verified_role.take(self.bot, guild_id, user_id)
        self.bot.dispatch("verification_ended", guild_id, user_id)
        await update(answer, content=reply.t("expert.leave.done"), view=None)

    # -- the directory ----------------------------------------------------------------------
    @expert.command(name="profile", description="Show an expert profile (yours by default)")
    @app_commands.describe(member="Whose profile to show")
    @guild_only()
    async def profile(
        self, interaction: discord.Interaction[LiaisonBot], member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        asking = caller(interaction)  # moderators count as verified for what they may see
        now = asking.now
        card = await directory.profile(self.bot.db, asking, target.id)
        reply = await reply_for(interaction)
        await reply.send(embed=_render.profile_embed(reply, card, now), ephemeral=True)

    @expert.command(name="find", description="Find experts by expertise, country, language or agency")
    @app_commands.describe(
        expertise="Areas of expertise, comma-separated (any of them)",
        country="Country (name or ISO code)",
        language="A language they work in",
        agency="Part of the agency's name",
    )
    @app_commands.autocomplete(
        expertise=_complete.expertise, country=_complete.country, language=_complete.languages
    )
    @guild_only()
    async def find(
        self,
        interaction: discord.Interaction[LiaisonBot],
        expertise: str | None = None,
        country: str | None = None,
        language: str | None = None,
        agency: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        asking = caller(interaction)  # moderators count as verified for what they may see
        now = asking.now
        page = await directory.find(
            self.bot.db,
            asking,
            expertise=expertise,
            country=country,
            language=language,
            agency=agency,
            limit=_render.MAX_SHOWN,
        )
        reply = await reply_for(interaction)
        if not page.experts:
            await reply.say("expert.find.none", ephemeral=True)
            return
        await send_pages(interaction, _render.find_pages(reply, page, now), reply.language, ephemeral=True)

    @expert.command(name="verify", description="Verify a member's affiliation for some months")
    @app_commands.describe(member="The member whose affiliation you checked", months="How long (default 12)")
    @moderator_only()
    async def verify(
        self,
        interaction: discord.Interaction[LiaisonBot],
        member: discord.Member,
        months: app_commands.Range[int, 1, 60] = experts.DEFAULT_MONTHS,
    ) -> None:
        assert interaction.guild_id is not None
        until = await experts.verify(
            self.bot.db,
            interaction.guild_id,
            interaction.user.id,
            member.id,
            now=self.bot.clock.now(),
            months=months,
        )
        # the role once the verification is committed: Discord is asked outside any transaction
        outcome = await verified_role.give(self.bot, interaction.guild_id, member.id)
        reply = await reply_for(interaction)
        text = reply.t("expert.verify.done", member=member.mention, date=discord_timestamp(until, "D"))
        await reply.send(_with_role_outcome(reply.t, text, outcome), ephemeral=True)

    @expert.command(name="revoke", description="End a member's verification now")
    @app_commands.describe(member="The member whose verification ends")
    @moderator_only()
    async def revoke(self, interaction: discord.Interaction[LiaisonBot], member: discord.Member) -> None:
        assert interaction.guild_id is not None
        await experts.revoke(
            self.bot.db, interaction.guild_id, interaction.user.id, member.id, now=self.bot.clock.now()
        )
        # the role once the revocation is committed: Discord is asked outside any transaction
        outcome = await verified_role.take(self.bot, interaction.guild_id, member.id)
        self.bot.dispatch("verification_ended", interaction.guild_id, member.id)
        reply = await reply_for(interaction)
        text = reply.t("expert.revoke.done", member=member.mention)
        await reply.send(_with_role_outcome(reply.t, text, outcome), ephemeral=True)

    @expert.command(name="areas", description="Shape this server's list of expertise areas")
    @app_commands.describe(
        add_areas="Areas to add to the list, comma-separated",
        remove_areas="Areas to take off the list, comma-separated",
    )
    @app_commands.autocomplete(remove_areas=_complete.expertise)
    @moderator_only()
    async def areas(
        self,
        interaction: discord.Interaction[LiaisonBot],
        add_areas: str | None = None,
        remove_areas: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        listed = await experts.curate_areas(
            self.bot.db, interaction.guild_id, interaction.user.id, add=add_areas, remove=remove_areas
        )
        reply = await reply_for(interaction)
        changed = bool(add_areas or remove_areas)
        body = "\n".join(f"• {_render.safe(label)}" for label in listed) or reply.t("common.none")
        embed = embeds.make_embed(reply.t("expert.areas.title"), body)
        await reply.send(
            reply.t("expert.areas.saved" if changed else "expert.areas.current"), embed=embed, ephemeral=True
        )

    # -- members coming and going, due work ------------------------------------------------
    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Raw: fires even for members not in the cache. Hides the profile at once and ends its
        verification (Discord drops the member's roles itself)."""
        await experts.member_left(self.bot.db, payload.guild_id, payload.user.id, self.bot.clock.now())

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await experts.member_returned(self.bot.db, member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_member_erased(self, guild_id: int, user_id: int) -> None:
        """``/me delete`` erased the profile: its verification, and so the role, end with it."""
        await verified_role.take(self.bot, guild_id, user_id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Build the server's search index now rather than on the first ``/expert find``."""
        await experts.prepare(self.bot.db, guild.id)

    @commands.Cog.listener()
    async def on_clock_advanced(self) -> None:
        await self.sweeper.run()
