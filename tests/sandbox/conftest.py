"""Fixtures: a fresh sandbox and a bare discord.py bot connected to it over real sockets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from bot.sandbox import Sandbox
from tests.sandbox.protocol_bot import ProtocolBot


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start()
    yield sb
    await sb.close()


@pytest.fixture
async def bot(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> AsyncIterator[ProtocolBot]:
    """The bot, ready; the test fails if discord.py logged an error (a payload it choked on)
    or called a route the sandbox does not know."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = sandbox.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sandbox.gateway_url)
    assert sandbox.guild is not None
    client = ProtocolBot(sandbox.guild.id)
    task = asyncio.create_task(client.start(sandbox.world.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 5)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
    records = caplog.get_records("setup") + caplog.get_records("call")
    errors = [r for r in records
              if r.levelno >= logging.ERROR and r.name.startswith("discord")]
    assert not errors or client.expect_log_errors, [r.getMessage() for r in errors]
    assert sandbox.unknown_routes == [] or client.expect_unknown_routes
