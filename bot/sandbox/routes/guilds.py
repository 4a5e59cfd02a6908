"""Guilds, their members and roles: the guild, one member, the member list, roles given or taken."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.sandbox import checks, payloads
from bot.sandbox.routes._common import Route, add, guild
from bot.sandbox.server import ApiError, json_response, no_content

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


async def get_guild(s: SandboxServer, request: web.Request) -> web.Response:
    g = guild(s, request)
    extra = {"approximate_member_count": len(g.members)}
    return json_response(payloads.guild_json(s.world, g, full=False, with_members=False) | extra)


async def get_member(s: SandboxServer, request: web.Request) -> web.Response:
    g = guild(s, request)
    uid = request.match_info["user_id"]
    m = g.members.get(int(uid)) if uid.isdigit() else None
    if m is None:
        raise ApiError(404, 10007, "Unknown Member")
    return json_response(payloads.member_json(s.world, m))


async def list_members(s: SandboxServer, request: web.Request) -> web.Response:
    g = guild(s, request)
    limit = max(1, min(1000, int(request.query.get("limit", 1))))
    after = int(request.query.get("after", 0))
    members = sorted((m for m in g.members.values() if m.user.id > after), key=lambda m: m.user.id)[:limit]
    return json_response([payloads.member_json(s.world, m) for m in members])


async def list_roles(s: SandboxServer, request: web.Request) -> web.Response:
    return json_response([payloads.role_json(r) for r in guild(s, request).roles.values()])


async def member_role(s: SandboxServer, request: web.Request) -> web.Response:
    """Give (PUT) or take (DELETE) a role, as far as the bot's own roles allow."""
    g = guild(s, request)
    uid, rid = request.match_info["user_id"], request.match_info["role_id"]
    member = g.members.get(int(uid)) if uid.isdigit() else None
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    if not rid.isdigit() or int(rid) not in g.roles:
        raise ApiError(404, 10011, "Unknown Role")
    checks.member_role(s, g, g.roles[int(rid)])
    if request.method == "PUT" and int(rid) not in member.roles:
        member.roles.append(int(rid))
    elif request.method == "DELETE" and int(rid) in member.roles:
        member.roles.remove(int(rid))
    s.gateway.dispatch("GUILD_MEMBER_UPDATE", payloads.member_json(s.world, member) | {"guild_id": str(g.id)})
    return no_content()


ROUTES: list[Route] = [
    ("GET", "/guilds/{guild_id}", get_guild),
    ("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
    ("GET", "/guilds/{guild_id}/members", list_members),
    ("GET", "/guilds/{guild_id}/roles", list_roles),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
