"""The sandbox's plain records: users, roles, members, guilds, channels and threads, messages,
attachments and interactions, with Discord's permission bits, channel types and message flags."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000


class Perm:
    """Permission bits (the subset the sandbox reasons about)."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1
    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS
    )

    @classmethod
    def named(cls, name: str) -> int:
        """A bit by its name (``embed_links``, ``EMBED_LINKS``, ``Embed Links``)."""
        value = getattr(cls, name.strip().upper().replace(" ", "_").replace("-", "_"), None)
        if not isinstance(value, int) or name.strip().upper() in ("ALL", "EVERYONE_DEFAULT"):
            raise ValueError(f"unknown permission: {name!r}")
        return value


class ChannelType:
    TEXT = 0
    DM = 1
    CATEGORY = 4
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15


class Flags:
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_EMBEDS = 1 << 2
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15
    SETTABLE = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class User:
    id: int
    name: str
    bot: bool = False
    locale: str = "en-US"
    dms_open: bool = True
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    applied_tags: list[int] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    owner_id: int | None = None
    recipients: list[int] = field(default_factory=list)
    last_message_id: int | None = None
    message_count: int = 0
    # Discord's JSON shape: {"id", "type": 0 role / 1 member, "allow", "deny"} (bits as strings)
    permission_overwrites: list[dict[str, Any]] = field(default_factory=list)
    thread_members: set[int] = field(default_factory=set)  # private threads: who is in
    invitable: bool = True  # private threads: non-moderators may add members
    created_at: float = field(default_factory=time.time)

    @property
    def is_thread(self) -> bool:
        return self.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def tag_id(self, name: str) -> int:
        for tag in self.available_tags:
            if tag["name"] == name:
                return int(tag["id"])
        raise KeyError(name)


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"
    description: str | None = None


@dataclass(eq=False)
class Message:
    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    visible_to: set[int] | None = None  # None: everyone who sees the channel
    interaction_id: int | None = None
    webhook_id: int | None = None
    type: int = 0
    timestamp: str = field(default_factory=now_iso)
    edited_timestamp: str | None = None
    created: float = field(default_factory=time.monotonic)
    thread: Channel | None = None  # thread started from this message (or the forum post's thread)
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & Flags.EPHEMERAL)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        return [(a.filename, a.data) for a in self.attachments]

    def visible_for(self, user_id: int) -> bool:
        return self.visible_to is None or user_id in self.visible_to

    def buttons(self) -> list[dict[str, Any]]:
        return [c for row in self.components for c in row.get("components", []) if c["type"] == 2]


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]


@dataclass(eq=False)
class Interaction:
    """One interaction as the invoking user experienced it."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int | None
    guild_id: int | None
    payload: dict[str, Any] = field(repr=False)
    created: float = field(default_factory=time.monotonic, repr=False)
    message_id: int | None = None  # the message whose component was used
    ack_type: int | None = None
    ack_status: int | None = None  # HTTP status answered to the first callback attempt
    acked_in: float | None = None
    responses: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    followups_pending: bool = False
    webhook_requests: int = 0  # follow-ups and @original edits/deletes made with its token

    @property
    def updating(self) -> bool:
        """Acknowledged as a deferred update (type 6) and not followed by any edit or follow-up
        yet: the bot is still working on what it will change."""
        return self.ack_type == 6 and self.webhook_requests == 0

    @property
    def acked(self) -> bool:
        return self.ack_type is not None

    @property
    def error(self) -> dict[str, Any] | None:
        return self.errors[-1] if self.errors else None

    @property
    def original(self) -> Message | None:
        """The first response (``@original``), deleted or not."""
        return self.responses[0] if self.responses else None

    @property
    def response(self) -> Message | None:
        """The answer as the invoker sees it: the first response still there (a "thinking"
        message deleted to answer privately instead is no longer the answer)."""
        return next((m for m in self.responses if not m.deleted), None)

    @property
    def content(self) -> str | None:
        return self.response.content if self.response else None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.response.embeds if self.response else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.response.components if self.response else []

    @property
    def ephemeral(self) -> bool:
        return bool(self.response and self.response.ephemeral)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        return self.response.files if self.response else []

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.response.allowed_mentions if self.response else None

    @property
    def thinking(self) -> bool:
        """Deferred and not answered yet: the "thinking" message stands, or it was deleted and
        nothing followed it yet (a bot answering with the other visibility)."""
        original = self.original
        if original is None or not original.flags & Flags.LOADING:
            return False
        return not original.deleted or self.response is None
