"""Permissions as Discord computes them: the member's roles, then the channel's overwrites
(``@everyone``, the member's roles together, the member), implicit denials, threads that inherit
their parent, and private threads that only their members (and Manage Threads) can see.

https://discord.com/developers/docs/topics/permissions#permission-overwrites
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.world import Channel, ChannelType, Guild, Perm, Role, World

ROLE, MEMBER = 0, 1  # overwrite types

# what a member without Send Messages also loses in a text channel (Discord's implicit denial)
_NEEDS_SEND = Perm.MENTION_EVERYONE | Perm.SEND_TTS | Perm.ATTACH_FILES | Perm.EMBED_LINKS


def base_permissions(world: World, guild: Guild, user_id: int) -> int:
    """Server-wide permissions: the owner and administrators have them all."""
    return world.permissions(guild, user_id)


def overwrite(target_id: int, type: int, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """One overwrite in Discord's JSON shape."""
    return {"id": str(target_id), "type": type, "allow": str(allow), "deny": str(deny)}


def find_overwrite(channel: Channel, target_id: int) -> dict[str, Any] | None:
    return next((o for o in channel.permission_overwrites if int(o["id"]) == target_id), None)


def set_overwrite(channel: Channel, target_id: int, type: int, allow: int, deny: int) -> None:
    """Replace (or add) the overwrite of ``target_id``; both zero removes it."""
    channel.permission_overwrites[:] = [o for o in channel.permission_overwrites if int(o["id"]) != target_id]
    if allow or deny:
        channel.permission_overwrites.append(overwrite(target_id, type, allow, deny))


def overwrite_of(world: World, channel: Channel) -> Channel:
    """The channel whose overwrites apply: a thread's parent, else the channel itself."""
    if channel.is_thread and channel.parent_id in world.channels:
        return world.channels[channel.parent_id or 0]
    return channel


def channel_permissions(world: World, channel: Channel, user_id: int) -> int:
    """What ``user_id`` may do in ``channel`` (a thread: in its parent). 0 without View Channel.
    Private-thread membership is not a permission: see ``can_view``."""
    guild = world.guild_of(channel)
    if guild is None:  # a DM
        return Perm.EVERYONE_DEFAULT if user_id in (*channel.recipients, world.bot.id) else 0
    if user_id not in guild.members and user_id != guild.owner_id:
        return 0
    perms = base_permissions(world, guild, user_id)
    if perms & Perm.ADMINISTRATOR:
        return Perm.ALL
    source = overwrite_of(world, channel)
    overwrites = {int(o["id"]): o for o in source.permission_overwrites}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
    member = guild.members.get(user_id)
    role_ids = member.roles if member else []
    allow = deny = 0
    for rid in role_ids:
        o = overwrites.get(rid)
        if o is not None and o.get("type", ROLE) == ROLE:
            allow |= int(o["allow"])
            deny |= int(o["deny"])
    perms = (perms & ~deny) | allow
    mine = overwrites.get(user_id)
    if mine is not None and mine.get("type") == MEMBER:
        perms = (perms & ~int(mine["deny"])) | int(mine["allow"])
    if not perms & Perm.VIEW_CHANNEL:
        return 0
    if not perms & Perm.SEND_MESSAGES and source.type != ChannelType.FORUM:
        perms &= ~_NEEDS_SEND
    return perms


def can_view(world: World, channel: Channel, user_id: int) -> bool:
    """Whether ``user_id`` sees ``channel`` at all (a private thread: its members, and members
    with Manage Threads, among those who see the parent)."""
    if channel.type == ChannelType.DM:
        return user_id in channel.recipients or user_id == world.bot.id
    perms = channel_permissions(world, channel, user_id)
    if not perms & Perm.VIEW_CHANNEL:
        return False
    if channel.type == ChannelType.PRIVATE_THREAD and not perms & Perm.ADMINISTRATOR:
        return user_id in channel.thread_members or bool(perms & Perm.MANAGE_THREADS)
    return True


def has(world: World, channel: Channel, user_id: int, permission: int) -> bool:
    """Every bit of ``permission`` in ``channel`` (a thread: Send Messages is Send Messages in
    Threads there, as Discord reads it)."""
    perms = channel_permissions(world, channel, user_id)
    if channel.is_thread and permission & Perm.SEND_MESSAGES:
        permission = (permission & ~Perm.SEND_MESSAGES) | Perm.SEND_MESSAGES_IN_THREADS
    return perms & permission == permission


def top_role(guild: Guild, user_id: int) -> Role:
    """The member's highest role (``@everyone`` when they have none)."""
    member = guild.members.get(user_id)
    roles = [guild.roles[r] for r in (member.roles if member else []) if r in guild.roles]
    return max(roles, key=lambda r: (r.position, -r.id), default=guild.everyone)


def can_manage_role(world: World, guild: Guild, user_id: int, role: Role) -> bool:
    """Manage Roles and a highest role above ``role`` (the owner always can)."""
    if user_id == guild.owner_id:
        return True
    if not base_permissions(world, guild, user_id) & Perm.MANAGE_ROLES or role.managed:
        return False
    mine = top_role(guild, user_id)
    return (mine.position, -mine.id) > (role.position, -role.id)
