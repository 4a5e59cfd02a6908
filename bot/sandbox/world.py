"""In-memory world of the sandbox: guilds, roles, members, channels, threads, messages, DMs,
application commands and interactions. Plain data; JSON shapes live in ``payloads``."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable
from typing import Any

from bot.sandbox.entities import (
    DISCORD_EPOCH_MS,
    Attachment,
    Channel,
    ChannelType,
    Flags,
    Guild,
    Interaction,
    Member,
    Message,
    Perm,
    Role,
    User,
    now_iso,
)

__all__ = [
    "DISCORD_EPOCH_MS",
    "MENTION_RE",
    "Attachment",
    "Channel",
    "ChannelType",
    "Flags",
    "Guild",
    "Interaction",
    "Member",
    "Message",
    "Perm",
    "Role",
    "User",
    "World",
    "now_iso",
]

MENTION_RE = re.compile(r"<@(!|&)?(\d+)>")


class World:
    """Everything the fake Discord knows. All state is plain Python objects."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.ack_window = 3.0
        # privileged intents enabled for the application in the "developer portal"
        self.allowed_intents = (1 << 1) | (1 << 8) | (1 << 15)
        self.bot = self.create_user("Liaison", bot=True)
        self.application_id = self.bot.id
        self.application_flags = 0
        self.token = "sandbox-token"

    # ---- identities -----------------------------------------------------------------
    def snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)

    def create_user(self, name: str, **kwargs: Any) -> User:
        user = User(id=self.snowflake(), name=name, **kwargs)
        self.users[user.id] = user
        return user

    def create_guild(self, name: str, owner: User, **kwargs: Any) -> Guild:
        guild = Guild(id=self.snowflake(), name=name, owner_id=owner.id, **kwargs)
        guild.roles[guild.id] = Role(id=guild.id, name="@everyone", permissions=Perm.EVERYONE_DEFAULT)
        self.guilds[guild.id] = guild
        self.add_member(guild, owner)
        return guild

    def create_role(
        self, guild: Guild, name: str, permissions: int = 0, *, position: int = 1, **kwargs: Any
    ) -> Role:
        """A role at ``position`` (default 1: just above ``@everyone``, where Discord puts a
        new role); the roles from there up move up one."""
        role = Role(id=self.snowflake(), name=name, permissions=permissions, **kwargs)
        guild.roles[role.id] = role
        self.move_role(guild, role, position)
        return role

    def move_role(self, guild: Guild, role: Role, position: int) -> None:
        """Put ``role`` at ``position`` (1 = lowest above ``@everyone``) and renumber the rest."""
        others = sorted(
            (r for r in guild.roles.values() if r.id not in (role.id, guild.id)),
            key=lambda r: (r.position, -r.id),
        )
        position = max(1, min(position, len(others) + 1))
        others.insert(position - 1, role)
        for i, r in enumerate(others, start=1):
            r.position = i

    def add_member(self, guild: Guild, user: User, roles: Iterable[Role | int] = ()) -> Member:
        ids = [r.id if isinstance(r, Role) else int(r) for r in roles]
        member = Member(user=user, guild_id=guild.id, roles=ids)
        guild.members[user.id] = member
        return member

    def create_channel(
        self, guild: Guild | None, name: str, type: int = ChannelType.TEXT, **kwargs: Any
    ) -> Channel:
        """A channel; one created in a category without overwrites of its own is synced with the
        category (a copy of its overwrites), as Discord does. A thread's owner is its member."""
        channel = Channel(
            id=self.snowflake(), type=type, name=name, guild_id=guild.id if guild else None, **kwargs
        )
        parent = self.channels.get(channel.parent_id or 0)
        if (
            parent is not None
            and parent.type == ChannelType.CATEGORY
            and not channel.is_thread
            and "permission_overwrites" not in kwargs
        ):
            channel.permission_overwrites = [dict(o) for o in parent.permission_overwrites]
        if channel.is_thread and channel.owner_id is not None:
            channel.thread_members.add(channel.owner_id)
        if guild is not None:
            channel.position = len(guild.channel_ids)
            guild.channel_ids.append(channel.id)
        self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user: User) -> Channel:
        for ch in self.channels.values():
            if ch.type == ChannelType.DM and ch.recipients == [user.id]:
                return ch
        return self.create_channel(None, "", ChannelType.DM, recipients=[user.id])

    # ---- lookups --------------------------------------------------------------------
    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def member(self, guild_id: int | None, user_id: int) -> Member | None:
        guild = self.guilds.get(guild_id) if guild_id else None
        return guild.members.get(user_id) if guild else None

    def permissions(self, guild: Guild, user_id: int) -> int:
        if user_id == guild.owner_id:
            return Perm.ALL
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = guild.everyone.permissions
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """What ``user_id`` may do in ``channel`` (roles, overwrites, thread's parent)."""
        from bot.sandbox.permissions import channel_permissions

        return channel_permissions(self, channel, user_id)

    def can_view(self, channel: Channel, user_id: int) -> bool:
        """Whether ``user_id`` sees ``channel`` (a private thread: members and Manage Threads)."""
        from bot.sandbox.permissions import can_view

        return can_view(self, channel, user_id)

    def channel_messages(self, channel_id: int) -> list[Message]:
        return sorted(
            (m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted),
            key=lambda m: m.id,
        )

    def threads_of(self, parent_id: int | None = None) -> list[Channel]:
        return [
            c
            for c in self.channels.values()
            if c.is_thread and (parent_id is None or c.parent_id == parent_id)
        ]

    def commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        local = self.guild_commands.get(guild_id, []) if guild_id else []
        return [*local, *self.global_commands]

    # ---- messages -------------------------------------------------------------------
    def add_attachment(
        self, filename: str, data: bytes, content_type: str | None = None, description: str | None = None
    ) -> Attachment:
        att = Attachment(
            id=self.snowflake(),
            filename=filename,
            data=data,
            content_type=content_type or "application/octet-stream",
            description=description,
        )
        self.attachments[att.id] = att
        return att

    def post(self, channel: Channel, author_id: int, **fields: Any) -> Message:
        msg = Message(id=self.snowflake(), channel_id=channel.id, author_id=author_id, **fields)
        self.messages[msg.id] = msg
        if msg.visible_to is None:
            channel.last_message_id = msg.id
            if channel.is_thread:
                channel.message_count += 1
        return msg

    def find_nonce(
        self, channel_id: int, author_id: int, nonce: str | int, window: float = 120.0
    ) -> Message | None:
        limit = time.monotonic() - window
        for msg in self.messages.values():
            if (
                msg.channel_id == channel_id
                and msg.author_id == author_id
                and msg.nonce == nonce
                and msg.created >= limit
            ):
                return msg
        return None

    def mentions_that_would_ping(self, message: Message) -> set[int | str]:
        """Who Discord would notify for ``message``: user ids (int), ``"role:<id>"``,
        ``"everyone"`` and ``"here"``, taking ``allowed_mentions`` into account."""
        from bot.sandbox.mentions import would_ping

        return would_ping(self, message)

    # ---- interactions ---------------------------------------------------------------
    def new_interaction(
        self, type: int, user: User, channel: Channel | None, payload: dict[str, Any]
    ) -> Interaction:
        iid = self.snowflake()
        token = f"itk-{iid}-{next(self._counter)}"
        inter = Interaction(
            id=iid,
            token=token,
            type=type,
            user_id=user.id,
            channel_id=channel.id if channel else None,
            guild_id=channel.guild_id if channel else None,
            payload=payload,
        )
        self.interactions[iid] = inter
        self.interactions_by_token[token] = inter
        return inter
