"""What every route module shares: the route table type, the request body and the guild lookup."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.server import BODY, ApiError, Body
from bot.sandbox.world import Guild

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

RouteHandler = Callable[["SandboxServer", web.Request], Awaitable[web.Response]]
Route = tuple[str, str, RouteHandler]  # (method, template under /api/v10, handler)


def add(s: SandboxServer, routes: Iterable[Route]) -> None:
    """Register each handler, bound to the server, in the table's order."""
    for method, template, handler in routes:
        s.route(method, template, partial(handler, s))


def body(request: web.Request) -> Body:
    return request[BODY]


def data(request: web.Request) -> dict[str, Any]:
    d = body(request).json
    return d if isinstance(d, dict) else {}


def guild(s: SandboxServer, request: web.Request) -> Guild:
    """The guild of the path, 404 ``Unknown Guild`` unless the bot is one of its members."""
    gid = request.match_info["guild_id"]
    g = s.world.guilds.get(int(gid)) if gid.isdigit() else None
    if g is None or s.world.bot.id not in g.members:
        raise ApiError(404, 10004, "Unknown Guild")
    return g


def field_error(code: str, message: str) -> dict[str, Any]:
    """One field's entry in a 50035 ``Invalid Form Body`` answer."""
    return {"_errors": [{"code": code, "message": message}]}


def name_length_error() -> dict[str, Any]:
    return field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def wrong_channel_type() -> ApiError:
    return ApiError(400, 50024, "Cannot execute action on this channel type")
