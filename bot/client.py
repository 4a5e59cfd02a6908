"""The Bot subclass: owns the database, the scheduler and the clock; loads cogs; syncs on change."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, migrate
from bot.discord_endpoints import point_discord_py_at
from bot.runtime import Job, Runtime
from bot.services import bot_state, guild_settings, notices
from bot.ui import limits, respond
from bot.ui.errors import send_error
from bot.ui.respond import NO_MENTIONS

log = logging.getLogger("liaison")

EXTENSIONS = (
    "cogs.admin",
    "cogs.resources",
    "cogs.experts",
    "cogs.me",
    "cogs.events",
    "cogs.qa",
    "cogs.exercises",
    "cogs.learn",
)
SHUTDOWN_GRACE_SECONDS = 10.0
EVENT_TASK_PREFIX = "discord.py: "


def default_intents() -> discord.Intents:
    """Guilds and members (member leaves), messages with content (Q&A answers), DMs."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


class LiaisonBot(commands.Bot):
    """Liaison. Create it with settings; ``setup_hook`` opens what it owns, ``close`` closes it."""

    db: Database

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        extensions: Iterable[str] = EXTENSIONS,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
        point_discord_py_at(settings.discord_api_base, settings.discord_gateway_url)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=default_intents(),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.clock = clock or Clock()
        self.extension_names = tuple(extensions)
        self.force_sync = force_sync
        self.synced = False
        self.revision: str | None = None
        self.runtime = Runtime()
        self._closing: asyncio.Future[None] | None = None
        self._set_up: asyncio.Event | None = None
        self._created = time.monotonic()
        self.tree.on_error = send_error  # type: ignore[method-assign]

    # -- lifecycle ---------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        self._set_up = asyncio.Event()
        try:
            await self.prepare()
            if self.syncs_commands:
                self.synced = await self.sync_commands(force=self.force_sync)
        finally:
            self._set_up.set()

    @property
    def setup_started(self) -> bool:
        return self._set_up is not None

    async def setup_finished(self) -> None:
        """Returns once ``setup_hook`` is not running: a stop asked for while the database is
        being migrated or the cogs loaded waits for that to end rather than cut it in half."""
        if self._set_up is not None:
            await self._set_up.wait()

    @property
    def syncs_commands(self) -> bool:
        """Commands are global to the application: with several processes, shard 0's syncs."""
        ids = self.settings.shard_ids
        return self.force_sync or ids is None or 0 in ids

    async def prepare(self) -> None:
        """Open the database (migrated to head), start the scheduler, load the cogs."""
        self.db = Database(self.settings.database_url)
        self.revision = await migrate.upgrade(self.db.engine)
        log.info("database at revision %s", self.revision)
        self.runtime.start()
        await self.tree.set_translator(i18n.LiaisonTranslator())
        for name in self.extension_names:
            await self.load_extension(name)  # a misspelt name fails the start

    async def close(self) -> None:
        """Stop taking work, let pending writes finish, then release what the bot owns.

        Safe to call more than once (a signal and ``async with`` may both ask): every caller
        waits for the same shutdown.
        """
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._shutdown())
        await asyncio.shield(self._closing)

    async def _shutdown(self) -> None:
        await self.runtime.close(also_wait_for=event_handlers_running(), grace=SHUTDOWN_GRACE_SECONDS)
        await self.unload_cogs()
        await super().close()
        db = getattr(self, "db", None)
        if db is not None:
            await db.dispose()

    async def unload_cogs(self) -> None:
        """Run every cog's ``cog_unload`` (which stops its own tasks) before the engine goes.

        Cogs are removed, not their extensions unloaded: modules stay imported, so a bot
        started again in the same process (tests, the sandbox's restart) shares nothing stale.
        """
        for name in list(self.cogs):
            try:
                await self.remove_cog(name)
            except Exception:
                log.exception("removing cog %s failed", name)

    @property
    def scheduler(self) -> AsyncIOScheduler:
        """The runtime's one scheduler (the reminder wake-ups arm it)."""
        return self.runtime.scheduler

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
        """Background work that ``close()`` waits for (bounded): ``Runtime.spawn``."""
        return self.runtime.spawn(coro, name=name)

    def scheduled(self, work: Callable[[], Job]) -> Callable[[], Job]:
        """``work`` as a scheduler job run as tracked work: ``Runtime.job``."""
        return self.runtime.job(work)

    async def connected(self, stopped: Callable[[], bool]) -> bool:
        """Wait until the bot is connected and ready; False, at once, when ``stopped()`` says so
        first (polled: a bot killed before it was ready lets go) or the bot was prepared without
        ever logging in (tests, ``liaison sync``: no gateway)."""
        while not self.is_ready():
            if stopped():
                return False
            try:
                await asyncio.wait_for(self.wait_until_ready(), 0.5)
            except TimeoutError:
                pass
            except RuntimeError:
                return False
        return True

    async def on_ready(self) -> None:
        log.info(
            "ready as %s in %d servers, %.2f s after start",
            self.user,
            len(self.guilds),
            time.monotonic() - self._created,
        )

    # -- command sync ------------------------------------------------------------------------
    async def command_payload(self) -> list[dict[str, Any]]:
        translator = self.tree.translator or i18n.LiaisonTranslator()
        commands_ = self.tree.get_commands(type=discord.AppCommandType.chat_input)
        return [await c.get_translated_payload(self.tree, translator) for c in commands_]

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync when the definitions changed since the last sync (or when forced)."""
        payload = await self.command_payload()
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        guild_id = self.settings.liaison_dev_guild_id
        key = f"command_hash:{guild_id or 'global'}"
        # two units of work, one before and one after Discord's sync: none is held across it
        if await bot_state.get(self.db, key) == digest and not force:
            log.info("slash commands unchanged: not syncing")
            return False
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        await bot_state.put(self.db, key, digest)
        log.info("slash commands synced (%d top-level, %s)", len(payload), key)
        return True

    # -- per-interaction helpers -------------------------------------------------------------
    async def language_for(self, interaction: discord.Interaction[LiaisonBot]) -> str:
        """The member's setting, their Discord locale, the server's language, the default."""
        guild_id = interaction.guild_id
        member_choice, guild_language = await guild_settings.languages(self.db, guild_id, interaction.user.id)
        return i18n.pick_language(
            member_choice, interaction.locale, guild_language, self.settings.liaison_locale
        )

    async def on_app_command_completion(
        self, interaction: discord.Interaction[LiaisonBot], command: app_commands.Command[Any, ..., Any]
    ) -> None:
        """Hand over notices that could not be delivered by DM, ephemerally."""
        if interaction.guild_id is None or not interaction.response.is_done():
            return
        pending = await notices.take(self.db, interaction.guild_id, interaction.user.id)
        if not pending:
            return
        language = await self.language_for(interaction)
        text = "\n\n".join(i18n.t(language, key, **params) for key, params in pending)
        try:
            # respond.send: private even if a public deferral were still unanswered.
            await respond.send(interaction, text[: limits.MESSAGE], ephemeral=True)
        except discord.HTTPException:
            # keep them for next time
            await notices.leave_all(self.db, interaction.guild_id, interaction.user.id, pending)
            log.warning("could not hand over %d notices", len(pending))


def event_handlers_running() -> set[asyncio.Task[Any]]:
    """discord.py runs each event handler (commands, buttons, ``on_ready``…) in a task of its
    own, named ``discord.py: <event>``: the work in flight that a shutdown lets finish."""
    return {
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_name().startswith(EVENT_TASK_PREFIX)
    }


class ShardedLiaisonBot(LiaisonBot, commands.AutoShardedBot):
    """Liaison over several gateway shards (discord.py's ``AutoShardedBot``), for
    ``LIAISON_SHARD_COUNT``; ``LIAISON_SHARD_IDS`` picks this process's shards, so that several
    processes share the work and one database."""


def make_bot(settings: Settings, **options: Any) -> LiaisonBot:
    """The bot these settings call for: sharded when ``LIAISON_SHARD_COUNT`` is set."""
    if settings.sharded:
        return ShardedLiaisonBot(
            settings, shard_count=settings.liaison_shard_count, shard_ids=settings.shard_ids, **options
        )
    return LiaisonBot(settings, **options)
