"""Interaction callbacks (3 s window, single ack) and the interaction webhook routes (follow-ups,
``@original``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import limits
from bot.sandbox.routes._common import Route, add, body, field_error
from bot.sandbox.server import ApiError, Body, invalid_form, json_response, no_content
from bot.sandbox.world import Flags, Interaction, Message

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

TOKEN_LIFETIME = 15 * 60
# interaction type -> callback types Discord accepts for it
_ALLOWED = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
_INVALID_TYPE = {
    "type": field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type")
}


def record_error(inter: Interaction | None, exc: ApiError, route: str) -> None:
    """What the bot did wrong, kept on the interaction for the tests to read."""
    if inter is None:
        return
    inter.errors.append(
        {"status": exc.status, "code": exc.code, "message": exc.message, "route": route, "errors": exc.errors}
    )


def post_response(
    s: SandboxServer, inter: Interaction, fields: dict[str, Any], *, loading: bool = False
) -> Message:
    world = s.world
    channel = (
        world.channels[inter.channel_id] if inter.channel_id else world.dm_channel(world.users[inter.user_id])
    )
    flags = fields.pop("flags", 0) & Flags.SETTABLE
    if loading:
        flags |= Flags.LOADING
    visible = {inter.user_id} if flags & Flags.EPHEMERAL else None
    mtype = 20 if inter.type == 2 else 19
    msg = world.post(
        channel,
        world.bot.id,
        flags=flags,
        visible_to=visible,
        interaction_id=inter.id,
        webhook_id=world.application_id,
        type=mtype,
        **fields,
    )
    if not loading:
        s.dispatch_message("MESSAGE_CREATE", msg)
    return msg


# ---- the callback -------------------------------------------------------------------------
async def callback(s: SandboxServer, request: web.Request) -> web.Response:
    iid, token = request.match_info["interaction_id"], request.match_info["token"]
    inter = s.world.interactions_by_token.get(token)
    if inter is not None and str(inter.id) != iid:
        inter = None
    try:
        return handle_callback(s, request, inter)
    except ApiError as exc:
        record_error(inter, exc, "callback")
        if inter is not None and inter.ack_status is None:
            inter.ack_status = exc.status
        raise


def handle_callback(s: SandboxServer, request: web.Request, inter: Interaction | None) -> web.Response:
    if inter is None:
        raise ApiError(404, 10062, "Unknown interaction")
    if inter.acked:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    elapsed = time.monotonic() - inter.created
    if elapsed > s.world.ack_window:
        raise ApiError(404, 10062, "Unknown interaction")
    d = body(request).json if isinstance(body(request).json, dict) else {}
    rtype = int(d.get("type", 0))
    if rtype not in _ALLOWED.get(inter.type, set()) or (rtype in (6, 7) and inter.message_id is None):
        raise invalid_form(_INVALID_TYPE)
    msg = respond(s, inter, rtype, d.get("data") or {}, body(request).files)
    inter.ack_type, inter.ack_status, inter.acked_in = rtype, 200, elapsed
    if msg is not None:
        inter.responses.append(msg)
    return json_response(callback_answer(s, inter, rtype, msg))


def respond(
    s: SandboxServer, inter: Interaction, rtype: int, data: dict[str, Any], files: dict[int, Any]
) -> Message | None:
    """Carry out one callback type; the message it posted or edited, if any."""
    if rtype == 4:
        return post_response(s, inter, s.message_fields(Body(data, files)))
    if rtype == 5:
        return post_response(s, inter, {"flags": int(data.get("flags") or 0)}, loading=True)
    if rtype in (6, 7):
        msg = s.world.messages[inter.message_id]  # type: ignore[index]
        if rtype == 7:
            s.edit_message(msg, s.message_fields(Body(data, files), edit=True, existing=msg))
        return msg
    if rtype == 8:
        choices = data.get("choices") or []
        errors = limits.check_choices(choices)
        if errors:
            raise invalid_form({"data": errors})
        inter.choices = choices
    elif rtype == 9:
        errors = limits.check_modal(data)
        if errors:
            raise invalid_form({"data": errors})
        inter.modal = data
    return None


def callback_answer(s: SandboxServer, inter: Interaction, rtype: int, msg: Message | None) -> dict[str, Any]:
    """The callback's answer with ``with_response``: the interaction and what it created."""
    result: dict[str, Any] = {
        "interaction": {
            "id": str(inter.id),
            "type": inter.type,
            "response_message_loading": rtype == 5,
            "response_message_ephemeral": bool(msg and msg.ephemeral),
        }
    }
    if msg is not None:
        result["interaction"]["response_message_id"] = str(msg.id)
        result["resource"] = {"type": rtype, "message": s.message_json(msg)}
    else:
        result["resource"] = {"type": rtype}
    return result


# ---- the interaction webhook --------------------------------------------------------------
def webhook_interaction(s: SandboxServer, request: web.Request) -> Interaction:
    world = s.world
    inter = world.interactions_by_token.get(request.match_info["token"])
    if inter is None or str(world.application_id) != request.match_info["application_id"]:
        raise ApiError(404, 10015, "Unknown Webhook")
    if not inter.acked:
        raise ApiError(404, 10015, "Unknown Webhook")
    if time.monotonic() - inter.created > TOKEN_LIFETIME:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    inter.webhook_requests += 1
    return inter


def target(inter: Interaction, message_id: str) -> Message:
    if message_id == "@original":
        original = inter.original
        if original is None or original.deleted or inter.ack_type not in (4, 5, 6, 7):
            raise ApiError(404, 10008, "Unknown Message")
        return original
    for msg in inter.responses:
        if str(msg.id) == message_id and not msg.deleted:
            return msg
    raise ApiError(404, 10008, "Unknown Message")


WebhookHandler = Callable[["SandboxServer", web.Request], Awaitable[web.Response]]


def guarded(fn: WebhookHandler) -> WebhookHandler:
    """The handler, recording its refusals on the interaction of the token."""

    async def handler(s: SandboxServer, request: web.Request) -> web.Response:
        inter = s.world.interactions_by_token.get(request.match_info["token"])
        try:
            return await fn(s, request)
        except ApiError as exc:
            record_error(inter, exc, request.method + " webhook")
            raise

    return handler


async def followup(s: SandboxServer, request: web.Request) -> web.Response:
    inter = webhook_interaction(s, request)
    fields = s.message_fields(body(request))
    original = inter.original
    if original is not None and not original.deleted and original.flags & Flags.LOADING:
        # the first follow-up after a deferred response replaces the "thinking" message
        # (once deleted, follow-ups are new messages with their own flags)
        fields.pop("flags", None)
        fields.pop("nonce", None)
        s.edit_message(original, fields)
        msg = original
    else:
        msg = post_response(s, inter, fields)
        inter.responses.append(msg)
    if request.query.get("wait", "").lower() in ("true", "1"):
        return json_response(s.message_json(msg))
    return no_content()


async def get_webhook_message(s: SandboxServer, request: web.Request) -> web.Response:
    inter = webhook_interaction(s, request)
    return json_response(s.message_json(target(inter, request.match_info["message_id"])))


async def edit_webhook_message(s: SandboxServer, request: web.Request) -> web.Response:
    inter = webhook_interaction(s, request)
    msg = target(inter, request.match_info["message_id"])
    s.edit_message(msg, s.message_fields(body(request), edit=True, existing=msg))
    return json_response(s.message_json(msg))


async def delete_webhook_message(s: SandboxServer, request: web.Request) -> web.Response:
    inter = webhook_interaction(s, request)
    msg = target(inter, request.match_info["message_id"])
    msg.deleted = True
    if msg.visible_to is None:
        ch = s.world.channels[msg.channel_id]
        where = {"guild_id": str(ch.guild_id)} if ch.guild_id else {}
        s.gateway.dispatch(
            "MESSAGE_DELETE",
            {"id": str(msg.id), "channel_id": str(ch.id), **where},
            guild=ch.guild_id is not None,
        )
    return no_content()


HOOK = "/webhooks/{application_id}/{token}"
ROUTES: list[Route] = [
    ("POST", "/interactions/{interaction_id}/{token}/callback", callback),
    ("POST", HOOK, guarded(followup)),
    ("GET", HOOK + "/messages/{message_id}", guarded(get_webhook_message)),
    ("PATCH", HOOK + "/messages/{message_id}", guarded(edit_webhook_message)),
    ("DELETE", HOOK + "/messages/{message_id}", guarded(delete_webhook_message)),
]


def register(s: SandboxServer) -> None:
    add(s, ROUTES)
