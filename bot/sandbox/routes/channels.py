"""Channels: read, edit, create in a guild, delete, permission overwrites, and opening a DM."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import checks, limits, permissions
from bot.sandbox.routes._common import (
    Route,
    add,
    data,
    field_error,
    guild,
    name_length_error,
    wrong_channel_type,
)
from bot.sandbox.routes.threads import adds_moderated_tag, check_tags
from bot.sandbox.server import invalid_form, json_response, no_content
from bot.sandbox.world import ChannelType, Perm, World

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


async def get_channel(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    checks.view(s, ch)
    return json_response(s.channel_json(ch))


async def patch_channel(s: SandboxServer, request: web.Request) -> web.Response:
    """Edit a channel or a thread (name, topic, archived, locked, invitable, forum tags)."""
    ch = s.channel(request.match_info["channel_id"])
    d = data(request)
    errors: limits.Errors = {}
    if "name" in d and not (1 <= len(d["name"] or "") <= 100):
        errors["name"] = name_length_error()
    if "applied_tags" in d:
        errors |= check_tags(s.world, ch, d["applied_tags"])
    if errors:
        raise invalid_form(errors)
    checks.edit_channel(s, ch, d, moderated_tags=adds_moderated_tag(s.world, ch, d.get("applied_tags")))
    for key in ("name", "topic", "archived", "locked", "invitable"):
        if key in d:
            setattr(ch, key, d[key])
    if "applied_tags" in d:
        ch.applied_tags = [int(t) for t in d["applied_tags"]]
    s.dispatch_channel("THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE", ch)
    return json_response(s.channel_json(ch))


async def delete_channel(s: SandboxServer, request: web.Request) -> web.Response:
    world = s.world
    ch = s.channel(request.match_info["channel_id"])
    checks.require(s, ch, Perm.MANAGE_THREADS if ch.is_thread else Perm.MANAGE_CHANNELS)
    world.channels.pop(ch.id)
    g = world.guild_of(ch)
    if g is not None and ch.id in g.channel_ids:
        g.channel_ids.remove(ch.id)
    s.dispatch_channel("THREAD_DELETE" if ch.is_thread else "CHANNEL_DELETE", ch)
    return json_response(s.channel_json(ch))


# ---- in a guild ---------------------------------------------------------------------------
def new_channel_errors(world: World, d: dict[str, Any]) -> limits.Errors:
    """What Discord refuses in a new guild channel: name, type, overwrites, parent category."""
    errors: limits.Errors = {}
    if not 1 <= len(d.get("name") or "") <= 100:
        errors["name"] = name_length_error()
    if int(d.get("type") or ChannelType.TEXT) not in (
        ChannelType.TEXT,
        ChannelType.CATEGORY,
        ChannelType.FORUM,
    ):
        errors["type"] = field_error("BASE_TYPE_CHOICES", "Value must be one of {0, 4, 15}.")
    overwrites = d.get("permission_overwrites")
    if overwrites is not None and not isinstance(overwrites, list):
        errors["permission_overwrites"] = field_error("BASE_TYPE_ARRAY", "Must be an array")
    parent_id = parent_of(d)
    parent = world.channels.get(parent_id or 0)
    if parent_id is not None and (parent is None or parent.type != ChannelType.CATEGORY):
        errors["parent_id"] = field_error("CHANNEL_PARENT_INVALID", "Invalid parent")
    return errors


def parent_of(d: dict[str, Any]) -> int | None:
    return int(d["parent_id"]) if str(d.get("parent_id") or "").isdigit() else None


async def create_guild_channel(s: SandboxServer, request: web.Request) -> web.Response:
    g = guild(s, request)
    d = data(request)
    errors = new_channel_errors(s.world, d)
    if errors:
        raise invalid_form(errors)
    overwrites = d.get("permission_overwrites")
    checks.create_channel(s, g, overwrites or [])
    kwargs: dict[str, Any] = {"parent_id": parent_of(d), "topic": d.get("topic")}
    if overwrites is not None:
        kwargs["permission_overwrites"] = [
            permissions.overwrite(
                int(o["id"]), int(o.get("type") or 0), int(o.get("allow") or 0), int(o.get("deny") or 0)
            )
            for o in overwrites
        ]
    ch = s.world.create_channel(g, d.get("name") or "", int(d.get("type") or ChannelType.TEXT), **kwargs)
    s.dispatch_channel("CHANNEL_CREATE", ch)
    return json_response(s.channel_json(ch), 201)


async def list_channels(s: SandboxServer, request: web.Request) -> web.Response:
    world, g = s.world, guild(s, request)
    return json_response(
        [s.channel_json(world.channels[c]) for c in g.channel_ids if not world.channels[c].is_thread]
    )


# ---- permission overwrites ----------------------------------------------------------------
def overwrite_errors(d: dict[str, Any]) -> limits.Errors:
    errors: limits.Errors = {}
    if d.get("type") not in (0, 1, "0", "1"):
        errors["type"] = field_error("BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")
    for key in ("allow", "deny"):
        if d.get(key) is not None and not str(d[key]).isdigit():
            errors[key] = field_error("NUMBER_TYPE_COERCE", "Value is not int.")
    return errors


async def put_overwrite(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    oid = request.match_info["overwrite_id"]
    d = data(request)
    if ch.is_thread or ch.type == ChannelType.DM:
        raise wrong_channel_type()
    errors = overwrite_errors(d)
    if errors or not oid.isdigit():
        raise invalid_form(errors)
    allow, deny = int(d.get("allow") or 0), int(d.get("deny") or 0)
    checks.overwrite(s, ch, allow | deny)
    permissions.set_overwrite(ch, int(oid), int(d["type"]), allow, deny)
    s.dispatch_channel("CHANNEL_UPDATE", ch)
    return no_content()


async def delete_overwrite(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    oid = request.match_info["overwrite_id"]
    checks.overwrite(s, ch, 0)
    if oid.isdigit():
        permissions.set_overwrite(ch, int(oid), 0, 0, 0)
    s.dispatch_channel("CHANNEL_UPDATE", ch)
    return no_content()


# ---- direct messages ----------------------------------------------------------------------
async def open_dm(s: SandboxServer, request: web.Request) -> web.Response:
    rid = str(data(request).get("recipient_id", ""))
    user = s.world.users.get(int(rid)) if rid.isdigit() else None
    if user is None:
        raise invalid_form({"recipient_id": field_error("NUMBER_TYPE_COERCE", "Unknown user")})
    return json_response(s.channel_json(s.world.dm_channel(user)))


ROUTES: list[Route] = [
    ("GET", "/channels/{channel_id}", get_channel),
    ("PATCH", "/channels/{channel_id}", patch_channel),
    ("DELETE", "/channels/{channel_id}", delete_channel),
    ("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", put_overwrite),
    ("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", delete_overwrite),
    ("POST", "/guilds/{guild_id}/channels", create_guild_channel),
    ("GET", "/guilds/{guild_id}/channels", list_channels),
    ("POST", "/users/@me/channels", open_dm),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
