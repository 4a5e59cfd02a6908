"""Identity and application commands: ``/users``, ``/oauth2/applications/@me``, ``/applications``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import limits, payloads
from bot.sandbox.routes._common import Route, add, body, field_error, guild
from bot.sandbox.server import ApiError, invalid_form, json_response
from bot.sandbox.world import World

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


def command_defaults() -> dict[str, Any]:
    """Discord's defaults for a command's fields (fresh lists each time)."""
    return {
        "type": 1,
        "description": "",
        "options": [],
        "default_member_permissions": None,
        "nsfw": False,
        "contexts": None,
        "integration_types": [0],
    }


# ---- identity -----------------------------------------------------------------------------
async def me(s: SandboxServer, request: web.Request) -> web.Response:
    return json_response(payloads.user_json(s.world.bot) | {"verified": True, "mfa_enabled": False})


async def application(s: SandboxServer, request: web.Request) -> web.Response:
    world = s.world
    owners = [world.users[g.owner_id] for g in world.guilds.values()]
    return json_response(payloads.application_json(world, owners[0] if owners else world.bot))


async def get_user(s: SandboxServer, request: web.Request) -> web.Response:
    uid = request.match_info["user_id"]
    user = s.world.users.get(int(uid)) if uid.isdigit() else None
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return json_response(payloads.user_json(user))


# ---- application commands -----------------------------------------------------------------
def overwrite(
    world: World, existing: list[dict[str, Any]], new: Any, guild_id: int | None
) -> list[dict[str, Any]]:
    """A bulk overwrite: the new definitions, keeping the ids of the commands already there."""
    if not isinstance(new, list):
        raise invalid_form(field_error("BASE_TYPE_ARRAY", "Must be an array"))
    errors = limits.check_commands(new)
    if errors:
        raise invalid_form(errors)
    ids = {(c["name"], c.get("type", 1)): c["id"] for c in existing}
    return [full_command(world, cmd, ids.get((cmd["name"], cmd.get("type", 1))), guild_id) for cmd in new]


def full_command(world: World, cmd: dict[str, Any], cid: str | None, guild_id: int | None) -> dict[str, Any]:
    """A command as Discord answers it: every field, ids and version."""
    full = command_defaults() | cmd
    if full["integration_types"] is None:  # Discord's default: installed in servers
        full["integration_types"] = [0]
    if full["default_member_permissions"] is not None:  # Discord answers a string
        full["default_member_permissions"] = str(full["default_member_permissions"])
    full |= {
        "id": cid or str(world.snowflake()),
        "application_id": str(world.application_id),
        "version": str(world.snowflake()),
    }
    if guild_id is not None:
        full["guild_id"] = str(guild_id)
    return full


async def put_global(s: SandboxServer, request: web.Request) -> web.Response:
    world = s.world
    world.global_commands = overwrite(world, world.global_commands, body(request).json, None)
    return json_response(world.global_commands)


async def get_global(s: SandboxServer, request: web.Request) -> web.Response:
    return json_response(s.world.global_commands)


async def put_guild_cmds(s: SandboxServer, request: web.Request) -> web.Response:
    world, g = s.world, guild(s, request)
    world.guild_commands[g.id] = overwrite(
        world, world.guild_commands.get(g.id, []), body(request).json, g.id
    )
    return json_response(world.guild_commands[g.id])


async def get_guild_cmds(s: SandboxServer, request: web.Request) -> web.Response:
    return json_response(s.world.guild_commands.get(guild(s, request).id, []))


ROUTES: list[Route] = [
    ("GET", "/users/@me", me),  # before /users/{user_id}, which would answer it
    ("GET", "/oauth2/applications/@me", application),
    ("GET", "/users/{user_id}", get_user),
    ("PUT", "/applications/{application_id}/commands", put_global),
    ("GET", "/applications/{application_id}/commands", get_global),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_guild_cmds),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_guild_cmds),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
