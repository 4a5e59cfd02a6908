"""Messages: post, list, read, edit, delete; typing; reactions and pins (acknowledged only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import checks, permissions
from bot.sandbox.routes._common import Route, add, body, data
from bot.sandbox.server import ApiError, json_response, no_content
from bot.sandbox.world import Channel, ChannelType, Flags, Message, Perm

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


def post_in(s: SandboxServer, ch: Channel, request: web.Request, d: dict[str, Any]) -> Message:
    """Post the bot's message in a channel, thread or DM, as Discord checks and answers it."""
    world = s.world
    check_can_post(s, ch)
    embeds_allowed = checks.message(s, ch, d, len(body(request).files))
    if ch.is_thread and ch.locked and not checks.bot_has(s, ch, Perm.MANAGE_THREADS):
        raise ApiError(403, 160005, "Thread is locked")
    fields = s.message_fields(body(request))
    if not embeds_allowed:  # Discord drops them silently when something else remains
        fields["embeds"] = []
    fields["flags"] = fields.get("flags", 0) & ~Flags.EPHEMERAL  # only interactions may
    if fields.get("nonce") is not None and d.get("enforce_nonce"):
        first = world.find_nonce(ch.id, world.bot.id, fields["nonce"])
        if first is not None:
            return first
    if ch.is_thread and ch.archived:
        ch.archived = False
        s.dispatch_channel("THREAD_UPDATE", ch)
    msg = world.post(ch, world.bot.id, **fields)
    s.dispatch_message("MESSAGE_CREATE", msg)
    if ch.type == ChannelType.PRIVATE_THREAD:
        add_mentioned_members(s, ch, msg)
    return msg


def check_can_post(s: SandboxServer, ch: Channel) -> None:
    """A forum takes posts as threads only; a DM needs a member who accepts them."""
    if ch.type == ChannelType.FORUM:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    if ch.type == ChannelType.DM:
        recipient = s.world.users[ch.recipients[0]]
        if not recipient.dms_open or recipient.bot:
            raise ApiError(403, 50007, "Cannot send messages to this user")


def add_mentioned_members(s: SandboxServer, thread: Channel, msg: Message) -> None:
    """A member mentioned (pinged) in a private thread, who may see it, is added to it."""
    world = s.world
    for uid in world.mentions_that_would_ping(msg):
        if (
            isinstance(uid, int)
            and uid not in thread.thread_members
            and permissions.has(world, thread, uid, Perm.VIEW_CHANNEL)
        ):
            thread.thread_members.add(uid)
            s.dispatch_thread_members(thread, uid, added=True)


async def create_message(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    return json_response(s.message_json(post_in(s, ch, request, data(request))))


async def list_messages(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    checks.view(s, ch)
    if not checks.bot_has(s, ch, Perm.READ_MESSAGE_HISTORY):
        return json_response([])
    msgs = page([m for m in s.world.channel_messages(ch.id) if m.visible_to is None], request.query)
    return json_response([s.message_json(m) for m in reversed(msgs)])


def page(msgs: list[Message], q: Any) -> list[Message]:
    """One page of a channel's history (oldest first): ``before``, ``after`` or ``around`` an id."""
    limit = max(1, min(100, int(q.get("limit", 50))))
    if "before" in q:
        return [m for m in msgs if m.id < int(q["before"])][-limit:]
    if "after" in q:
        return [m for m in msgs if m.id > int(q["after"])][:limit]
    if "around" in q:
        pivot = int(q["around"])
        older = [m for m in msgs if m.id <= pivot][-(limit // 2 + 1) :]
        return older + [m for m in msgs if m.id > pivot][: limit - len(older)]
    return msgs[-limit:]


async def get_message(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    checks.require(s, ch, Perm.READ_MESSAGE_HISTORY)
    msg = s.message(ch, request.match_info["message_id"])
    if msg.visible_to is not None:
        raise ApiError(404, 10008, "Unknown Message")
    return json_response(s.message_json(msg))


async def edit_message(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    msg = s.message(ch, request.match_info["message_id"])
    if msg.author_id != s.world.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    embeds_allowed = checks.message(s, ch, data(request), len(body(request).files), edit=True)
    fields = s.message_fields(body(request), edit=True, existing=msg)
    if not embeds_allowed and "embeds" in fields:
        fields["embeds"] = []
    s.edit_message(msg, fields)
    return json_response(s.message_json(msg))


async def delete_message(s: SandboxServer, request: web.Request) -> web.Response:
    ch = s.channel(request.match_info["channel_id"])
    msg = s.message(ch, request.match_info["message_id"])
    checks.delete_message(s, ch, msg.author_id)
    msg.deleted = True
    where = {"guild_id": str(ch.guild_id)} if ch.guild_id else {}
    s.gateway.dispatch(
        "MESSAGE_DELETE",
        {"id": str(msg.id), "channel_id": str(ch.id), **where},
        guild=ch.guild_id is not None,
    )
    return no_content()


async def typing(s: SandboxServer, request: web.Request) -> web.Response:
    checks.require(s, s.channel(request.match_info["channel_id"]), Perm.SEND_MESSAGES)
    return no_content()


async def reaction(s: SandboxServer, request: web.Request) -> web.Response:
    """Reactions and pins: checked, then acknowledged only."""
    ch = s.channel(request.match_info["channel_id"])
    if "/pins/" in request.path:
        checks.require(s, ch, Perm.MANAGE_MESSAGES)
    elif request.method == "PUT":
        checks.require(s, ch, Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
    else:
        checks.view(s, ch)
    s.message(ch, request.match_info["message_id"])
    return no_content()


ROUTES: list[Route] = [
    ("POST", "/channels/{channel_id}/messages", create_message),
    ("GET", "/channels/{channel_id}/messages", list_messages),
    ("GET", "/channels/{channel_id}/messages/{message_id}", get_message),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message),
    ("POST", "/channels/{channel_id}/typing", typing),
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction),
    ("PUT", "/channels/{channel_id}/pins/{message_id}", reaction),
    ("DELETE", "/channels/{channel_id}/pins/{message_id}", reaction),
    ("PUT", "/channels/{channel_id}/messages/pins/{message_id}", reaction),
    ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", reaction),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
