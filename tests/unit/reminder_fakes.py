"""A fake Discord for the delivery engine: records messages and, like Discord, returns the
existing message when a nonce is sent again (``enforce_nonce``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.db.models.events import TARGET_DM
from bot.delivery import Unreachable
from bot.services.reminders.delivery import Outgoing


class Crash(BaseException):
    """The process dies here: nothing after this line runs, no handler catches it."""


@dataclass
class FakeDiscord:
    closed_dms: set[int] = field(default_factory=set)
    failures: list[Exception] = field(default_factory=list)
    crash_before_send: int = 0
    crash_after_send: int = 0
    delay: float = 0.0
    messages: list[Outgoing] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)

    async def send(self, message: Outgoing) -> int | None:
        self.calls.append(message.nonce)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.crash_before_send:
            self.crash_before_send -= 1
            raise Crash()
        if self.failures:
            raise self.failures.pop(0)
        if message.target == TARGET_DM and message.target_id in self.closed_dms:
            raise Unreachable("Cannot send messages to this user")
        if message.nonce in self.by_nonce:
            return self.by_nonce[message.nonce]
        self.messages.append(message)
        self.by_nonce[message.nonce] = len(self.messages)
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise Crash()
        return len(self.messages)

    def to(self, target: str, target_id: int) -> list[Outgoing]:
        return [m for m in self.messages if m.target == target and m.target_id == target_id]
