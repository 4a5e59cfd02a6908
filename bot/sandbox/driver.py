"""The user side of the sandbox: tests and the console act as members through ``Sandbox``."""
# ruff: noqa: ASYNC109, ASYNC110  (timeouts are part of the driver API; polling the world is the point)

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox import payloads
from bot.sandbox.actions import MemberActions
from bot.sandbox.commands import (
    Resolver,
    command_data,
    interaction_payload,
    parse_command_line,
)
from bot.sandbox.faults import Fault
from bot.sandbox.server import RecordedRequest, SandboxServer
from bot.sandbox.world import (
    Channel,
    ChannelType,
    Guild,
    Interaction,
    Member,
    Message,
    Perm,
    Role,
    User,
    World,
)

__all__ = ["Interaction", "Message", "Sandbox"]

QA_TAGS = ("detection", "border", "regulation", "response", "solved")
BOT_PERMISSIONS = (
    Perm.EVERYONE_DEFAULT
    | Perm.MANAGE_MESSAGES
    | Perm.MANAGE_THREADS
    | Perm.MENTION_EVERYONE
    | Perm.MANAGE_ROLES
)


class Registry(dict[str, Any]):
    """A dict whose entries also read as attributes: ``sandbox.users.alice``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Sandbox(MemberActions):
    """Owns a world and the server in front of it, and acts as its users."""

    def __init__(self, world: World, server: SandboxServer) -> None:
        self.world, self.server = world, server
        self.users: Registry = Registry()
        self.channels: Registry = Registry()
        self.roles: Registry = Registry()
        self.guild: Guild | None = None
        self.quiet_period = 0.08
        self.deferred_update_wait = 1.0
        self.last_interaction: Interaction | None = None

    @classmethod
    async def start(cls, *, seed_default_world: bool = True, port: int = 0) -> Sandbox:
        world = World()
        server = SandboxServer(world)
        sandbox = cls(world, server)
        sandbox.users["bot"] = world.bot
        if seed_default_world:
            sandbox._seed()
        await server.start(port)
        return sandbox

    async def close(self) -> None:
        await self.server.close()

    def _seed(self) -> None:
        w = self.world
        owner = w.create_user("owner")
        self.users["owner"] = owner
        guild = self.guild = w.create_guild("R/N Practitioners", owner)
        bot_role = w.create_role(guild, "Liaison", BOT_PERMISSIONS, managed=True)
        w.add_member(guild, w.bot, [bot_role])
        self.roles["bot"] = bot_role
        self.roles["moderators"] = w.create_role(
            guild, "Moderators", Perm.MANAGE_MESSAGES | Perm.MANAGE_THREADS, mentionable=True
        )
        self.roles["coordinators"] = w.create_role(guild, "Coordinators", Perm.MANAGE_GUILD)
        self.roles["everyone"] = guild.everyone
        for name in ("general", "events"):
            self.channels[name] = w.create_channel(guild, name, topic=f"#{name}")
        tags = [{"id": w.snowflake(), "name": t, "moderated": t == "solved"} for t in QA_TAGS]
        self.channels["qa"] = w.create_channel(guild, "qa", ChannelType.FORUM, available_tags=tags)
        for name in ("qa-text", "review"):
            self.channels[name] = w.create_channel(guild, name)
        self.add_member("alice", roles=[self.roles.moderators])
        self.add_member("bruno", locale="fr")
        self.add_member("carol", locale="en-GB")
        self.add_member("dmitri", roles=[self.roles.coordinators])
        self.add_member("eve", dms_open=False)

    # ---- addresses ------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        return self.server.api_base

    @property
    def gateway_url(self) -> str:
        return self.server.gateway_url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.server.requests

    @property
    def unknown_routes(self) -> list[str]:
        return self.server.unknown_routes

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The commands the bot synced (guild ones first, then global)."""
        return self.world.commands_for(self.guild.id if self.guild else None)

    # ---- members --------------------------------------------------------------------
    def add_member(
        self,
        name: str,
        *,
        locale: str = "en-US",
        roles: Iterable[Role | int] = (),
        dms_open: bool = True,
        guild: Guild | None = None,
    ) -> User:
        guild = guild or self.guild
        user = self.world.create_user(name, locale=locale, dms_open=dms_open)
        self.users[name] = user
        if guild is not None:
            member = self.world.add_member(guild, user, roles)
            self.server.gateway.dispatch(
                "GUILD_MEMBER_ADD", payloads.member_json(self.world, member) | {"guild_id": str(guild.id)}
            )
        return user

    async def remove_member(self, user: User | Member, *, guild: Guild | None = None) -> None:
        guild = guild or self.guild
        assert guild is not None
        user = user.user if isinstance(user, Member) else user
        guild.members.pop(user.id, None)
        self.server.gateway.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": payloads.user_json(user)}
        )
        await asyncio.sleep(0)

    # ---- acting ---------------------------------------------------------------------
    def _place(self, user: User, channel: Channel | None, guild: Any) -> Channel:
        if channel is not None:
            return channel
        if guild is None:
            return self.world.dm_channel(user)
        if guild is not ... and guild is not self.guild:
            first = next(
                (
                    self.world.channels[c]
                    for c in guild.channel_ids
                    if self.world.channels[c].type == ChannelType.TEXT
                ),
                None,
            )
            if first is None:
                raise ValueError("that server has no text channel")
            return first
        return self.channels["general"]  # type: ignore[no-any-return]

    async def _interact(
        self,
        type: int,
        user: User | Member,
        channel: Channel,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        user = user.user if isinstance(user, Member) else user
        inter = self.world.new_interaction(type, user, channel, {})
        payload = interaction_payload(self.world, inter.id, inter.token, type, user, channel, data)
        if message is not None:
            inter.message_id = message.id
            payload["message"] = self.server.message_json(message)
        inter.payload = payload
        inter.created = time.monotonic()
        self.last_interaction = inter
        self.server.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    async def _settle(self, inter: Interaction, timeout: float) -> Interaction:
        deadline = time.monotonic() + timeout
        while not (inter.acked or inter.errors) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        while inter.thinking and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        # a deferred update (type 6) shows nothing: wait a little for the edit that follows it
        until = min(deadline, time.monotonic() + self.deferred_update_wait)
        while inter.updating and time.monotonic() < until:
            await asyncio.sleep(0.005)
        await self.quiet(deadline=deadline)
        return inter

    async def quiet(self, period: float | None = None, *, deadline: float | None = None) -> None:
        """Wait until the bot has made no request for ``period`` seconds."""
        period = self.quiet_period if period is None else period
        deadline = deadline or time.monotonic() + 5.0
        while time.monotonic() < deadline:
            last = self.requests[-1].at if self.requests else 0.0
            idle = time.monotonic() - last
            if idle >= period:
                return
            await asyncio.sleep(period - idle)

    async def slash(
        self,
        command: str,
        *,
        user: User | Member,
        channel: Channel | None = None,
        guild: Any = ...,
        timeout: float = 5.0,
        args: dict[str, Any] | None = None,
        **options: Any,
    ) -> Interaction:
        """Run ``/command`` as ``user``; returns once answered and settled. Options go as keywords,
        or in ``args`` for those named like this method's own (``channel``, ``user``, ``guild``)."""
        options = {**(args or {}), **options}
        where = self._place(user if isinstance(user, User) else user.user, channel, guild)
        if where.type == ChannelType.FORUM:
            raise ValueError("commands run in a forum's posts, not in the forum itself")
        data = command_data(self.world, where.guild_id, command, options, self.server.base_url)
        inter = await self._interact(2, user, where, data)
        return await self._settle(inter, timeout)

    def parse(self, line: str, *, channel: Channel | None = None) -> tuple[str, dict[str, str]]:
        """Read a typed line (``/resource search query: portal monitor``) into the command
        and its options, as ``slash(command, **options)`` takes them."""
        guild_id = channel.guild_id if channel else (self.guild.id if self.guild else None)
        return parse_command_line(self.world, guild_id, line)

    async def autocomplete(
        self,
        command: str,
        option_name: str,
        value: str,
        *,
        user: User | Member,
        channel: Channel | None = None,
        guild: Any = ...,
        timeout: float = 5.0,
        **other_options: Any,
    ) -> list[dict[str, Any]]:
        where = self._place(user if isinstance(user, User) else user.user, channel, guild)
        options = {**other_options, option_name: value}
        data = command_data(
            self.world, where.guild_id, command, options, self.server.base_url, focused=option_name
        )
        inter = await self._interact(4, user, where, data)
        deadline = time.monotonic() + timeout
        while inter.choices is None and not inter.errors and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return inter.choices or []

    @staticmethod
    def _message_of(target: Message | Interaction) -> Message:
        if isinstance(target, Message):
            return target
        with_components = [m for m in target.responses if m.components and not m.deleted]
        if not with_components:
            raise ValueError("that interaction shows no components")
        return with_components[-1]

    @staticmethod
    def _components(msg: Message) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for comp in items:
                out.append(comp)
                walk(comp.get("components") or [])
                if isinstance(comp.get("accessory"), dict):
                    out.append(comp["accessory"])

        walk(msg.components)
        return out

    async def click(
        self,
        message: Message | Interaction,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        index: int | None = None,
        user: User | Member,
        timeout: float = 5.0,
    ) -> Interaction:
        msg = self._message_of(message)
        uid = user.id
        if not msg.visible_for(uid) or msg.deleted:
            raise ValueError("that message is not visible to this user")
        buttons = [c for c in self._components(msg) if c["type"] == 2]
        if label is not None:
            buttons = [b for b in buttons if b.get("label") == label]
        if custom_id is not None:
            buttons = [b for b in buttons if b.get("custom_id") == custom_id]
        if index is not None:
            buttons = buttons[index : index + 1]
        if not buttons:
            raise ValueError(f"no such button (label={label!r}, custom_id={custom_id!r}, index={index})")
        button = buttons[0]
        if button.get("disabled") or button.get("style") == 5 or not button.get("custom_id"):
            raise ValueError(f"button {button.get('label')!r} cannot be clicked")
        channel = self.world.channels[msg.channel_id]
        data = {"custom_id": button["custom_id"], "component_type": 2}
        inter = await self._interact(3, user, channel, data, msg)
        return await self._settle(inter, timeout)

    async def select(
        self,
        message: Message | Interaction,
        values: list[Any],
        *,
        custom_id: str | None = None,
        index: int = 0,
        user: User | Member,
        timeout: float = 5.0,
    ) -> Interaction:
        msg = self._message_of(message)
        if not msg.visible_for(user.id) or msg.deleted:
            raise ValueError("that message is not visible to this user")
        selects = [c for c in self._components(msg) if c["type"] in (3, 5, 6, 7, 8)]
        if custom_id is not None:
            selects = [c for c in selects if c.get("custom_id") == custom_id]
        else:
            selects = selects[index : index + 1]
        if not selects:
            raise ValueError("no such select menu")
        menu = selects[0]
        if menu.get("disabled"):
            raise ValueError("that select menu is disabled")
        if not menu.get("min_values", 1) <= len(values) <= menu.get("max_values", 1):
            raise ValueError("wrong number of values for that select menu")
        channel = self.world.channels[msg.channel_id]
        resolver = Resolver(self.world, channel.guild_id)
        if menu["type"] == 3:
            allowed = [o["value"] for o in menu.get("options") or []]
            if any(v not in allowed for v in values):
                raise ValueError(f"values must be among {allowed}")
            ids = [str(v) for v in values]
        else:
            pick: dict[int, Callable[[Any], str]] = {
                5: resolver.user,
                6: resolver.role,
                7: lambda v: resolver.user(v) if isinstance(v, User | Member) else resolver.role(v),
                8: resolver.channel,
            }
            ids = [pick[menu["type"]](v) for v in values]
        data: dict[str, Any] = {"custom_id": menu["custom_id"], "component_type": menu["type"], "values": ids}
        if resolver.resolved:
            data["resolved"] = resolver.resolved
        inter = await self._interact(3, user, channel, data, msg)
        return await self._settle(inter, timeout)

    async def submit_modal(
        self,
        interaction_with_modal: Interaction,
        values: dict[str, str],
        *,
        user: User | Member,
        timeout: float = 5.0,
    ) -> Interaction:
        source = interaction_with_modal
        modal = source.modal
        if modal is None:
            raise ValueError("that interaction did not open a modal")
        remaining = dict(values)

        def fill(comp: dict[str, Any], label: str | None) -> dict[str, Any]:
            cid = comp.get("custom_id")
            keys = [
                k
                for k in (cid, label, comp.get("label"), comp.get("placeholder"))
                if k is not None and k in remaining
            ]
            value = remaining.pop(keys[0]) if keys else comp.get("value") or ""
            if comp["type"] == 4:
                if comp.get("required", True) and not value:
                    raise ValueError(f"modal field {label or cid!r} is required")
                if not comp.get("min_length", 0) <= len(value) <= comp.get("max_length", 4000):
                    raise ValueError(f"modal field {label or cid!r}: length out of bounds")
                return {"type": 4, "custom_id": cid, "value": value, "id": comp.get("id", 0)}
            picked = value if isinstance(value, list) else [value] if value else []
            return {"type": comp["type"], "custom_id": cid, "values": picked, "id": comp.get("id", 0)}

        components = []
        for top in modal.get("components") or []:
            if top["type"] == 1:
                components.append(
                    {
                        "type": 1,
                        "id": top.get("id", 0),
                        "components": [fill(c, c.get("label")) for c in top.get("components") or []],
                    }
                )
            elif top["type"] == 18:
                components.append(
                    {
                        "type": 18,
                        "id": top.get("id", 0),
                        "component": fill(top["component"], top.get("label")),
                    }
                )
        if remaining:
            raise ValueError(f"unknown modal fields: {sorted(remaining)}")
        channel = self.world.channels[source.channel_id or 0]
        data = {"custom_id": modal["custom_id"], "components": components}
        message = self.world.messages.get(source.message_id or 0)
        inter = await self._interact(5, user, channel, data, message)
        return await self._settle(inter, timeout)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)

    async def wait_for_bot(self, timeout: float = 10.0) -> None:
        """Wait until a bot session is identified on the gateway."""
        await self.wait_for(lambda: any(s.ws is not None for s in self.server.gateway.live_sessions), timeout)

    # ---- faults ---------------------------------------------------------------------
    async def drop_gateway(self) -> None:
        """Close the gateway connection from the server side; the bot must RESUME."""
        await self.server.gateway.drop()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the bot must reconnect and RESUME."""
        await self.server.gateway.reconnect()

    def fail_next(
        self,
        route_substring: str,
        status: int = 500,
        count: int = 1,
        retry_after: float = 0.1,
        *,
        method: str | None = None,
        is_global: bool = False,
    ) -> Fault:
        return self.server.faults.add(
            route_substring, status, count, retry_after, method=method, is_global=is_global
        )
