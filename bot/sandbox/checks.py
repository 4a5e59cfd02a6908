"""What the bot may do, checked on the REST routes as Discord does: 403 ``50001 Missing Access``
when it cannot see the channel, 403 ``50013 Missing Permissions`` when it sees it but lacks a
permission (or its highest role is not above the role it manages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.permissions import can_manage_role, can_view, channel_permissions, has
from bot.sandbox.server import ApiError
from bot.sandbox.world import Channel, ChannelType, Guild, Perm, Role

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def view(s: SandboxServer, ch: Channel) -> None:
    if ch.guild_id is not None and not can_view(s.world, ch, s.world.bot.id):
        raise missing_access()


def require(s: SandboxServer, ch: Channel, permission: int) -> None:
    """The bot sees ``ch`` and has every bit of ``permission`` there."""
    view(s, ch)
    if ch.guild_id is not None and not has(s.world, ch, s.world.bot.id, permission):
        raise missing_permissions()


def bot_has(s: SandboxServer, ch: Channel, permission: int) -> bool:
    return ch.guild_id is None or has(s.world, ch, s.world.bot.id, permission)


def message(s: SandboxServer, ch: Channel, data: dict[str, Any], files: int, *, edit: bool = False) -> bool:
    """Send (or edit) a message: Send Messages (Send Messages in Threads in a thread; a forum
    post: Send Messages in the forum), Attach Files for new files. Returns whether embeds may
    stay: without Embed Links Discord drops them, and refuses a message that only had embeds."""
    if ch.guild_id is None:
        return True
    if edit:
        view(s, ch)
    else:
        require(s, ch, Perm.SEND_MESSAGES)
    if files and not has(s.world, ch, s.world.bot.id, Perm.ATTACH_FILES):
        raise missing_permissions()
    if data.get("embeds") and not has(s.world, ch, s.world.bot.id, Perm.EMBED_LINKS):
        if not (data.get("content") or files or data.get("components") or data.get("attachments") or edit):
            raise missing_permissions()
        return False
    return True


def create_thread(s: SandboxServer, parent: Channel, type: int) -> None:
    if parent.type == ChannelType.FORUM:
        require(s, parent, Perm.SEND_MESSAGES)
    elif type == ChannelType.PRIVATE_THREAD:
        require(s, parent, Perm.CREATE_PRIVATE_THREADS)
    else:
        require(s, parent, Perm.CREATE_PUBLIC_THREADS)


def edit_channel(s: SandboxServer, ch: Channel, data: dict[str, Any], moderated_tags: bool) -> None:
    """A thread: its creator may rename, archive and tag it; locking it, moderated tags and
    other threads need Manage Threads. Any other channel: Manage Channels."""
    if not ch.is_thread:
        require(s, ch, Perm.MANAGE_CHANNELS)
        return
    view(s, ch)
    own = ch.owner_id == s.world.bot.id
    if not own or "locked" in data or moderated_tags or "invitable" in data:
        require(s, ch, Perm.MANAGE_THREADS)


def delete_message(s: SandboxServer, ch: Channel, author_id: int) -> None:
    if author_id == s.world.bot.id:
        view(s, ch)
    else:
        require(s, ch, Perm.MANAGE_MESSAGES)


def thread_member(s: SandboxServer, thread: Channel, user_id: int, *, add: bool) -> None:
    """Joining (itself) needs to see the thread; adding another member needs to send messages
    in it (a private thread not invitable: Manage Threads); removing one needs Manage Threads
    (the creator of a private thread may)."""
    bot_id = s.world.bot.id
    view(s, thread)
    if user_id == bot_id:
        return
    if add:
        require(s, thread, Perm.SEND_MESSAGES)
        if thread.type == ChannelType.PRIVATE_THREAD and not thread.invitable:
            require(s, thread, Perm.MANAGE_THREADS)
    elif not (thread.type == ChannelType.PRIVATE_THREAD and thread.owner_id == bot_id):
        require(s, thread, Perm.MANAGE_THREADS)


def member_role(s: SandboxServer, guild: Guild, role: Role) -> None:
    if not can_manage_role(s.world, guild, s.world.bot.id, role):
        raise missing_permissions()


def overwrite(s: SandboxServer, ch: Channel, bits: int) -> None:
    """Manage Roles in the channel, and only bits the bot has there itself."""
    require(s, ch, Perm.MANAGE_ROLES)
    mine = channel_permissions(s.world, ch, s.world.bot.id)
    if bits & ~mine and not mine & Perm.ADMINISTRATOR:
        raise missing_permissions()


def create_channel(s: SandboxServer, guild: Guild, overwrites: list[dict[str, Any]]) -> None:
    perms = s.world.permissions(guild, s.world.bot.id)
    if not perms & Perm.MANAGE_CHANNELS:
        raise missing_permissions()
    if overwrites and not perms & (Perm.MANAGE_ROLES | Perm.ADMINISTRATOR):
        raise missing_permissions()
