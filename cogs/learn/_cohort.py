"""Messages to cohorts (a course linked to an event): the course when a member says they are
going (with the pre-test), a reminder the day before while unfinished, the post-test after the
event. The database says what is due and marks it sent (``cohorts.due``); this only sends, as a
DM in the member's language or, when their DMs are closed, a notice handed over next time
(the events feature's helper)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.services.learn import cohorts
from bot.services.learn.cohorts import Task
from bot.timeutil import discord_timestamp
from bot.ui import text as ui_text
from cogs.events import _notify

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.learn")
JOB_ID = "learn-cohorts"
INTERVAL_SECONDS = 60
KEYS = {
    cohorts.INVITE: "learn.dm.invite",
    cohorts.REMIND: "learn.dm.remind",
    cohorts.POST_TEST: "learn.dm.post",
}


class CohortSweeper:
    """One pass at a time; a pass asked for while one runs is run once after it."""

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()
        self._again = False
        # With several processes (shards), the one serving shard 0 sends cohort messages: two
        # processes sweeping the same rows could send a message twice.
        shard_ids = bot.settings.shard_ids
        self.active = shard_ids is None or 0 in shard_ids

    async def run(self) -> None:
        if not self.active:
            return
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                tasks = await cohorts.due(self.bot.db, self.bot.clock.now())
                for task in tasks:
                    await self._send(task)

    async def _send(self, task: Task) -> None:
        key = KEYS[task.kind]
        if task.kind == cohorts.INVITE and task.pre_test:
            key = "learn.dm.invite_pre"
        params = {
            "course": ui_text.shown(task.course_title, 200),
            "event": ui_text.shown(task.event_title, 200),
            "when": discord_timestamp(task.event_start, "f"),
            "course_id": task.course_id,
        }
        try:
            await _notify.tell(
                self.bot, task.guild_id, None, [task.user_id], key, language=task.language, **params
            )
        except Exception:
            log.warning("could not send a cohort message (%s)", task.kind, exc_info=True)
