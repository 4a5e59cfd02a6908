"""Request bodies are checked against Discord's published API description during the suite."""

from __future__ import annotations

import aiohttp

from bot.sandbox import Sandbox
from tests.sandbox import schema


async def test_a_malformed_body_is_caught(sandbox: Sandbox) -> None:
    """The sandbox itself lets this one through (its limits do not check types); the schema
    check records it, and the fixture fails any test that leaves such an error behind."""
    url = f"{sandbox.api_base}/channels/{sandbox.channels.general.id}/messages"
    headers = {"Authorization": f"Bot {sandbox.world.token}"}
    body = {"content": "hello", "tts": "yes", "allowed_mentions": {"parse": ["all"]}}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as resp:
        assert resp.status == 200
    errors = sandbox.server.schema_errors[:]
    sandbox.server.schema_errors.clear()
    assert any("/tts" in e and "'yes' is not of type" in e for e in errors), errors
    assert any("/allowed_mentions/parse/0" in e for e in errors), errors


async def test_a_well_formed_body_passes(sandbox: Sandbox) -> None:
    route = "/channels/{channel_id}/messages"
    assert schema.problems("POST", route, {"content": "hi", "embeds": [{"title": "t"}]}) == []
    assert schema.problems("POST", route, {"content": "hi", "tts": "yes"})
    assert schema.problems("GET", "/nowhere/{id}", None) == [
        "GET /nowhere/{id}: not in Discord's API description"
    ]


def test_every_route_the_sandbox_serves_is_in_discords_description() -> None:
    from bot.sandbox.server import SandboxServer
    from bot.sandbox.world import World

    server = SandboxServer(World())
    assert server._templates
    assert [t for t in sorted(server._templates) if schema.spec_path(t) is None] == []


def test_the_sandboxs_answers_are_checked_too() -> None:
    assert schema.response_problems("GET", "/users/{user_id}", 200, {"id": "1", "username": "x"})
    from bot.sandbox import payloads
    from bot.sandbox.world import World

    world = World()
    assert schema.response_problems("GET", "/users/{user_id}", 200, payloads.user_json(world.bot)) == []
