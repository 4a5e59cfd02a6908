"""The real Liaison bot connected to a sandbox: used by the console and the end-to-end tests.

The bot is the unmodified ``LiaisonBot``; only its settings point it at the sandbox
(``DISCORD_API_BASE`` and ``DISCORD_GATEWAY_URL``), the same way an operator could.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from bot.client import LiaisonBot, event_handlers_running
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.sandbox.driver import Sandbox
from bot.services import guild_settings
from bot.services.guild_settings import SetupChange

# A well-formed token for `liaison run` against the sandbox (which accepts any).
SANDBOX_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789AB"
CLOCK_EVENT_TASK = "discord.py: on_clock_advanced"
CHECKOUT = Path(__file__).resolve().parents[2]


def process_environment(sandbox: Sandbox, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `liaison run` process pointed at ``sandbox``: this process's, without
    Liaison's own settings, plus the sandbox's URLs, a token, the database and ``settings``
    (``LIAISON_SHARD_COUNT="3"``…)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "LIAISON_"))}
    return base | {
        "DISCORD_TOKEN": SANDBOX_TOKEN,
        "DATABASE_URL": database_url,
        "DISCORD_API_BASE": sandbox.api_base,
        "DISCORD_GATEWAY_URL": sandbox.gateway_url,
        **settings,
    }


async def spawn_liaison(
    sandbox: Sandbox, database_url: str, *, stdout: Any = None, stderr: Any = None, **settings: str
) -> asyncio.subprocess.Process:
    """``python -m bot run`` in a process of its own, pointed at ``sandbox`` (as an operator
    would start it), from this checkout."""
    env = process_environment(sandbox, database_url, PYTHONPATH=str(CHECKOUT), **settings)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=CHECKOUT, stdout=stdout, stderr=stderr
    )


# discord.py's names for the tasks running an interaction's handler: a command, a view's item, a
# dynamic item, a modal
HANDLER_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
)


def _waits_for_a_member(task: asyncio.Task[Any]) -> bool:
    """The handler is parked in a view's or a modal's ``wait`` (a confirmation's buttons)."""
    coro: Any = task.get_coro()
    while coro is not None:
        code = getattr(coro, "cr_code", None)
        if (
            code is not None
            and code.co_name == "wait"
            and "discord/ui/" in code.co_filename.replace("\\", "/")
        ):
            return True
        coro = getattr(coro, "cr_await", None)
    return False


class LiaisonSandbox(Sandbox):
    """A sandbox with Liaison connected to it, which can be stopped, restarted and time-shifted."""

    bot: LiaisonBot | None = None
    settings: Settings
    _task: asyncio.Task[None] | None = None

    def bot_settings(self, database_url: str, **overrides: Any) -> Settings:
        return load_settings(
            env_file=None,
            database_url=database_url,
            discord_api_base=self.api_base,
            discord_gateway_url=self.gateway_url,
            **overrides,
        )

    async def start_bot(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> LiaisonBot:
        """Start Liaison and return once it is ready (connected, guilds received)."""
        if settings is not None:
            self.settings = settings
        previous = self.bot.clock if self.bot is not None else None
        bot = LiaisonBot(self.settings, clock=clock or previous, guild_ready_timeout=0.05)
        self.bot = bot
        self._task = asyncio.create_task(bot.start(self.world.token), name="liaison-bot")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._task}, timeout=timeout, return_when="FIRST_COMPLETED")
        if ready not in done:
            ready.cancel()
            if self._task in done:
                self._task.result()  # raise the reason the bot stopped
            raise TimeoutError("Liaison did not become ready in the sandbox")
        return bot

    async def stop_bot(self) -> None:
        """A clean shutdown, as on SIGTERM."""
        if self.bot is None:
            return
        await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, 10)
        self._task = None

    async def kill_bot(self) -> None:
        """An abrupt stop, as close as one process can get to SIGKILL: no cleanup runs."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.bot is not None:
            keep_alive = getattr(getattr(self.bot, "ws", None), "_keep_alive", None)
            if keep_alive is not None:  # its thread would outlive the killed process's loop
                keep_alive.stop()
            scheduler = getattr(self.bot, "scheduler", None)
            if scheduler is not None and scheduler.running:
                scheduler.shutdown(wait=False)
            with contextlib.suppress(Exception):
                await self.bot.http.close()
            db = getattr(self.bot, "db", None)
            if db is not None:
                await db.dispose()
        self._task = None

    async def quiet(self, period: float | None = None, *, deadline: float | None = None) -> None:
        """No request for ``period`` seconds *and* no event listener of the bot still running:
        a listener may only write to the database (a member leaving hides their profile), which
        no request would show; on a slower database it may still be running after the quiet.
        Nor a command, button or modal still at work, nor background work it spawned: on a loaded
        machine its database work can outlast the quiet (a confirmed erasure edits its prompt only
        once done)."""
        await super().quiet(period, deadline=deadline)
        await self._events_received()
        for _ in range(20):
            listeners = event_handlers_running() - {asyncio.current_task()}
            if not listeners:
                break
            await asyncio.wait(listeners, timeout=5.0)
            await super().quiet(period, deadline=deadline)
        if await self._handlers_done(deadline or time.monotonic() + 5.0):
            await super().quiet(period, deadline=deadline)

    async def _handlers_done(self, deadline: float) -> bool:
        """Wait until no interaction's handler is at work (one waiting for a member's click is not
        at work) nor the background work they spawned (notices to attendees…); True when one was."""
        waited = False
        while time.monotonic() < deadline:
            at_work = [
                task
                for task in asyncio.all_tasks()
                if not task.done()
                and task.get_name().startswith(HANDLER_TASKS)
                and not _waits_for_a_member(task)
            ]
            if self.bot is not None:
                at_work += self.bot.runtime.in_flight() - {asyncio.current_task()}
            if not at_work:
                return waited
            waited = True
            await asyncio.sleep(0.005)
        return waited

    async def _events_received(self) -> None:
        """Wait until the bot has read every gateway event queued for it (its sequence number
        caught up with its session's): an event still in the socket has started no listener."""
        ws = getattr(self.bot, "ws", None)
        sessions = self.server.gateway.live_sessions
        if ws is None or len(sessions) != 1:
            return
        session = sessions[0]
        with contextlib.suppress(TimeoutError):
            await self.wait_for(lambda: (ws.sequence or 0) >= session.seq, timeout=5.0)
        await asyncio.sleep(0)  # let the listeners of the last event start

    async def restart_bot(self, *, kill: bool = False) -> LiaisonBot:
        await (self.kill_bot() if kill else self.stop_bot())
        return await self.start_bot()

    async def recovered(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until the bot's delivery runners (reminders, injects) have settled what fell due
        while it was down, then until it is quiet: all that a start sends has been sent (a
        positive barrier before asserting that nothing was sent twice)."""
        assert self.bot is not None
        runners: list[Any] = [getattr(cog, "runner", None) for cog in self.bot.cogs.values()]
        recovering = [r for r in runners if hasattr(r, "recovered")]
        assert recovering, "no delivery runner to wait for: the barrier would prove nothing"
        await self.wait_for(lambda: all(r.recovered for r in recovering), timeout=timeout)
        await self.quiet()

    async def advance(self, delta: timedelta) -> None:
        """Move the bot's clock forward and let every feature run what became due."""
        assert self.bot is not None
        self.bot.clock.advance(delta)
        self.bot.dispatch("clock_advanced")
        await asyncio.sleep(0)
        running = [t for t in asyncio.all_tasks() if t.get_name() == CLOCK_EVENT_TASK]
        if running:
            await asyncio.wait(running, timeout=10)
        await self.quiet()

    async def configure(self, **change: Any) -> None:
        """Write server settings as ``/liaison setup`` would (ids or sandbox objects)."""
        assert self.bot is not None and self.guild is not None
        values = {key: getattr(value, "id", value) for key, value in change.items()}
        async with self.bot.db.transaction() as session:
            await guild_settings.update(session, self.guild.id, self.users.owner.id, SetupChange(**values))

    async def close(self) -> None:
        await self.stop_bot()
        await super().close()


async def start_liaison_sandbox(
    database_url: str,
    *,
    configure: bool = True,
    body_check: Callable[[str, str, Any], list[str]] | None = None,
    **overrides: Any,
) -> LiaisonSandbox:
    """A seeded sandbox with Liaison connected and (by default) the server set up;
    ``body_check`` checks every request body from the first one (see ``SandboxServer``)."""
    sandbox = cast(LiaisonSandbox, await LiaisonSandbox.start())
    sandbox.server.body_check = body_check
    try:
        await sandbox.start_bot(sandbox.bot_settings(database_url, **overrides))
        if configure:
            await sandbox.configure(
                moderator_role_id=sandbox.roles.moderators,
                qa_channel_id=sandbox.channels.qa,
                events_channel_id=sandbox.channels.events,
                review_channel_id=sandbox.channels.review,
            )
    except BaseException:
        await sandbox.close()
        raise
    return sandbox
