"""Threads: create (in a text channel, a forum post, from a message), members, active/archived lists,
and forum tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import checks, limits, payloads
from bot.sandbox.routes._common import (
    Route,
    add,
    body,
    data,
    field_error,
    guild,
    name_length_error,
    wrong_channel_type,
)
from bot.sandbox.server import ApiError, Body, invalid_form, json_response, no_content
from bot.sandbox.world import Channel, ChannelType, Perm, World

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


# ---- forum tags ---------------------------------------------------------------------------
def adds_moderated_tag(world: World, thread: Channel, tags: Any) -> bool:
    parent = world.channels.get(thread.parent_id or 0)
    if not isinstance(tags, list) or parent is None:
        return False
    moderated = {int(t["id"]) for t in parent.available_tags if t.get("moderated")}
    return bool(({int(t) for t in tags} - set(thread.applied_tags)) & moderated)


def check_tags(world: World, thread: Channel, tags: Any) -> limits.Errors:
    parent = world.channels.get(thread.parent_id or 0)
    known = {int(t["id"]) for t in parent.available_tags} if parent else set()
    if not isinstance(tags, list) or len(tags) > 5:
        return {"applied_tags": field_error("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")}
    if any(int(t) not in known for t in tags):
        return {"applied_tags": field_error("TAG_INVALID", "Unknown tag")}
    return {}


# ---- creating threads ---------------------------------------------------------------------
def new_thread(
    world: World,
    parent: Channel,
    d: dict[str, Any],
    tid: int | None = None,
    type: int = ChannelType.PUBLIC_THREAD,
) -> Channel:
    name = d.get("name") or ""
    if not 1 <= len(name) <= 100:
        raise invalid_form({"name": name_length_error()})
    g = world.guild_of(parent)
    thread = world.create_channel(g, name, type, parent_id=parent.id, owner_id=world.bot.id)
    if tid is not None:  # a thread started from a message shares the message's id
        move(world, thread, tid)
    return thread


def move(world: World, thread: Channel, new_id: int) -> None:
    """Give a just-created thread another id (the last one of its guild's channels)."""
    world.channels.pop(thread.id)
    g = world.guild_of(thread)
    if g is not None:
        g.channel_ids[-1] = new_id
    thread.id = new_id
    world.channels[new_id] = thread


async def create_thread(s: SandboxServer, request: web.Request) -> web.Response:
    parent = s.channel(request.match_info["channel_id"])
    d = data(request)
    ttype = int(d.get("type") or ChannelType.PRIVATE_THREAD)
    if parent.type in (ChannelType.FORUM, ChannelType.TEXT):
        checks.create_thread(s, parent, ttype)
    if parent.type == ChannelType.FORUM:
        return forum_post(s, parent, d, body(request))
    if parent.type != ChannelType.TEXT:
        raise wrong_channel_type()
    if ttype not in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD):
        raise invalid_form({"type": field_error("BASE_TYPE_CHOICES", "Value must be one of {11, 12}.")})
    thread = new_thread(s.world, parent, d, type=ttype)
    if ttype == ChannelType.PRIVATE_THREAD and d.get("invitable") is False:
        thread.invitable = False
    s.dispatch_channel("THREAD_CREATE", thread)
    return json_response(s.channel_json(thread), 201)


def forum_post(s: SandboxServer, parent: Channel, d: dict[str, Any], request_body: Body) -> web.Response:
    """A forum post: a thread whose first message shares its id."""
    world = s.world
    if not isinstance(d.get("message"), dict):
        raise invalid_form({"message": field_error("BASE_TYPE_REQUIRED", "This field is required")})
    tag_errors = check_tags(world, Channel(id=0, type=11, parent_id=parent.id), d.get("applied_tags") or [])
    if tag_errors:
        raise invalid_form(tag_errors)
    msg_body = Body(d["message"], request_body.files)
    embeds_allowed = checks.message(s, parent, d["message"], len(msg_body.files))
    fields = s.message_fields(msg_body)
    if not embeds_allowed:
        fields["embeds"] = []
    thread = new_thread(world, parent, d)
    thread.applied_tags = [int(t) for t in d.get("applied_tags") or []]
    msg = world.post(thread, world.bot.id, **fields)
    move(world, thread, msg.id)
    msg.channel_id = thread.id
    msg.thread = thread
    parent.last_message_id = thread.id
    s.dispatch_channel("THREAD_CREATE", thread)
    s.dispatch_message("MESSAGE_CREATE", msg)
    return json_response(s.channel_json(thread) | {"message": s.message_json(msg)}, 201)


async def thread_from_message(s: SandboxServer, request: web.Request) -> web.Response:
    parent = s.channel(request.match_info["channel_id"])
    msg = s.message(parent, request.match_info["message_id"])
    checks.create_thread(s, parent, ChannelType.PUBLIC_THREAD)
    if msg.thread is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = new_thread(s.world, parent, data(request), tid=msg.id)
    msg.thread = thread
    s.dispatch_channel("THREAD_CREATE", thread)
    return json_response(s.channel_json(thread), 201)


# ---- members ------------------------------------------------------------------------------
async def thread_member(s: SandboxServer, request: web.Request) -> web.Response:
    """Join/leave (``@me``) or add/remove a member of a thread: private threads keep the
    list that decides who sees them."""
    world = s.world
    ch = s.channel(request.match_info["channel_id"])
    if not ch.is_thread:
        raise wrong_channel_type()
    uid = request.match_info.get("user_id", "@me")
    uid = str(world.bot.id) if uid == "@me" else uid
    if not uid.isdigit() or world.member(ch.guild_id, int(uid)) is None:
        raise ApiError(404, 10007, "Unknown Member")
    checks.thread_member(s, ch, int(uid), add=request.method == "PUT")
    if request.method == "PUT":
        ch.thread_members.add(int(uid))
    else:
        ch.thread_members.discard(int(uid))
    s.dispatch_thread_members(ch, int(uid), added=request.method == "PUT")
    return no_content()


async def list_thread_members(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    if not ch.is_thread:
        raise wrong_channel_type()
    checks.view(s, ch)
    return json_response([payloads.thread_member_json(ch, u) for u in sorted(ch.thread_members)])


# ---- lists --------------------------------------------------------------------------------
async def active_threads(s: SandboxServer, request: web.Request) -> web.Response:
    world, g = s.world, guild(s, request)
    threads = [
        world.channels[c]
        for c in g.channel_ids
        if world.channels[c].is_thread
        and not world.channels[c].archived
        and world.can_view(world.channels[c], world.bot.id)
    ]
    return json_response({"threads": [s.channel_json(t) for t in threads], "members": []})


async def archived_threads(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    checks.require(s, ch, Perm.READ_MESSAGE_HISTORY)
    threads = [t for t in s.world.threads_of(ch.id) if t.archived]
    return json_response({"threads": [s.channel_json(t) for t in threads], "members": [], "has_more": False})


ROUTES: list[Route] = [
    ("POST", "/channels/{channel_id}/threads", create_thread),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message),
    ("PUT", "/channels/{channel_id}/thread-members/@me", thread_member),
    ("DELETE", "/channels/{channel_id}/thread-members/@me", thread_member),
    ("PUT", "/channels/{channel_id}/thread-members/{user_id}", thread_member),
    ("DELETE", "/channels/{channel_id}/thread-members/{user_id}", thread_member),
    ("GET", "/channels/{channel_id}/thread-members", list_thread_members),
    ("GET", "/channels/{channel_id}/threads/archived/public", archived_threads),
    ("GET", "/guilds/{guild_id}/threads/active", active_threads),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
