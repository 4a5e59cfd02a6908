"""A bare discord.py bot (not Liaison) with one command per protocol feature."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator

import discord
import yarl
from discord import app_commands
from discord.ext import commands


@contextlib.contextmanager
def pointed_at(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py at the sandbox (REST base and gateway), and back afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


FRUITS = ["apple", "apricot", "banana", "cherry", "grape", "mango"]


class Form(discord.ui.Modal, title="Answer"):
    answer: discord.ui.TextInput[Form] = discord.ui.TextInput(label="Your answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"got {self.answer.value}")


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.clicks: list[str] = []

    @discord.ui.button(label="Approve", custom_id="panel:approve")
    async def approve(self, interaction: discord.Interaction, button: discord.ui.Button[Panel]) -> None:
        await interaction.response.edit_message(content="approved", view=None)

    @discord.ui.button(label="Open form", custom_id="panel:form")
    async def form(self, interaction: discord.Interaction, button: discord.ui.Button[Panel]) -> None:
        await interaction.response.send_modal(Form())

    @discord.ui.select(
        custom_id="panel:pick", options=[discord.SelectOption(label=f, value=f) for f in FRUITS[:3]]
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Panel]) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)


class Slow(discord.ui.View):
    """A button acknowledged as a deferred update, its message edited once the work is done."""

    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Work", custom_id="slow:work")
    async def work(self, interaction: discord.Interaction, button: discord.ui.Button[Slow]) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.3)
        await interaction.edit_original_response(content="worked", view=None)


class Layout(discord.ui.LayoutView):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        row: discord.ui.ActionRow[Layout] = discord.ui.ActionRow()
        go: discord.ui.Button[Layout] = discord.ui.Button(label="Go", custom_id="layout:go")
        go.callback = self.go  # type: ignore[method-assign]
        row.add_item(go)
        self.add_item(discord.ui.Container(discord.ui.TextDisplay("# Layout"), row))

    async def go(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("went", ephemeral=True)


class ProtocolBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.01, help_command=None)
        self.guild_id = guild_id
        self.seen: list[discord.Message] = []
        self.removed: list[int] = []
        self.joined: list[int] = []
        self.thread_events: list[tuple[str, int]] = []
        self.deleted: list[int] = []
        self.expect_log_errors = False
        self.command_errors: list[BaseException] = []
        self.late_delay = 0.0
        self.expect_unknown_routes = False
        self._build_commands()

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.thread_events.append(("create", thread.id))

    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        self.thread_events.append(("update", payload.thread_id))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.deleted.append(payload.message_id)

    async def on_member_join(self, member: discord.Member) -> None:
        self.joined.append(member.id)

    async def on_member_remove(self, member: discord.Member) -> None:
        self.removed.append(member.id)

    def _build_commands(self) -> None:
        tree = self.tree

        @tree.error
        async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
            self.command_errors.append(getattr(error, "original", error))

        @tree.command(description="Answers pong")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(description="Defers then follows up")
        async def slow(interaction: discord.Interaction, ephemeral: bool = False) -> None:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
            await asyncio.sleep(0.05)
            await interaction.followup.send("done")
            await interaction.followup.send("and more")

        @tree.command(description="Defers with one visibility, answers with the other")
        async def switch(interaction: discord.Interaction, ephemeral: bool = False) -> None:
            await interaction.response.defer(thinking=True, ephemeral=not ephemeral)
            await interaction.delete_original_response()
            await asyncio.sleep(0.3)  # longer than the driver's quiet period: still "thinking"
            await interaction.followup.send("switched", ephemeral=ephemeral)
            await interaction.followup.send("and more", ephemeral=ephemeral)

        @tree.command(description="A button that works a while")
        async def work(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ready", view=Slow())

        @tree.command(description="Echoes without pinging")
        async def echo(
            interaction: discord.Interaction, text: str, times: int = 1, member: discord.Member | None = None
        ) -> None:
            who = member.display_name if member else "-"
            await interaction.response.send_message(
                f"{text * times} ({who})", allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(description="Ephemeral answer")
        async def secret(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("for your eyes", ephemeral=True)

        @tree.command(description="Buttons, a select and a modal")
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("choose", view=Panel())

        @tree.command(description="Components v2")
        async def layout(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(view=Layout())

        @tree.command(description="Autocomplete")
        async def fruit(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"fruit {name}")

        @fruit.autocomplete("name")
        async def fruit_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

        @tree.command(description="Too many choices")
        async def many(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @many.autocomplete("name")
        async def many_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=str(i), value=str(i)) for i in range(30)]

        @tree.command(description="Edits its answers")
        async def edit(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("draft")
            await interaction.edit_original_response(content="final")
            original = await interaction.original_response()
            extra = await interaction.followup.send(f"original says {original.content}", wait=True)
            await extra.edit(content="edited follow-up")
            gone = await interaction.followup.send("short-lived", wait=True)
            await gone.delete()

        @tree.command(description="Posts with a nonce, twice")
        async def nonce(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            assert interaction.channel is not None
            first = await interaction.channel.send("once", nonce="liaison-1")  # type: ignore[union-attr]
            second = await interaction.channel.send("once", nonce="liaison-1")  # type: ignore[union-attr]
            await interaction.followup.send(f"{first.id == second.id}")

        @tree.command(description="Answers too late")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.late_delay)
            await interaction.response.send_message("too late?")

        @tree.command(description="Acknowledges twice")
        async def double(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one")
            interaction.response._response_type = None  # bypass discord.py's own guard
            await interaction.response.send_message("two")

        @tree.command(description="Too long")
        async def big(interaction: discord.Interaction, what: str) -> None:
            if what == "content":
                await interaction.response.send_message("x" * 2001)
            elif what == "embed":
                embeds = [discord.Embed(description="y" * 4000) for _ in range(2)]
                await interaction.response.send_message(embeds=embeds)
            else:
                await interaction.response.send_message(
                    "z", view=discord.ui.View().add_item(discord.ui.Button(label="b", custom_id="c" * 101))
                )

        @tree.command(description="Sends a file")
        async def file(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "here", file=discord.File(io.BytesIO(b"BEGIN:VCALENDAR\r\n"), "event.ics")
            )
            await interaction.followup.send(
                "and", file=discord.File(io.BytesIO(b'{"a": 1}'), "me.json"), ephemeral=True
            )

        group = app_commands.Group(name="resource", description="Resources")

        @group.command(name="search", description="Search")
        async def search(interaction: discord.Interaction, query: str) -> None:
            await interaction.response.send_message(f"searching {query}")

        tree.add_command(group)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)
