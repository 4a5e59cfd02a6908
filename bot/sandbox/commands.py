"""Builds INTERACTION_CREATE payloads as a Discord client would: resolves a typed command
line against the commands the bot synced and types option values from their definitions."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox import payloads
from bot.sandbox.server import ATTACHMENT_SIZE_LIMIT
from bot.sandbox.world import Attachment, Channel, ChannelType, Member, Role, User, World

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


def _names(defn: dict[str, Any]) -> set[str]:
    return {defn["name"], *(defn.get("name_localizations") or {}).values()}


def find_command(
    world: World, guild_id: int | None, line: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """``"resource search"`` -> (top-level command, [group/subcommand path], leaf definition)."""
    words = line.strip().lstrip("/").split()
    if not words:
        raise ValueError("empty command")
    top = next(
        (c for c in world.commands_for(guild_id) if c.get("type", 1) == 1 and words[0] in _names(c)), None
    )
    if top is None:
        raise ValueError(
            f"unknown command /{words[0]} (synced: {sorted(c['name'] for c in world.commands_for(guild_id))})"
        )
    path: list[dict[str, Any]] = []
    node = top
    for word in words[1:]:
        child = next(
            (
                o
                for o in node.get("options") or []
                if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) and word in _names(o)
            ),
            None,
        )
        if child is None:
            raise ValueError(f"unknown subcommand {word!r} of /{' '.join(words)}")
        path.append(child)
        node = child
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in node.get("options") or []):
        raise ValueError(f"/{' '.join(words)} needs a subcommand")
    return top, path, node


def parse_command_line(world: World, guild_id: int | None, line: str) -> tuple[str, dict[str, str]]:
    """``/resource search query: portal monitor tag: border`` -> ("resource search",
    {"query": "portal monitor", "tag": "border"}), using the synced definitions to tell
    subcommands and option names apart (as Discord's client does)."""
    text = line.strip().lstrip("/")
    words = text.split()
    if not words:
        raise ValueError("empty command")
    top = next(
        (c for c in world.commands_for(guild_id) if c.get("type", 1) == 1 and words[0] in _names(c)), None
    )
    if top is None:
        raise ValueError(f"unknown command /{words[0]}")
    path, node, used = [words[0]], top, 1
    while used < len(words):
        child = next(
            (
                o
                for o in node.get("options") or []
                if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) and words[used] in _names(o)
            ),
            None,
        )
        if child is None:
            break
        path.append(words[used])
        node, used = child, used + 1
    rest = text
    for word in path:
        rest = rest[rest.index(word) + len(word) :]
    names = [
        o["name"] for o in node.get("options") or [] if o["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP)
    ]
    options: dict[str, str] = {}
    if rest.strip():
        pattern = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names or ["$^"])) + r"):")
        marks = list(pattern.finditer(rest))
        if not marks or rest[: marks[0].start()].strip():
            raise ValueError(f"cannot read options from {rest.strip()!r} (options: {names})")
        for mark, after in zip(marks, [*marks[1:], None], strict=True):
            end = after.start() if after else len(rest)
            options[mark.group(1)] = rest[mark.end() : end].strip()
    return " ".join(path), options


class Resolver:
    def __init__(self, world: World, guild_id: int | None) -> None:
        self.world, self.guild_id = world, guild_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def user(self, value: Any) -> str:
        if isinstance(value, Member):
            value = value.user
        if isinstance(value, str):
            value = value.strip().removeprefix("<@").removeprefix("!").removesuffix(">")
            value = value.removeprefix("@")
        if isinstance(value, str) and not value.isdigit():
            value = next((u for u in self.world.users.values() if u.name == value), None)
        if isinstance(value, int | str):
            value = self.world.users.get(int(value))
        if not isinstance(value, User):
            raise ValueError(f"not a user: {value!r}")
        self._put("users", value.id, payloads.user_json(value))
        member = self.world.member(self.guild_id, value.id)
        if member is not None:
            self._put(
                "members",
                value.id,
                payloads.member_json(self.world, member, with_user=False, with_permissions=True),
            )
        return str(value.id)

    def channel(self, value: Any, types: list[int] | None = None) -> str:
        if isinstance(value, str):
            value = value.strip().removeprefix("<#").removesuffix(">").removeprefix("#")
        if isinstance(value, str) and not value.isdigit():
            value = next(
                (c for c in self.world.channels.values() if c.name == value and c.guild_id == self.guild_id),
                None,
            )
        if isinstance(value, int | str):
            value = self.world.channels.get(int(value))
        if not isinstance(value, Channel):
            raise ValueError(f"not a channel: {value!r}")
        if types and value.type not in types:
            raise ValueError(f"channel #{value.name} has type {value.type}, allowed {types}")
        self._put(
            "channels",
            value.id,
            payloads.channel_json(self.world, value)
            | {
                "permissions": str(
                    self.world.permissions(self.world.guilds[value.guild_id], self.world.bot.id)
                )
                if value.guild_id
                else "0"
            },
        )
        return str(value.id)

    def role(self, value: Any) -> str:
        guild = self.world.guilds.get(self.guild_id or 0)
        if guild is None:
            raise ValueError("roles only exist in a server")
        if isinstance(value, str):
            value = value.strip().removeprefix("<@&").removesuffix(">").removeprefix("@")
        if isinstance(value, str) and not value.isdigit():
            value = next((r for r in guild.roles.values() if r.name == value), None)
        if isinstance(value, int | str):
            value = guild.roles.get(int(value))
        if not isinstance(value, Role):
            raise ValueError(f"not a role: {value!r}")
        self._put("roles", value.id, payloads.role_json(value))
        return str(value.id)

    def attachment(self, value: Any, base_url: str) -> str:
        if isinstance(value, str):  # typed in the console: a file's path (or the checkout's)
            value = _file_attachment(value)
        if isinstance(value, tuple):
            value = self.world.add_attachment(value[0], value[1], value[2] if len(value) > 2 else None)
        if not isinstance(value, Attachment):
            raise ValueError(f"not an attachment (give (filename, bytes)): {value!r}")
        self._put("attachments", value.id, payloads.attachment_json(base_url, value))
        return str(value.id)


def type_value(defn: dict[str, Any], value: Any, resolver: Resolver, base_url: str) -> Any:
    kind, name = defn["type"], defn["name"]
    if kind == STRING:
        value = value if isinstance(value, str) else str(value)
        if len(value) < defn.get("min_length", 0) or len(value) > defn.get("max_length", 6000):
            raise ValueError(f"option {name}: length out of bounds")
    elif kind == INTEGER:
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise ValueError(f"option {name}: {value!r} is not an integer")
        value = int(value)
    elif kind == NUMBER:
        value = float(value)
    elif kind == BOOLEAN:
        if isinstance(value, str):
            if value.lower() not in ("true", "false"):
                raise ValueError(f"option {name}: {value!r} is not a boolean")
            value = value.lower() == "true"
        value = bool(value)
    elif kind == USER:
        value = resolver.user(value)
    elif kind == CHANNEL:
        value = resolver.channel(value, defn.get("channel_types"))
    elif kind == ROLE:
        value = resolver.role(value)
    elif kind == MENTIONABLE:
        value = resolver.role(value) if isinstance(value, Role) else resolver.user(value)
    elif kind == ATTACHMENT:
        value = resolver.attachment(value, base_url)
    if kind in (INTEGER, NUMBER):
        lo, hi = defn.get("min_value"), defn.get("max_value")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"option {name}: {value} out of range")
    choices = defn.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"option {name}: {value!r} is not one of {[c['value'] for c in choices]}")
    return value


def build_options(
    leaf: dict[str, Any],
    given: dict[str, Any],
    resolver: Resolver,
    base_url: str,
    *,
    focused: str | None = None,
) -> list[dict[str, Any]]:
    defs = {o["name"]: o for o in leaf.get("options") or []}
    for key in given:
        if key not in defs:
            raise ValueError(f"unknown option {key!r} (known: {sorted(defs)})")
    out = []
    for name, defn in defs.items():
        if name not in given:
            if defn.get("required") and name != focused and focused is None:
                raise ValueError(f"missing required option {name!r}")
            continue
        if name == focused:
            if not defn.get("autocomplete"):
                raise ValueError(f"option {name!r} has no autocomplete")
            out.append({"name": name, "type": defn["type"], "value": str(given[name]), "focused": True})
            continue
        value = type_value(defn, given[name], resolver, base_url)
        out.append({"name": name, "type": defn["type"], "value": value})
    return out


def command_data(
    world: World,
    guild_id: int | None,
    line: str,
    options: dict[str, Any],
    base_url: str,
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    top, path, leaf = find_command(world, guild_id, line)
    resolver = Resolver(world, guild_id)
    opts = build_options(leaf, options, resolver, base_url, focused=focused)
    for node in reversed(path):
        opts = [{"name": node["name"], "type": node["type"], "options": opts}]
    data: dict[str, Any] = {"id": top["id"], "name": top["name"], "type": 1, "options": opts}
    if top.get("guild_id"):
        data["guild_id"] = top["guild_id"]
    if resolver.resolved:
        data["resolved"] = resolver.resolved
    return data


def interaction_payload(
    world: World, inter_id: int, token: str, type: int, user: User, channel: Channel, data: dict[str, Any]
) -> dict[str, Any]:
    guild = world.guild_of(channel)
    ch_json = payloads.channel_json(world, channel)
    payload: dict[str, Any] = {
        "id": str(inter_id),
        "application_id": str(world.application_id),
        "type": type,
        "data": data,
        "channel_id": str(channel.id),
        "token": token,
        "version": 1,
        "locale": user.locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        member = guild.members.get(user.id)
        if member is None:
            raise ValueError(f"{user.name} is not a member of {guild.name}")
        bot_perms = world.channel_permissions(channel, world.bot.id)
        payload |= {
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            "guild_locale": guild.preferred_locale,
            "member": payloads.member_json(world, member)
            | {"permissions": str(world.channel_permissions(channel, user.id))},
            "app_permissions": str(bot_perms),
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "channel": ch_json | {"permissions": str(world.channel_permissions(channel, user.id))},
        }
    else:
        if channel.type != ChannelType.DM:
            raise ValueError("a channel outside a server must be a DM")
        payload |= {
            "user": payloads.user_json(user),
            "context": 1,
            "channel": ch_json,
            "app_permissions": "0",
            "authorizing_integration_owners": {"1": str(user.id)},
        }
    return payload


def _file_attachment(text: str) -> tuple[str, bytes]:
    """``scenario: bot/exercises/scenarios/border_source.yaml``: the file at that path, relative to
    the current folder or to the checkout, as an attachment."""
    from pathlib import Path

    wanted = Path(text.strip()).expanduser()
    for candidate in (wanted, Path(__file__).resolve().parents[2] / wanted):
        if candidate.is_file():
            return candidate.name, candidate.read_bytes()
    raise ValueError(f"no such file to attach: {text.strip()!r}")
