"""What Liaison needs from Discord, per feature: the one table read by ``/liaison check``, the
end of ``/liaison setup``, the run-time checks before the bot posts, and the README.

Plain data (no discord import): permissions are named as discord.py names them
(``discord.Permissions`` attributes), channels and roles by the setting that configures them
(``<setting>_id`` on the server's settings). A new channel or role setting is one more ``Need``
or ``RoleNeed`` here; settings a server does not have (or a branch does not know yet) are read
as not configured.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FORUM, TEXT = "forum", "text"
BOTH = frozenset({FORUM, TEXT})

# Discord's order in the channel settings, so every list reads in the same order
PERMISSION_ORDER = (
    "view_channel",
    "manage_roles",
    "send_messages",
    "send_messages_in_threads",
    "create_public_threads",
    "create_private_threads",
    "embed_links",
    "attach_files",
    "mention_everyone",
    "manage_threads",
    "read_message_history",
)


@dataclass(frozen=True)
class Need:
    """``feature`` (message key ``perms.feature.<feature>``) acts in the channel of ``setting``
    and needs ``permissions`` there (only in channels of ``kinds``: a forum or a text channel)."""

    feature: str
    setting: str
    permissions: tuple[str, ...]
    kinds: frozenset[str] = BOTH


@dataclass(frozen=True)
class RoleNeed:
    """``feature`` gives and takes the role of ``setting``: Manage Roles, and Liaison's highest
    role above it."""

    feature: str
    setting: str


NEEDS: tuple[Need, ...] = (
    # /ask: a forum post (or a message and its thread)
    Need("qa_post", "qa_channel", ("view_channel", "send_messages", "embed_links")),
    Need("qa_post", "qa_channel", ("create_public_threads",), frozenset({TEXT})),
    # the experts (and, after the waiting time, the moderators) are mentioned in the thread
    Need("qa_route", "qa_channel", ("send_messages_in_threads",)),
    # /qa solved reads the thread for the answer, and in a forum applies the moderated "solved" tag
    Need("qa_solved", "qa_channel", ("read_message_history",)),
    Need("qa_solved", "qa_channel", ("manage_threads",), frozenset({FORUM})),
    Need("event_announce", "events_channel", ("view_channel", "send_messages", "embed_links")),
    Need("event_reminder", "events_channel", ("view_channel", "send_messages")),
    Need("review_notice", "review_channel", ("view_channel", "send_messages")),
    # settings added with the restricted Q&A and the exercises (read when present)
    Need(
        "restricted_post",
        "restricted_channel",
        ("view_channel", "send_messages", "send_messages_in_threads", "embed_links", "read_message_history"),
    ),
    Need("restricted_post", "restricted_channel", ("create_public_threads",), frozenset({TEXT})),
    Need("restricted_post", "restricted_channel", ("manage_threads",), frozenset({FORUM})),
    Need(
        "exercise_threads",
        "exercises_channel",
        (
            "view_channel",
            "send_messages",
            "send_messages_in_threads",
            "create_private_threads",
            "embed_links",
            "attach_files",
            "manage_threads",
        ),
        frozenset({TEXT}),
    ),
)

ROLE_NEEDS: tuple[RoleNeed, ...] = (RoleNeed("verified_members", "verified_role"),)

CHANNEL_SETTINGS: tuple[str, ...] = tuple(dict.fromkeys(need.setting for need in NEEDS))
ROLE_SETTINGS: tuple[str, ...] = tuple(dict.fromkeys(need.setting for need in ROLE_NEEDS))


def ordered(permissions: Iterable[str]) -> tuple[str, ...]:
    unique = set(permissions)
    known = [p for p in PERMISSION_ORDER if p in unique]
    return (*known, *sorted(unique - set(known)))


def needs_in(setting: str, kind: str) -> dict[str, tuple[str, ...]]:
    """Feature -> the permissions it needs in the channel of ``setting`` (of ``kind``)."""
    out: dict[str, list[str]] = {}
    for need in NEEDS:
        if need.setting == setting and kind in need.kinds:
            out.setdefault(need.feature, []).extend(need.permissions)
    return {feature: ordered(perms) for feature, perms in out.items()}


def feature_needs(feature: str, kind: str) -> tuple[str, ...]:
    """The permissions ``feature`` needs in a channel of ``kind``."""
    return ordered(
        p for need in NEEDS if need.feature == feature and kind in need.kinds for p in need.permissions
    )


def configured_channels(settings: Any) -> list[tuple[str, int]]:
    """(setting, channel id) of every channel setting that is set, in the table's order."""
    pairs = [(key, getattr(settings, f"{key}_id", None)) for key in CHANNEL_SETTINGS]
    return [(key, int(value)) for key, value in pairs if value]


def configured_roles(settings: Any) -> list[tuple[str, int]]:
    """(setting, role id) of every role Liaison manages that is set."""
    pairs = [(key, getattr(settings, f"{key}_id", None)) for key in ROLE_SETTINGS]
    return [(key, int(value)) for key, value in pairs if value]


@dataclass(frozen=True)
class ChannelSeen:
    """What the bot has in one configured channel (``kind`` None: gone or hidden from it)."""

    setting: str
    channel_id: int
    kind: str | None
    granted: frozenset[str]


@dataclass(frozen=True)
class RoleSeen:
    setting: str
    role_id: int
    exists: bool
    below_bot: bool  # the bot's highest role is above it
    can_manage_roles: bool  # Manage Roles (or administrator) server-wide


@dataclass(frozen=True)
class ChannelProblem:
    setting: str
    channel_id: int
    missing: tuple[str, ...]  # empty with ``gone``
    features: tuple[str, ...]
    gone: bool = False


@dataclass(frozen=True)
class RoleProblem:
    setting: str
    role_id: int
    reason: str  # "gone", "no_manage_roles" or "above_bot"
    feature: str


@dataclass(frozen=True)
class Report:
    channels: tuple[ChannelSeen, ...]
    roles: tuple[RoleSeen, ...]
    channel_problems: tuple[ChannelProblem, ...]
    role_problems: tuple[RoleProblem, ...]

    @property
    def healthy(self) -> bool:
        return not self.channel_problems and not self.role_problems


def missing_in(seen: ChannelSeen) -> ChannelProblem | None:
    if seen.kind is None:
        features = tuple(needs_in(seen.setting, TEXT))
        return ChannelProblem(seen.setting, seen.channel_id, (), features, gone=True)
    missing: set[str] = set()
    affected: list[str] = []
    for feature, perms in needs_in(seen.setting, seen.kind).items():
        lacking = [p for p in perms if p not in seen.granted]
        if lacking:
            missing.update(lacking)
            affected.append(feature)
    if not missing:
        return None
    return ChannelProblem(seen.setting, seen.channel_id, ordered(missing), tuple(affected))


def role_problem(seen: RoleSeen) -> RoleProblem | None:
    feature = next(n.feature for n in ROLE_NEEDS if n.setting == seen.setting)
    if not seen.exists:
        return RoleProblem(seen.setting, seen.role_id, "gone", feature)
    if not seen.can_manage_roles:
        return RoleProblem(seen.setting, seen.role_id, "no_manage_roles", feature)
    if not seen.below_bot:
        return RoleProblem(seen.setting, seen.role_id, "above_bot", feature)
    return None


def check(channels: Iterable[ChannelSeen], roles: Iterable[RoleSeen]) -> Report:
    channels, roles = tuple(channels), tuple(roles)
    channel_problems = tuple(p for p in map(missing_in, channels) if p is not None)
    role_problems = tuple(p for p in map(role_problem, roles) if p is not None)
    return Report(channels, roles, channel_problems, role_problems)
