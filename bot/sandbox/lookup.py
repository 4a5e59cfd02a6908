"""Finding what a console line names: members, channels and threads, commands, form fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.world import Channel, ChannelType, User, World

if TYPE_CHECKING:
    from bot.sandbox.harness import LiaisonSandbox


class ConsoleError(Exception):
    """A console line that cannot be run: printed, and the session goes on."""


def find_member(sandbox: LiaisonSandbox, name: str) -> User:
    name = name.strip().lstrip("@").lower()
    user = next((u for key, u in sandbox.users.items() if key.lower() == name and not u.bot), None)
    if user is None:
        known = ", ".join(k for k, u in sandbox.users.items() if not u.bot)
        raise ConsoleError(f"no member {name!r} (members: {known})")
    return user


def threads(world: World) -> list[Channel]:
    return sorted(world.threads_of(), key=lambda c: c.id)


def short(world: World, channel: Channel) -> str:
    if channel.is_thread:
        return f"t{threads(world).index(channel) + 1}"
    return "dm" if channel.type == ChannelType.DM else f"#{channel.name}"


def find_channel(sandbox: LiaisonSandbox, member: User, text: str) -> Channel:
    world = sandbox.world
    key = text.strip().strip('"').lstrip("#").lower()
    if key in ("dm", "dms"):
        return world.dm_channel(member)
    guild = sandbox.guild
    assert guild is not None
    named = [world.channels[c] for c in guild.channel_ids if world.channels[c].name == key]
    if named:
        return named[0]
    listed = threads(world)
    if key[:1] == "t" and key[1:].isdigit() and 0 < int(key[1:]) <= len(listed):
        return listed[int(key[1:]) - 1]
    if key.isdigit() and int(key) in world.channels:
        return world.channels[int(key)]
    matches = [t for t in listed if key and key in t.name.lower()]
    if len(matches) == 1:
        return matches[0]
    raise ConsoleError(
        f"no channel or thread {text!r}"
        + (" (several threads match)" if matches else "")
        + "; see `channels`"
    )


def check_command(sandbox: LiaisonSandbox, line: str) -> None:
    """Name the commands and subcommands there are when the line names none of them."""
    words = line.strip().lstrip("/").split()
    commands = {c["name"]: c for c in sandbox.commands}
    if not words or words[0] not in commands:
        raise ConsoleError(
            f"unknown command /{words[0] if words else ''} (commands: {', '.join(sorted(commands))})"
        )
    subs = [o["name"] for o in commands[words[0]].get("options") or [] if o["type"] in (1, 2)]
    if subs and (len(words) < 2 or words[1] not in subs):
        given = f"unknown subcommand {words[1]!r} of" if len(words) > 1 else "a subcommand is needed for"
        raise ConsoleError(f"{given} /{words[0]} (subcommands: {', '.join(subs)})")


def modal_field(typed: str, fields: list[tuple[str, str]]) -> str:
    """A field by its id or label, or the start of its label, in any case."""
    key = typed.casefold()
    for custom_id, label in fields:
        if key in (custom_id.casefold(), label.casefold()):
            return label or custom_id
    starting = [label for _, label in fields if label.casefold().startswith(key)]
    if len(starting) == 1:
        return starting[0]
    names = ", ".join(label or custom_id for custom_id, label in fields)
    raise ConsoleError(f"no field {typed!r} in the form (fields: {names})")


def describe(sandbox: LiaisonSandbox, user: User) -> str:
    guild = sandbox.guild
    assert guild is not None
    member = guild.members.get(user.id)
    roles = [guild.roles[r].name for r in (member.roles if member else []) if r in guild.roles]
    bits = [f"locale {user.locale}", f"roles: {', '.join(roles) or 'none'}"]
    if not user.dms_open:
        bits.append("DMs closed")
    if member is None:
        bits.append("not a member")
    return "; ".join(bits)
