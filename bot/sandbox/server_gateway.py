"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, sequence numbers, RESUME with
replay of missed events. Frames are sent as uncompressed JSON text (discord.py accepts them)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.sandbox import payloads

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

log = logging.getLogger(__name__)


class Intents:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    GUILD_PRESENCES = 1 << 8
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


# Event name -> intent required to receive it (None: always sent).
_EVENT_INTENT = {
    "GUILD_MEMBER_ADD": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intents.GUILD_MEMBERS,
    "CHANNEL_CREATE": Intents.GUILDS,
    "CHANNEL_UPDATE": Intents.GUILDS,
    "CHANNEL_DELETE": Intents.GUILDS,
    "THREAD_CREATE": Intents.GUILDS,
    "THREAD_UPDATE": Intents.GUILDS,
    "THREAD_DELETE": Intents.GUILDS,
    "THREAD_MEMBER_UPDATE": Intents.GUILDS,
    "THREAD_MEMBERS_UPDATE": Intents.GUILD_MEMBERS,
}


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    queue: asyncio.Queue[dict[str, Any] | None] | None = None
    closed: bool = False
    shard: tuple[int, int] = (0, 1)

    def owns(self, guild_id: int | None) -> bool:
        """Discord's rule: a guild's events go to shard ``(guild_id >> 22) % shard_count``;
        events outside guilds (DMs) to shard 0."""
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % count == shard_id

    def wants(self, event: str, guild: bool, intent: int | None) -> bool:
        if intent is None:
            intent = _EVENT_INTENT.get(event)
        if event.startswith("MESSAGE_"):
            intent = Intents.GUILD_MESSAGES if guild else Intents.DIRECT_MESSAGES
        return intent is None or bool(self.intents & intent)

    def push(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        del self.buffer[:-1000]
        if self.queue is not None:
            self.queue.put_nowait(frame)


class Gateway:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.sockets: set[web.WebSocketResponse] = set()
        self.identified = asyncio.Event()
        self.heartbeat_interval_ms = 41250
        self.resumes = 0
        self.dropped: set[web.WebSocketResponse] = set()

    @property
    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.closed]

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild: bool = True,
        intent: int | None = None,
        per_session: Any = None,
    ) -> None:
        """Queue an event to every live session. ``per_session(session, data)`` may rewrite
        the payload for one session (e.g. to blank message content without the intent)."""
        guild_id = int(data["guild_id"]) if isinstance(data, dict) and data.get("guild_id") else None
        for session in self.live_sessions:
            if not session.wants(event, guild, intent) or not session.owns(guild_id):
                continue
            payload = per_session(session, data) if per_session else data
            session.push(event, payload)

    async def drop(self) -> None:
        """Abruptly close every gateway connection (sessions stay resumable)."""
        for ws in list(self.sockets):
            self.dropped.add(ws)
            with contextlib.suppress(Exception):
                await ws.close(code=4000, message=b"sandbox dropped the connection")

    async def reconnect(self) -> None:
        """Ask every connected client to reconnect (op 7), as Discord does on maintenance."""
        for ws in list(self.sockets):
            with contextlib.suppress(Exception):
                await ws.send_str(json.dumps({"op": 7, "d": None, "s": None, "t": None}))

    async def close(self) -> None:
        for session in self.sessions.values():
            session.closed = True
        for ws in list(self.sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        sender = asyncio.create_task(self._sender(ws, queue))
        session: Session | None = None
        try:
            await ws.send_str(
                json.dumps(
                    {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
                )
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d")
                if op == 1:
                    queue.put_nowait({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    requested = int(d.get("intents", 0))
                    if requested & Intents.PRIVILEGED & ~self.server.world.allowed_intents:
                        await ws.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    session = self._identify(d, ws, queue)
                elif op == 6:
                    session = self._resume(d, ws, queue)
                elif op == 8 and session is not None:
                    self._request_members(session, d)
        finally:
            self.sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws, session.queue = None, None
                by_client = ws not in self.dropped
                if (by_client and ws.close_code in (1000, 1001)) or self.server.closing:
                    session.closed = True
            self.dropped.discard(ws)
            queue.put_nowait(None)
            await sender
        return ws

    async def _sender(self, ws: web.WebSocketResponse, queue: asyncio.Queue[Any]) -> None:
        while True:
            frame = await queue.get()
            if frame is None or ws.closed:
                return
            try:
                await ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return

    def _identify(self, d: dict[str, Any], ws: web.WebSocketResponse, queue: asyncio.Queue[Any]) -> Session:
        world = self.server.world
        session = Session(id=secrets.token_hex(16), intents=int(d.get("intents", 0)))
        shard = d.get("shard") or [0, 1]
        session.shard = (int(shard[0]), max(1, int(shard[1])))
        session.ws, session.queue = ws, queue
        self.sessions[session.id] = session
        guilds = [g for g in world.guilds.values() if world.bot.id in g.members and session.owns(g.id)]
        session.push(
            "READY",
            {
                "v": 10,
                "user": payloads.user_json(world.bot) | {"verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": self.server.gateway_url,
                "shard": list(session.shard),
                "application": {"id": str(world.application_id), "flags": world.application_flags},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "auth_session_id_hash": "",
            },
        )
        with_members = bool(session.intents & Intents.GUILD_MEMBERS)
        for guild in guilds:
            session.push(
                "GUILD_CREATE", payloads.guild_json(world, guild, full=True, with_members=with_members)
            )
        self.identified.set()
        return session

    def _resume(
        self, d: dict[str, Any], ws: web.WebSocketResponse, queue: asyncio.Queue[Any]
    ) -> Session | None:
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or session.closed:
            queue.put_nowait({"op": 9, "d": False, "s": None, "t": None})
            return None
        last = int(d.get("seq") or 0)
        session.ws, session.queue = ws, queue
        for frame in session.buffer:
            if frame["s"] > last:
                queue.put_nowait(frame)
        session.push("RESUMED", {})
        self.resumes += 1
        return session

    def _request_members(self, session: Session, d: dict[str, Any]) -> None:
        world = self.server.world
        guild = world.guilds.get(int(d.get("guild_id", 0)))
        if guild is None:
            return
        ids = {int(u) for u in (d.get("user_ids") or [])}
        members = [m for m in guild.members.values() if not ids or m.user.id in ids]
        query = (d.get("query") or "").lower()
        if query:
            members = [m for m in members if m.user.name.lower().startswith(query)]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member_json(world, m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)
