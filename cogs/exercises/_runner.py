"""The inject runner: the delivery engine, woken by the bot's one scheduler (``bot.delivery``'s
``Wakeups``, with a job of its own), rebuilt from the database at start, recovered once connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import Stopped, claim_options
from bot.services.exercises.delivery import InjectEngine, Outgoing, PassReport
from bot.services.exercises.wakeups import InjectWakeups
from bot.ui import messenger
from cogs.exercises._render import inject_message
from cogs.exercises._views import DecisionButton

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.exercises")
JOB_ID = "liaison-exercises-wakeup"
POLL_JOB_ID = "liaison-exercises-poll"


class InjectSender:
    """Posts an inject in its thread with its nonce (discord.py enforces it: a repeat after a
    crash returns the message already posted); team threads get the "log decision" button."""

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot

    async def send(self, message: Outgoing) -> int | None:
        channel = self.bot.get_partial_messageable(message.channel_id, guild_id=message.guild_id)
        content = inject_message(message)
        extra: dict[str, Any] = {}
        if message.team is not None:  # a team's thread: the "log decision" button
            extra["view"] = DecisionButton.persistent_view(message.inject_id, message.language)
        mentions = discord.AllowedMentions.none()
        with messenger.delivery_outcomes(dm=False):
            sent = await channel.send(content, nonce=message.nonce, allowed_mentions=mentions, **extra)
        return sent.id


class InjectRunner:
    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        options = claim_options(bot.settings)
        self.engine = InjectEngine(
            bot.db,
            InjectSender(bot),
            stopped=self._stopped,
            now=bot.clock.now,
            shared=bool(options.get("shared", False)),
            **({"stale_claim": options["stale_claim"]} if "stale_claim" in options else {}),
        )
        self.wakeups = InjectWakeups(getattr(bot, "scheduler", None), bot.clock, self.run, job_id=JOB_ID)
        self._recovered = asyncio.Event()
        self._recovery: asyncio.Task[None] | None = None

    def _stopped(self) -> bool:
        return self.bot.is_closed() or self.wakeups.stopped

    @property
    def recovered(self) -> bool:
        """Whether what fell due while the bot was down has been settled (sent late or skipped)."""
        return self._recovered.is_set()

    async def start(self) -> None:
        await self.wakeups.load(self.bot.db)
        if self.engine.shared:
            self.wakeups.poll(self.engine.stale_claim / 3, self._poll, POLL_JOB_ID)
        self._recovery = asyncio.create_task(self._recover(), name="exercises-recover")

    async def _poll(self) -> None:
        if self._recovered.is_set() and not self.wakeups.stopped:
            self.wakeups.track(
                asyncio.get_running_loop().create_task(self._quiet_run(), name="exercises-poll")
            )

    async def _quiet_run(self) -> None:
        with contextlib.suppress(Stopped):
            await self.run()

    async def _recover(self) -> None:
        if not await self.bot.connected(self._stopped):
            return
        while not self._stopped():
            try:
                report = await self.engine.recover(self.bot.clock.now())
            except Stopped:
                return
            except Exception:
                if self._stopped():
                    return
                log.exception("inject recovery failed; trying again in 5 s")
                await asyncio.sleep(5)
                continue
            if report.sent:
                log.info("injects recovered at start: %d sent (%d late)", report.sent, report.late)
            self._recovered.set()
            self._rearm(report.next_due)
            return

    async def run(self) -> PassReport:
        while not self._recovered.is_set():
            if self._stopped():
                raise Stopped()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recovered.wait(), 0.25)
        report = await self.engine.run_due(self.bot.clock.now())
        self._rearm(report.next_due)
        return report

    def _rearm(self, soonest: datetime | None) -> None:
        if soonest is not None:
            self.wakeups.add([soonest])
        self.wakeups.rearm()

    def notify(self, moments: Iterable[datetime]) -> None:
        self.wakeups.add(moments)

    async def aclose(self) -> None:
        scheduler = self.wakeups.scheduler
        if scheduler is not None and scheduler.running and scheduler.get_job(POLL_JOB_ID) is not None:
            scheduler.remove_job(POLL_JOB_ID)
        await self.wakeups.aclose()
        if self._recovery is not None and not self._recovery.done():
            self._recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recovery
