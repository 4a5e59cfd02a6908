"""The sandbox speaks Discord's protocol faithfully enough for an unmodified discord.py bot."""

from __future__ import annotations

from bot.sandbox import Sandbox
from tests.sandbox.conftest import ProtocolBot


async def test_ping(sandbox: Sandbox, bot: ProtocolBot) -> None:
    inter = await sandbox.slash("ping", user=sandbox.users.alice)
    assert inter.content == "pong"
    assert inter.ack_type == 4 and not inter.ephemeral
    assert sandbox.unknown_routes == []
