"""``/resource search|show|add|suggest|review|edit|remove|tags|glossary``: the curated library."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import i18n
from bot.client import LiaisonBot
from bot.services import labels
from bot.services import resources as service
from bot.services.resources import commands, searching, validation
from bot.services.resources.commands import Decided
from bot.services.resources.suggestions import Outcome
from bot.ui import embeds, limits, text
from bot.ui.caller import caller
from bot.ui.checks import guild_only, moderator_only
from bot.ui.pages import line_pages
from bot.ui.respond import Ack, AcknowledgeFirst, Reply, acknowledge, update
from bot.ui.views import confirm, send_pages
from cogs.resources import _notify, _render
from cogs.resources._views import ReviewView

log = logging.getLogger(__name__)
Choices = list[app_commands.Choice[str]]
WARM_JOB, WARM_MINUTES = "resource-warm", 1


class Resources(AcknowledgeFirst):
    resource = app_commands.Group(
        name="resource", description="The community's curated library of guidance and tools", guild_only=True
    )

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Keep the library's common words in memory, so that searches after a start or a change
        read only their page: now, then every minute (a key read when nothing changed)."""
        self.bot.runtime.every(WARM_JOB, self.warm, minutes=WARM_MINUTES, now=True)

    async def cog_unload(self) -> None:
        self.bot.runtime.cancel(WARM_JOB)

    async def warm(self) -> None:
        for guild in list(self.bot.guilds):
            if self.bot.runtime.stopping:
                return
            await searching.warm(self.bot.db, guild.id)

    def library_changed(self) -> None:
        """This bot changed the library: warm now, not at the next minute (the first search of a
        common word would otherwise read its postings again)."""
        self.bot.runtime.soon(WARM_JOB)

    # -- helpers -----------------------------------------------------------------------------
    async def tell_suggester(self, guild_id: int, outcome: Outcome) -> None:
        await _notify.tell_suggester(self.bot, guild_id, outcome)

    async def approve(self, interaction: discord.Interaction[LiaisonBot], suggestion_id: int) -> Decided:
        decided = await commands.approve(
            self.bot.db, _guild(interaction), interaction.user.id, suggestion_id, self.bot.clock.now()
        )
        self.library_changed()
        return decided

    async def reject(
        self, interaction: discord.Interaction[LiaisonBot], suggestion_id: int, reason: str
    ) -> Decided:
        return await commands.reject(
            self.bot.db, _guild(interaction), interaction.user.id, suggestion_id, reason, self.bot.clock.now()
        )

    # -- autocomplete ------------------------------------------------------------------------
    async def resource_autocomplete(
        self, interaction: discord.Interaction[LiaisonBot], current: str
    ) -> Choices:
        if interaction.guild_id is None:
            return []
        hits = await commands.resource_choices(self.bot.db, caller(interaction), current)
        return [
            app_commands.Choice(
                name=text.plain(f"{h.title} · {h.label}", limits.CHOICE_NAME), value=str(h.id)
            )
            for h in hits
        ]

    async def tag_autocomplete(self, interaction: discord.Interaction[LiaisonBot], current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        tags = await commands.tag_choices(self.bot.db, caller(interaction), current, limits.CHOICES)
        return [app_commands.Choice(name=text.plain(f"{t} ({n})", 100), value=t[:100]) for t, n in tags]

    async def language_autocomplete(
        self, _interaction: discord.Interaction[LiaisonBot], current: str
    ) -> Choices:
        typed = current.strip().lower()
        return [
            app_commands.Choice(name=name, value=code)
            for code, name in i18n.LANGUAGE_NAMES.items()
            if typed in code or typed in name.lower()
        ]

    async def label_autocomplete(
        self, _interaction: discord.Interaction[LiaisonBot], current: str
    ) -> Choices:
        typed = current.strip().upper()
        return [
            app_commands.Choice(name=lab.value, value=lab.value)
            for lab in labels.LABELS
            if typed in lab.value
        ]

    # -- members -----------------------------------------------------------------------------
    @resource.command(name="search", description="Search the library: words, acronyms, even misspelt")
    @app_commands.describe(
        query="Words to look for",
        tag="Only resources with this tag",
        language="Only resources in this language",
    )
    @app_commands.autocomplete(tag=tag_autocomplete, language=language_autocomplete)
    @guild_only()
    @acknowledge(Ack.PUBLIC)
    async def search(
        self,
        interaction: discord.Interaction[LiaisonBot],
        query: str,
        tag: str | None = None,
        language: str | None = None,
    ) -> None:
        tag_value = validation.tag(tag) if tag else None
        language_value = validation.language(language) if language else None
        found = await commands.search(
            self.bot.db, caller(interaction), query, tag=tag_value or None, language=language_value
        )
        result, reply = found.value, Reply(interaction, found.language)
        shown_query = result.corrected or query
        if not result.hits:
            await reply.send(reply.t("resource.search.none", query=_render.safe(query, 100)), ephemeral=True)
            return
        content = None
        if result.corrected:
            content = reply.t(
                "resource.search.did_you_mean", query=_render.safe(query, 100), corrected=result.corrected
            )
        pages = _render.result_pages(reply.t, shown_query, result.hits)
        ephemeral = labels.must_be_ephemeral(hit.label for hit in result.hits)
        await send_pages(interaction, pages, reply.language, ephemeral=ephemeral, content=content)

    @resource.command(name="show", description="Show one resource in full")
    @app_commands.describe(resource="The resource (start typing its title)")
    @app_commands.autocomplete(resource=resource_autocomplete)
    @guild_only()
    @acknowledge(Ack.PUBLIC)
    async def show(self, interaction: discord.Interaction[LiaisonBot], resource: str) -> None:
        shown = await commands.show(self.bot.db, caller(interaction), resource)
        reply = Reply(interaction, shown.language)
        embed = _render.resource_embed(reply.t, shown.value)
        await reply.send(embed=embed, ephemeral=labels.must_be_ephemeral([shown.value.label]))

    @resource.command(name="tags", description="Every tag in the library, most used first")
    @guild_only()
    @acknowledge(Ack.PUBLIC)
    async def tags(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        answer = await commands.tags(self.bot.db, caller(interaction))
        reply, found = Reply(interaction, answer.language), answer.value.found
        if not found:
            await reply.say("resource.tags.none", ephemeral=True)
            return
        lines = [f"{text.code(tag, 40)} · {count}" for tag, count in found]
        pages = line_pages(reply.t, reply.t("resource.tags.title", count=len(found)), lines)
        await send_pages(interaction, pages, reply.language, ephemeral=answer.value.restricted)

    @resource.command(name="suggest", description="Suggest a resource; moderators review it")
    @app_commands.describe(
        title="Title of the resource",
        url="Link (http or https)",
        description="What it is and why it helps",
        tags="Comma-separated tags",
        language="Language of the resource (en or fr)",
    )
    @app_commands.autocomplete(language=language_autocomplete)
    @guild_only()
    async def suggest(
        self,
        interaction: discord.Interaction[LiaisonBot],
        title: str,
        url: str,
        description: str,
        tags: str,
        language: str | None = None,
    ) -> None:
        fields = service.fields(
            title_text=title,
            url_text=url,
            description_text=description,
            tags_value=tags,
            language_text=language,
        )
        answer = await commands.suggest(self.bot.db, caller(interaction), fields)
        suggested, reply = answer.value, Reply(interaction, answer.language)
        row = suggested.suggestion
        await reply.send(
            reply.t("resource.suggested", id=row.id, title=_render.safe(row.title, 200)), ephemeral=True
        )
        await _notify.announce_suggestion(self.bot, _guild(interaction), suggested)

    # -- moderators --------------------------------------------------------------------------
    @resource.command(name="add", description="Add a resource to the library")
    @app_commands.describe(
        title="Title of the resource",
        url="Link (http or https)",
        description="What it is and why it helps",
        tags="Comma-separated tags",
        language="Language of the resource (en or fr)",
        label="Sharing label: TLP:CLEAR, TLP:GREEN (default), TLP:AMBER, TLP:AMBER+STRICT",
    )
    @app_commands.autocomplete(language=language_autocomplete, label=label_autocomplete)
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[LiaisonBot],
        title: str,
        url: str,
        description: str,
        tags: str,
        language: str | None = None,
        label: str | None = None,
    ) -> None:
        fields = service.fields(
            title_text=title,
            url_text=url,
            description_text=description,
            tags_value=tags,
            language_text=language,
            label_text=label,
        )
        added = await commands.add(self.bot.db, caller(interaction), fields)
        self.library_changed()
        row, reply = added.value, Reply(interaction, added.language)
        await reply.send(
            reply.t("resource.added", id=row.id, title=_render.safe(row.title, 200), label=row.label),
            ephemeral=labels.must_be_ephemeral([row.label]),
        )

    @resource.command(name="edit", description="Change a resource; what you leave out stays as it is")
    @app_commands.describe(
        resource="The resource (start typing its title)",
        title="New title",
        url="New link",
        description="New description",
        tags="New comma-separated tags (replace the old)",
        language="New language (en or fr)",
        label="New sharing label",
    )
    @app_commands.autocomplete(
        resource=resource_autocomplete, language=language_autocomplete, label=label_autocomplete
    )
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[LiaisonBot],
        resource: str,
        title: str | None = None,
        url: str | None = None,
        description: str | None = None,
        tags: str | None = None,
        language: str | None = None,
        label: str | None = None,
    ) -> None:
        change = service.Edit(
            title=title, url=url, description=description, tags=tags, language=language, label=label
        )
        edited = await commands.edit(self.bot.db, caller(interaction), resource, change)
        self.library_changed()
        row, changed, reply = edited.value.entry, edited.value.changed, Reply(interaction, edited.language)
        key = "resource.edited" if changed else "resource.verified"
        await reply.send(
            reply.t(key, id=row.id, title=_render.safe(row.title, 200), fields=", ".join(changed)),
            ephemeral=True,
        )

    @resource.command(name="remove", description="Remove a resource from the library")
    @app_commands.describe(resource="The resource (start typing its title)")
    @app_commands.autocomplete(resource=resource_autocomplete)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[LiaisonBot], resource: str) -> None:
        found = await commands.find(self.bot.db, caller(interaction), resource)
        row, reply = found.value, Reply(interaction, found.language)
        title = _render.safe(row.title, 200)
        confirmed, answer = await confirm(
            interaction, reply.t("resource.remove.confirm", id=row.id, title=title), reply.language
        )
        if not confirmed or answer is None:
            return
        # a second transaction: the member confirms in between (no transaction held across a prompt)
        await service.remove(self.bot.db, _guild(interaction), interaction.user.id, row.id)
        self.library_changed()
        await update(answer, content=reply.t("resource.removed", id=row.id, title=title), view=None)

    @resource.command(name="review", description="Review members' suggestions: approve or reject")
    @moderator_only()
    async def review(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        queue = await commands.review(self.bot.db, caller(interaction))
        reply = Reply(interaction, queue.language)
        view = ReviewView(self, interaction.user.id, reply.language, _guild(interaction))
        content, embed = view.show(queue.value)
        if embed is None:
            await reply.send(content, ephemeral=True)
            return
        view.message = await reply.send(embed=embed, view=view, ephemeral=True) or (
            await interaction.original_response()
        )

    @resource.command(name="glossary", description="Show or edit the acronyms and term pairs search expands")
    @app_commands.describe(
        term="An acronym such as RIID, or a term such as orphan source",
        expansions="What it stands for or its translations, comma-separated (en, fr)",
        remove="Remove this acronym or term from the server's glossary",
    )
    @moderator_only()
    async def glossary_command(
        self,
        interaction: discord.Interaction[LiaisonBot],
        term: str | None = None,
        expansions: str | None = None,
        remove: bool = False,
    ) -> None:
        page = await commands.edit_glossary(
            self.bot.db, caller(interaction), term=term, expansions=expansions, remove=remove
        )
        changed, entries = page.value.changed, page.value.entries
        reply = Reply(interaction, page.language)
        lines = [
            f"**{_render.safe(name, 100)}**: {_render.safe(', '.join(values), 900)}"
            for name, values in entries.items()
        ]
        head = next((line for name, line in zip(entries, lines, strict=True) if name == changed), None)
        pages = [
            embeds.make_embed(reply.t("resource.glossary.title"), "\n".join(chunk))
            for chunk in _render.chunked(lines, limit=3500, most=20)
        ] or [embeds.make_embed(reply.t("resource.glossary.title"))]
        await send_pages(interaction, pages, reply.language, ephemeral=True, content=head)


def _guild(interaction: discord.Interaction[LiaisonBot]) -> int:
    assert interaction.guild_id is not None
    return interaction.guild_id
