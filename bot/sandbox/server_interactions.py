"""Interaction callbacks and the interaction webhook routes (follow-ups, @original)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import limits
from bot.sandbox.server import BODY, ApiError, Body, invalid_form, json_response, no_content
from bot.sandbox.world import Flags, Interaction, Message

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

TOKEN_LIFETIME = 15 * 60
# interaction type -> callback types Discord accepts for it
_ALLOWED = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
_INVALID_TYPE = {
    "type": {
        "_errors": [
            {"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid interaction response type"}
        ]
    }
}


def register(s: SandboxServer) -> None:
    world = s.world

    def record_error(inter: Interaction | None, exc: ApiError, route: str) -> None:
        if inter is None:
            return
        inter.errors.append(
            {
                "status": exc.status,
                "code": exc.code,
                "message": exc.message,
                "route": route,
                "errors": exc.errors,
            }
        )

    def post_response(inter: Interaction, fields: dict[str, Any], *, loading: bool = False) -> Message:
        channel = (
            world.channels[inter.channel_id]
            if inter.channel_id
            else world.dm_channel(world.users[inter.user_id])
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

    async def callback(request: web.Request) -> web.Response:
        iid, token = request.match_info["interaction_id"], request.match_info["token"]
        inter = world.interactions_by_token.get(token)
        if inter is not None and str(inter.id) != iid:
            inter = None
        try:
            response = handle_callback(request, inter)
        except ApiError as exc:
            record_error(inter, exc, "callback")
            if inter is not None and inter.ack_status is None:
                inter.ack_status = exc.status
            raise
        return response

    def handle_callback(request: web.Request, inter: Interaction | None) -> web.Response:
        if inter is None:
            raise ApiError(404, 10062, "Unknown interaction")
        if inter.acked:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = time.monotonic() - inter.created
        if elapsed > world.ack_window:
            raise ApiError(404, 10062, "Unknown interaction")
        body: Body = request[BODY]
        d = body.json if isinstance(body.json, dict) else {}
        rtype = int(d.get("type", 0))
        data = d.get("data") or {}
        if rtype not in _ALLOWED.get(inter.type, set()) or (rtype in (6, 7) and inter.message_id is None):
            raise invalid_form(_INVALID_TYPE)
        msg: Message | None = None
        if rtype == 4:
            msg = post_response(inter, s.message_fields(Body(data, body.files)))
        elif rtype == 5:
            msg = post_response(inter, {"flags": int(data.get("flags") or 0)}, loading=True)
        elif rtype in (6, 7):
            msg = world.messages[inter.message_id]  # type: ignore[index]
            if rtype == 7:
                s.edit_message(msg, s.message_fields(Body(data, body.files), edit=True, existing=msg))
        elif rtype == 8:
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
        inter.ack_type, inter.ack_status, inter.acked_in = rtype, 200, elapsed
        if msg is not None:
            inter.responses.append(msg)
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
        return json_response(result)

    def webhook_interaction(request: web.Request) -> Interaction:
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

    def guarded(fn: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            inter = world.interactions_by_token.get(request.match_info["token"])
            try:
                return await fn(request)  # type: ignore[no-any-return]
            except ApiError as exc:
                record_error(inter, exc, request.method + " webhook")
                raise

        return handler

    async def followup(request: web.Request) -> web.Response:
        inter = webhook_interaction(request)
        body: Body = request[BODY]
        fields = s.message_fields(body)
        original = inter.original
        if original is not None and not original.deleted and original.flags & Flags.LOADING:
            # the first follow-up after a deferred response replaces the "thinking" message
            # (once deleted, follow-ups are new messages with their own flags)
            fields.pop("flags", None)
            fields.pop("nonce", None)
            s.edit_message(original, fields)
            msg = original
        else:
            msg = post_response(inter, fields)
            inter.responses.append(msg)
        if request.query.get("wait", "").lower() in ("true", "1"):
            return json_response(s.message_json(msg))
        return no_content()

    async def get_webhook_message(request: web.Request) -> web.Response:
        inter = webhook_interaction(request)
        return json_response(s.message_json(target(inter, request.match_info["message_id"])))

    async def edit_webhook_message(request: web.Request) -> web.Response:
        inter = webhook_interaction(request)
        msg = target(inter, request.match_info["message_id"])
        s.edit_message(msg, s.message_fields(request[BODY], edit=True, existing=msg))
        return json_response(s.message_json(msg))

    async def delete_webhook_message(request: web.Request) -> web.Response:
        inter = webhook_interaction(request)
        msg = target(inter, request.match_info["message_id"])
        msg.deleted = True
        if msg.visible_to is None:
            ch = world.channels[msg.channel_id]
            s.gateway.dispatch(
                "MESSAGE_DELETE",
                {
                    "id": str(msg.id),
                    "channel_id": str(ch.id),
                    **({"guild_id": str(ch.guild_id)} if ch.guild_id else {}),
                },
                guild=ch.guild_id is not None,
            )
        return no_content()

    s.route("POST", "/interactions/{interaction_id}/{token}/callback", callback)
    hook = "/webhooks/{application_id}/{token}"
    s.route("POST", hook, guarded(followup))
    s.route("GET", hook + "/messages/{message_id}", guarded(get_webhook_message))
    s.route("PATCH", hook + "/messages/{message_id}", guarded(edit_webhook_message))
    s.route("DELETE", hook + "/messages/{message_id}", guarded(delete_webhook_message))
