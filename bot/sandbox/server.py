"""The sandbox's aiohttp application: REST API v10 under ``/api/v10`` and the gateway under
``/gateway``, bound to 127.0.0.1 only. Every request is recorded; unknown routes answer 404."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox import limits, payloads
from bot.sandbox.faults import Faults
from bot.sandbox.server_gateway import Gateway, Intents, Session
from bot.sandbox.world import Channel, ChannelType, Flags, Message, World, now_iso

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIX = "/api/v10"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # what INTERACTION_CREATE announces
HOST = "127.0.0.1"


@dataclass
class RecordedRequest:
    method: str
    route: str  # the route template, e.g. "/channels/{channel_id}/messages"
    path: str
    json: Any
    status: int = 0
    query: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly ``Content-Type: application/json`` (discord.py compares the header verbatim)."""
    hdrs = {"Content-Type": "application/json"} | (headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)


def no_content() -> web.Response:
    return web.Response(status=204)


def invalid_form(errors: limits.Errors) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", errors)


def number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies carrying Discord's component ``id``s: given ones kept, the others numbered in
    order of appearance (depth first), as Discord answers them (a unicode emoji without id)."""
    taken = set()

    def collect(items: list[Any]) -> None:
        for comp in items:
            if isinstance(comp, dict):
                if isinstance(comp.get("id"), int):
                    taken.add(comp["id"])
                collect(comp.get("components") or [])
                collect([c for c in (comp.get("accessory"), comp.get("component")) if c])

    collect(components)
    counter = iter(i for i in range(1, 10_000) if i not in taken)

    def number(items: list[Any]) -> list[Any]:
        out = []
        for comp in items:
            if not isinstance(comp, dict):
                out.append(comp)
                continue
            copy = dict(comp)
            if not isinstance(copy.get("id"), int):
                copy["id"] = next(counter)
            if isinstance(copy.get("emoji"), dict) and copy["emoji"].get("id") is None:
                copy["emoji"] = {k: v for k, v in copy["emoji"].items() if k != "id"}  # a unicode emoji
            if isinstance(copy.get("components"), list):
                copy["components"] = number(copy["components"])
            for key in ("accessory", "component"):
                if isinstance(copy.get(key), dict):
                    copy[key] = number([copy[key]])[0]
            out.append(copy)
        return out

    return number(components)


@dataclass
class Body:
    json: Any
    files: dict[int, tuple[str, bytes, str]]  # index -> (filename, data, content type)


BODY = web.RequestKey("body", Body)


class SandboxServer:
    def __init__(self, world: World) -> None:
        self.world = world
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[str] = []
        # a check of every request body, e.g. against Discord's OpenAPI description (the test
        # fixtures install one): (method, route template, JSON body) -> problems
        self.body_check: Callable[[str, str, Any], list[str]] | None = None
        self.schema_errors: list[str] = []
        # the same for the sandbox's own answers: (method, route, status, JSON) -> problems
        self.response_check: Callable[[str, str, int, Any], list[str]] | None = None
        self._templates: set[str] = set()
        self.faults = Faults()
        self.latency = 0.0  # seconds added to every REST answer
        self.gateway = Gateway(self)
        self.closing = False
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.app = web.Application(middlewares=[self._middleware], client_max_size=64 * 2**20)
        from bot.sandbox.routes import register as register_routes  # they import this module

        register_routes(self)
        self.app.router.add_get("/gateway", self.gateway.handle)
        self.app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        self.app.router.add_route("*", "/{tail:.*}", self._unknown)

    # ---- lifecycle ------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, port)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.closing = True
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{HOST}:{self.port}/gateway"

    def route(self, method: str, template: str, handler: Handler) -> None:
        self.app.router.add_route(method, API_PREFIX + template, handler)
        self._templates.add(template)

    # ---- plumbing -------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/gateway" or request.path.startswith("/attachments/"):
            return await handler(request)
        info = request.match_info.route.resource
        template = info.canonical if info is not None else request.path
        template = template.removeprefix(API_PREFIX)
        rec = RecordedRequest(
            method=request.method,
            route=template,
            path=request.path.removeprefix(API_PREFIX),
            json=None,
            query=dict(request.query),
        )
        self.requests.append(rec)
        try:
            body = await self.read_body(request)
            rec.json = body.json
            rec.files = [f[0] for f in body.files.values()]
            request[BODY] = body
            if self.body_check is not None and template in self._templates:
                self.schema_errors += self.body_check(request.method, template, body.json)
        except ValueError:
            rec.status = 400
            return json_response({"code": 50109, "message": "The request body contains invalid JSON."}, 400)
        if self.latency:  # a slow network or a busy Discord, for tests that need sends in flight
            await asyncio.sleep(self.latency)
        fault = self.faults.take(request.method, rec.path, template)
        response: web.StreamResponse
        if fault is not None:
            response = fault.response()
        else:
            try:
                response = await handler(request)
            except ApiError as exc:
                data: dict[str, Any] = {"code": exc.code, "message": exc.message}
                if exc.errors is not None:
                    data["errors"] = exc.errors
                response = json_response(data, exc.status)
        rec.status = response.status
        if self.response_check is not None and template in self._templates:
            body_bytes = getattr(response, "body", None)
            if isinstance(body_bytes, bytes) and body_bytes:
                answer = json.loads(body_bytes)
                self.schema_errors += self.response_check(request.method, template, response.status, answer)
        return response

    async def read_body(self, request: web.Request) -> Body:
        files: dict[int, tuple[str, bytes, str]] = {}
        if not request.can_read_body:
            return Body(None, files)
        ctype = request.content_type
        if ctype == "multipart/form-data":
            data: Any = None
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                name = getattr(part, "name", None) or ""
                raw = await part.read()
                if name == "payload_json":
                    data = json.loads(raw)
                elif name.startswith("files[") or name.startswith("file"):
                    idx = int(name[6:-1]) if name.startswith("files[") else len(files)
                    filename = getattr(part, "filename", None) or f"file{idx}"
                    files[idx] = (
                        filename,
                        bytes(raw),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
            return Body(data, files)
        text = await request.text()
        if not text:
            return Body(None, files)
        return Body(json.loads(text), files)

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unknown_routes.append(f"{request.method} {request.path}")
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    async def _attachment(self, request: web.Request) -> web.Response:
        att = self.world.attachments.get(int(request.match_info["attachment_id"]))
        if att is None:
            return web.Response(status=404)
        return web.Response(body=att.data, headers={"Content-Type": att.content_type})

    # ---- shared helpers used by the route modules --------------------------------------
    def channel(self, channel_id: str) -> Channel:
        ch = self.world.channels.get(int(channel_id)) if channel_id.isdigit() else None
        if ch is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return ch

    def message(self, channel: Channel, message_id: str) -> Message:
        msg = self.world.messages.get(int(message_id)) if message_id.isdigit() else None
        if msg is None or msg.deleted or msg.channel_id != channel.id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def message_fields(
        self, body: Body, *, edit: bool = False, existing: Message | None = None
    ) -> dict[str, Any]:
        """Validate a message body and turn it into ``Message`` fields (raises ApiError)."""
        data = body.json if isinstance(body.json, dict) else {}
        if sum(len(f[1]) for f in body.files.values()) > ATTACHMENT_SIZE_LIMIT:
            raise ApiError(413, 40005, "Request entity too large")
        errors = limits.check_message(data)
        if errors:
            raise invalid_form(errors)
        fields: dict[str, Any] = {}
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in data:
                fields[key] = (
                    data[key]
                    if data[key] is not None
                    else ("" if key == "content" else None if key == "allowed_mentions" else [])
                )
        if fields.get("components"):
            fields["components"] = number_components(fields["components"])
        if "flags" in data and data["flags"] is not None:
            fields["flags"] = int(data["flags"]) & Flags.SETTABLE
        if "attachments" in data or body.files:
            kept = {a.id: a for a in existing.attachments} if existing else {}
            atts = []
            specs = data.get("attachments")
            if specs is None:
                specs = [{"id": i} for i in body.files]
            for spec in specs:
                aid = int(spec["id"])
                if aid in kept:
                    atts.append(kept[aid])
                elif aid in body.files:
                    name, raw, ctype = body.files[aid]
                    atts.append(
                        self.world.add_attachment(
                            spec.get("filename") or name, raw, ctype, spec.get("description")
                        )
                    )
            fields["attachments"] = atts
        if not edit:
            if data.get("message_reference"):
                fields["message_reference"] = data["message_reference"]
            if data.get("nonce") is not None:
                fields["nonce"] = data["nonce"]
            has = (
                fields.get("content")
                or fields.get("embeds")
                or fields.get("attachments")
                or fields.get("components")
                or data.get("sticker_ids")
                or data.get("poll")
            )
            if not has:
                raise ApiError(400, 50006, "Cannot send an empty message")
        return fields

    def edit_message(self, msg: Message, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if key == "flags":
                keep = msg.flags & (Flags.EPHEMERAL)
                msg.flags = (value & ~Flags.EPHEMERAL & ~Flags.LOADING) | keep
            else:
                setattr(msg, key, value)
        msg.flags &= ~Flags.LOADING
        msg.edited_timestamp = now_iso()
        self.dispatch_message("MESSAGE_UPDATE", msg)

    def message_json(self, msg: Message, *, gateway: bool = False) -> dict[str, Any]:
        return payloads.message_json(self.world, msg, self.base_url, gateway=gateway)

    def channel_json(self, ch: Channel) -> dict[str, Any]:
        return payloads.channel_json(self.world, ch)

    def dispatch_message(self, event: str, msg: Message) -> None:
        """MESSAGE_CREATE/UPDATE to the bot, blanking other users' content without the
        message-content intent (unless the bot is mentioned or it is a DM)."""
        if msg.visible_to is not None:
            return  # ephemeral messages never reach the gateway
        data = self.message_json(msg, gateway=True)
        channel = self.world.channels.get(msg.channel_id)
        in_guild = channel is not None and channel.guild_id is not None
        bot_id = self.world.bot.id
        exempt = (
            msg.author_id == bot_id
            or not in_guild
            or f"<@{bot_id}>" in msg.content
            or f"<@!{bot_id}>" in msg.content
        )

        def blank(session: Session, d: dict[str, Any]) -> dict[str, Any]:
            if exempt or session.intents & Intents.MESSAGE_CONTENT:
                return d
            return d | {"content": "", "embeds": [], "attachments": [], "components": []}

        self.gateway.dispatch(event, data, guild=in_guild, per_session=blank)

    def dispatch_thread_members(self, thread: Channel, user_id: int, *, added: bool) -> None:
        """THREAD_MEMBERS_UPDATE (the bot's own membership: THREAD_MEMBER_UPDATE as well)."""
        data: dict[str, Any] = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": len(thread.thread_members),
        }
        if added:
            data["added_members"] = [payloads.thread_member_json(thread, user_id)]
        else:
            data["removed_member_ids"] = [str(user_id)]
        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", data)
        if added and user_id == self.world.bot.id:
            self.gateway.dispatch(
                "THREAD_MEMBER_UPDATE",
                payloads.thread_member_json(thread, user_id) | {"guild_id": str(thread.guild_id)},
            )

    def dispatch_channel(self, event: str, ch: Channel) -> None:
        data = self.channel_json(ch)
        if event == "THREAD_CREATE":
            data["newly_created"] = True
        self.gateway.dispatch(event, data, guild=ch.type != ChannelType.DM)
