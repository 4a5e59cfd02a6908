"""Fixtures: a fresh sandbox and a bare discord.py bot connected to it over real sockets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.sandbox import Sandbox
from tests.sandbox import schema
from tests.sandbox.protocol_bot import ProtocolBot, pointed_at


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A fresh sandbox; the test fails if a request body, or the sandbox's own answer, does not
    conform to Discord's API description."""
    sb = await Sandbox.start()
    schema.install(sb.server, responses=True)
    yield sb
    await sb.close()
    assert sb.server.schema_errors == [], sb.server.schema_errors


@pytest.fixture
async def bot(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> AsyncIterator[ProtocolBot]:
    """The bot, ready; the test fails if discord.py logged an error (a payload it choked on)
    or called a route the sandbox does not know."""
    assert sandbox.guild is not None
    client = ProtocolBot(sandbox.guild.id)
    with pointed_at(sandbox.api_base, sandbox.gateway_url):
        task = asyncio.create_task(client.start(sandbox.world.token))
        try:
            await asyncio.wait_for(client.wait_until_ready(), 5)
            yield client
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
    records = caplog.get_records("setup") + caplog.get_records("call")
    errors = [r for r in records if r.levelno >= logging.ERROR and r.name.startswith("discord")]
    assert not errors or client.expect_log_errors, [r.getMessage() for r in errors]
    assert sandbox.unknown_routes == [] or client.expect_unknown_routes
