"""What members do outside interactions: post, reply, open forum posts, edit threads, delete
messages; and reading what landed where. Mixed into ``Sandbox``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.sandbox.server import SandboxServer
from bot.sandbox.world import Channel, ChannelType, Member, Message, Perm, User, World


class MemberActions:
    world: World
    server: SandboxServer

    def _check_member(self, channel: Channel, user: User | Member) -> int:
        if channel.guild_id and self.world.member(channel.guild_id, user.id) is None:
            raise ValueError("only members can post in a server channel")
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
        """Messages in a channel, oldest first; with ``user``, only those they can see."""
        msgs = self.world.channel_messages(channel.id)
        return [m for m in msgs if user is None or m.visible_for(user.id)]

    def dms(self, user: User | Member) -> list[Message]:
        """What the bot sent ``user`` (and they sent it) in their DM channel."""
        u = user.user if isinstance(user, Member) else user
        return self.world.channel_messages(self.world.dm_channel(u).id)

    def threads(self, channel: Channel | None = None) -> list[Channel]:
        """Threads (forum posts included) of ``channel``, or of every channel."""
        return self.world.threads_of(channel.id if channel else None)
