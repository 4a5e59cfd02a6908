"""What members do outside interactions: post, reply, open forum posts, edit threads, delete
messages; and reading what landed where. Mixed into ``Sandbox``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.sandbox import permissions
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import Channel, ChannelType, Guild, Member, Message, Perm, Role, User, World


class MemberActions:
    world: World
    server: SandboxServer

    def _check_member(self, channel: Channel, user: User | Member) -> int:
        if channel.guild_id and self.world.member(channel.guild_id, user.id) is None:
            raise ValueError("only members can post in a server channel")
        if channel.guild_id and not (
            self.world.can_view(channel, user.id)
            and permissions.has(self.world, channel, user.id, Perm.SEND_MESSAGES)
        ):
            raise ValueError(f"{user.id} cannot post in #{channel.name}")
        return user.id

    async def send_message(
        self,
        channel: Channel,
        content: str,
        *,
        user: User | Member,
        files: Iterable[tuple[str, bytes]] = (),
        reply_to: Message | None = None,
    ) -> Message:
        """``user`` posts in ``channel`` (a text channel, thread or DM); the bot gets
        MESSAGE_CREATE (content blanked if it lacks the message-content intent)."""
        uid = self._check_member(channel, user)
        if channel.type == ChannelType.FORUM:
            raise ValueError("post in a forum with create_post()")
        if channel.is_thread and channel.locked:
            raise ValueError("that thread is locked")
        if channel.is_thread and channel.archived:  # posting reopens an archived thread
            channel.archived = False
            self.server.dispatch_channel("THREAD_UPDATE", channel)
        atts = [self.world.add_attachment(name, data) for name, data in files]
        ref = {"message_id": str(reply_to.id), "channel_id": str(channel.id)} if reply_to else None
        msg = self.world.post(
            channel, uid, content=content, attachments=atts, message_reference=ref, type=19 if ref else 0
        )
        self.server.dispatch_message("MESSAGE_CREATE", msg)
        await asyncio.sleep(0)
        return msg

    async def create_post(
        self, forum: Channel, title: str, content: str, *, user: User | Member, tags: Iterable[str] = ()
    ) -> Channel:
        """``user`` opens a forum post by hand: THREAD_CREATE then the starter message."""
        uid = self._check_member(forum, user)
        if forum.type != ChannelType.FORUM:
            raise ValueError("create_post() needs a forum channel")
        guild = self.world.guild_of(forum)
        thread = self.world.create_channel(
            guild,
            title,
            ChannelType.PUBLIC_THREAD,
            parent_id=forum.id,
            owner_id=uid,
            applied_tags=[forum.tag_id(t) for t in tags],
        )
        msg = self.world.post(thread, uid, content=content)
        msg.thread = thread
        self.server.dispatch_channel("THREAD_CREATE", thread)
        self.server.dispatch_message("MESSAGE_CREATE", msg)
        await asyncio.sleep(0)
        return thread

    async def edit_thread(
        self,
        thread: Channel,
        *,
        user: User | Member,
        name: str | None = None,
        archived: bool | None = None,
        locked: bool | None = None,
        tags: Iterable[str] | None = None,
    ) -> Channel:
        """The thread's owner or a member with Manage Threads changes it (THREAD_UPDATE)."""
        guild = self.world.guild_of(thread)
        allowed = guild is not None and (
            user.id == thread.owner_id or self.world.permissions(guild, user.id) & Perm.MANAGE_THREADS
        )
        if not thread.is_thread or not allowed:
            raise ValueError("only the thread's owner or a moderator can edit it")
        if name is not None:
            thread.name = name
        if archived is not None:
            thread.archived = archived
        if locked is not None:
            thread.locked = locked
        if tags is not None:
            parent = self.world.channels[thread.parent_id or 0]
            thread.applied_tags = [parent.tag_id(t) for t in tags]
        self.server.dispatch_channel("THREAD_UPDATE", thread)
        await asyncio.sleep(0)
        return thread

    async def delete_message(self, message: Message, *, user: User | Member) -> None:
        """Its author (or a member with Manage Messages) deletes a message."""
        channel = self.world.channels[message.channel_id]
        guild = self.world.guild_of(channel)
        if user.id != message.author_id and not (
            guild and self.world.permissions(guild, user.id) & Perm.MANAGE_MESSAGES
        ):
            raise ValueError("only the author or a moderator can delete that message")
        message.deleted = True
        data = {"id": str(message.id), "channel_id": str(channel.id)}
        if guild is not None:
            data["guild_id"] = str(guild.id)
        self.server.gateway.dispatch("MESSAGE_DELETE", data, guild=guild is not None)
        await asyncio.sleep(0)

    # ---- reading --------------------------------------------------------------------
    def messages(self, channel: Channel, *, user: User | Member | None = None) -> list[Message]:
        """Messages in a channel, oldest first; with ``user``, only those they can see (none in
        a channel hidden from them)."""
        if user is not None and not self.world.can_view(channel, user.id):
            return []
        msgs = self.world.channel_messages(channel.id)
        return [m for m in msgs if user is None or m.visible_for(user.id)]

    def dms(self, user: User | Member) -> list[Message]:
        """What the bot sent ``user`` (and they sent it) in their DM channel."""
        u = user.user if isinstance(user, Member) else user
        return self.world.channel_messages(self.world.dm_channel(u).id)

    def threads(self, channel: Channel | None = None) -> list[Channel]:
        """Threads (forum posts included) of ``channel``, or of every channel."""
        return self.world.threads_of(channel.id if channel else None)

    # ---- permissions (what a server admin does in Discord's settings) ---------------------
    def can_view(self, channel: Channel, user: User | Member) -> bool:
        return self.world.can_view(channel, user.id)

    def set_permissions(
        self, channel: Channel, target: Role | User | Member, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Replace ``target``'s overwrite on ``channel`` (a thread: on its parent; both zero
        removes it); the bot gets CHANNEL_UPDATE."""
        channel = permissions.overwrite_of(self.world, channel)
        kind = permissions.ROLE if isinstance(target, Role) else permissions.MEMBER
        permissions.set_overwrite(channel, target.id, kind, allow, deny)
        self.server.dispatch_channel("CHANNEL_UPDATE", channel)

    def remove_bot_permission(self, channel: Channel, permission: int) -> None:
        """Deny ``permission`` to the bot in ``channel`` (a thread: its parent), as an admin
        editing the channel would."""
        self._bot_overwrite(channel, deny=permission)

    def give_bot_permission(self, channel: Channel, permission: int) -> None:
        """Give back ``permission`` removed with ``remove_bot_permission`` (allowed explicitly
        if a role overwrite still denies it)."""
        self._bot_overwrite(channel, allow=permission)

    def _bot_overwrite(self, channel: Channel, *, allow: int = 0, deny: int = 0) -> None:
        source = permissions.overwrite_of(self.world, channel)
        bot_id = self.world.bot.id
        current = permissions.find_overwrite(source, bot_id)
        old_allow = int(current["allow"]) if current else 0
        old_deny = int(current["deny"]) if current else 0
        new_deny = (old_deny | deny) & ~allow
        new_allow = old_allow & ~deny
        permissions.set_overwrite(source, bot_id, permissions.MEMBER, new_allow, new_deny)
        if allow and not permissions.has(self.world, source, bot_id, allow):
            new_allow |= allow
            permissions.set_overwrite(source, bot_id, permissions.MEMBER, new_allow, new_deny)
        self.server.dispatch_channel("CHANNEL_UPDATE", source)

    def create_role(
        self,
        name: str,
        permissions_: int = 0,
        *,
        position: int = 1,
        guild: Guild | None = None,
        **kwargs: object,
    ) -> Role:
        """An admin creates a role (at ``position``, 1 = just above ``@everyone``, where Discord
        puts a new role); the bot gets GUILD_ROLE_CREATE, and ``sandbox.roles[name]`` is it."""
        from bot.sandbox import payloads

        guild = guild or self._guild()
        role = self.world.create_role(guild, name, permissions_, position=position, **kwargs)
        registry = getattr(self, "roles", None)
        if isinstance(registry, dict) and name not in registry:
            registry[name] = role
        self.server.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": payloads.role_json(role)}
        )
        for other in guild.roles.values():
            if other is not role:
                self._role_update(other, guild)
        return role

    def set_role_permissions(self, role: Role, permissions_: int) -> None:
        """Change a role's server-wide permissions (GUILD_ROLE_UPDATE)."""
        role.permissions = permissions_
        self._role_update(role)

    def move_role(self, role: Role, position: int, *, guild: Guild | None = None) -> None:
        """Move ``role`` to ``position`` (1 = just above ``@everyone``)."""
        guild = guild or self._guild()
        self.world.move_role(guild, role, position)
        for r in guild.roles.values():
            self._role_update(r, guild)

    def _role_update(self, role: Role, guild: Guild | None = None) -> None:
        from bot.sandbox import payloads

        guild = guild or self._guild()
        self.server.gateway.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": payloads.role_json(role)}
        )

    def _guild(self) -> Guild:
        guild = getattr(self, "guild", None)
        if guild is None:
            raise ValueError("no server")
        return guild

    def create_channel(
        self,
        name: str,
        type: int = ChannelType.TEXT,
        *,
        parent: Channel | None = None,
        overwrites: dict[Role | User | Member, tuple[int, int]] | None = None,
        guild: Guild | None = None,
        **kwargs: object,
    ) -> Channel:
        """An admin creates a channel (or a category, type 4) with overwrites
        ``{target: (allow, deny)}``; in a category without overwrites it is synced with it."""
        guild = guild or self._guild()
        extra: dict[str, object] = dict(kwargs)
        if overwrites is not None:
            extra["permission_overwrites"] = [
                permissions.overwrite(
                    t.id, permissions.ROLE if isinstance(t, Role) else permissions.MEMBER, a, d
                )
                for t, (a, d) in overwrites.items()
            ]
        channel = self.world.create_channel(
            guild, name, type, parent_id=parent.id if parent else None, **extra
        )
        registry = getattr(self, "channels", None)
        if isinstance(registry, dict) and name not in registry:
            registry[name] = channel
        self.server.dispatch_channel("CHANNEL_CREATE", channel)
        return channel

    def add_thread_member(self, thread: Channel, user: User | Member) -> None:
        """``user`` is added to ``thread`` by someone in it (THREAD_MEMBERS_UPDATE)."""
        thread.thread_members.add(user.id)
        self.server.dispatch_thread_members(thread, user.id, added=True)

    def remove_thread_member(self, thread: Channel, user: User | Member) -> None:
        thread.thread_members.discard(user.id)
        self.server.dispatch_thread_members(thread, user.id, added=False)
