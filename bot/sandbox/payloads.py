"""Discord API v10 JSON shapes of the sandbox world's objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.sandbox.world import (
    MENTION_RE,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Role,
    User,
    World,
)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.global_name or user.name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
        "locale": user.locale,
    }


def member_json(
    world: World, member: Member, *, with_user: bool = True, with_permissions: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_json(member.user)
    if with_permissions:
        guild = world.guilds[member.guild_id]
        data["permissions"] = str(world.permissions(guild, member.user.id))
    return data


def role_json(role: Role) -> dict[str, Any]:
    return {
        "id": str(role.id),
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }


def channel_json(world: World, ch: Channel) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(ch.id),
        "type": ch.type,
        "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
        "flags": 0,
    }
    if ch.type == ChannelType.DM:
        data["recipients"] = [user_json(world.users[u]) for u in ch.recipients]
        return data
    data.update(
        {
            "guild_id": str(ch.guild_id),
            "name": ch.name,
            "parent_id": str(ch.parent_id) if ch.parent_id else None,
            "rate_limit_per_user": 0,
            "nsfw": False,
        }
    )
    if ch.is_thread:
        data.update(
            {
                "owner_id": str(ch.owner_id),
                "message_count": ch.message_count,
                "total_message_sent": ch.message_count,
                "member_count": max(1, len(ch.thread_members)),
                "applied_tags": [str(t) for t in ch.applied_tags],
                "thread_metadata": {
                    "archived": ch.archived,
                    "locked": ch.locked,
                    "auto_archive_duration": 10080,
                    "archive_timestamp": datetime.fromtimestamp(ch.created_at, UTC).isoformat(),
                    **({"invitable": ch.invitable} if ch.type == ChannelType.PRIVATE_THREAD else {}),
                },
            }
        )
        return data
    data.update(
        {
            "position": ch.position,
            "topic": ch.topic,
            "permission_overwrites": [dict(o) for o in ch.permission_overwrites],
        }
    )
    if ch.type == ChannelType.FORUM:
        data.update(
            {
                "available_tags": [
                    {
                        "id": str(t["id"]),
                        "name": t["name"],
                        "moderated": t.get("moderated", False),
                        "emoji_id": None,
                        "emoji_name": t.get("emoji_name"),
                    }
                    for t in ch.available_tags
                ],
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_forum_layout": 0,
                "default_thread_rate_limit_per_user": 0,
            }
        )
    return data


def thread_member_json(thread: Channel, user_id: int) -> dict[str, Any]:
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": datetime.fromtimestamp(thread.created_at, UTC).isoformat(),
        "flags": 0,
    }


def attachment_json(base_url: str, att: Attachment) -> dict[str, Any]:
    url = f"{base_url}/attachments/{att.id}/{att.filename}"
    return {
        "id": str(att.id),
        "filename": att.filename,
        "size": len(att.data),
        "url": url,
        "proxy_url": url,
        "content_type": att.content_type,
        **({"description": att.description} if att.description is not None else {}),
    }


def message_json(world: World, msg: Message, base_url: str, *, gateway: bool = False) -> dict[str, Any]:
    channel = world.channels.get(msg.channel_id)
    author = world.users[msg.author_id]
    mentioned = {int(i) for k, i in MENTION_RE.findall(msg.content) if k != "&"}
    role_mentions = [i for k, i in MENTION_RE.findall(msg.content) if k == "&"]
    data: dict[str, Any] = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "type": msg.type,
        "author": user_json(author),
        "content": msg.content,
        "timestamp": msg.timestamp,
        "edited_timestamp": msg.edited_timestamp,
        "tts": False,
        "mention_everyone": "@everyone" in msg.content,
        "mentions": [user_json(world.users[u]) for u in mentioned if u in world.users],
        "mention_roles": role_mentions,
        "attachments": [attachment_json(base_url, a) for a in msg.attachments],
        "embeds": msg.embeds,
        "components": msg.components,
        "pinned": False,
        "flags": msg.flags,
    }
    if msg.nonce is not None:
        data["nonce"] = msg.nonce
    if msg.webhook_id:
        data["webhook_id"] = str(msg.webhook_id)
        data["application_id"] = str(world.application_id)
    if msg.message_reference:
        data["message_reference"] = msg.message_reference
    if msg.thread is not None and msg.thread.id != msg.channel_id:
        data["thread"] = channel_json(world, msg.thread)
    if channel is not None and channel.guild_id:
        data["guild_id"] = str(channel.guild_id)
        member = world.member(channel.guild_id, msg.author_id)
        if gateway and member is not None:
            data["member"] = member_json(world, member, with_user=False)
    return data


def guild_json(world: World, guild: Guild, *, full: bool, with_members: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_json(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": ["COMMUNITY"],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.preferred_locale,
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "home_header": None,
        "region": "deprecated",
        "widget_enabled": False,
        "widget_channel_id": None,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "safety_alerts_channel_id": None,
        "nsfw": False,
        "incidents_data": None,
    }
    if full:
        channels = [world.channels[c] for c in guild.channel_ids]
        members = (
            list(guild.members.values())
            if with_members
            else [m for m in guild.members.values() if m.user.id == world.bot.id]
        )
        data.update(
            {
                "joined_at": guild.members[world.bot.id].joined_at if world.bot.id in guild.members else None,
                "large": False,
                "unavailable": False,
                "member_count": len(guild.members),
                "voice_states": [],
                "members": [member_json(world, m) for m in members],
                "channels": [channel_json(world, c) for c in channels if not c.is_thread],
                "threads": [
                    channel_json(world, c)
                    for c in channels
                    if c.is_thread and not c.archived and world.can_view(c, world.bot.id)
                ],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
    return data


def application_json(world: World, owner: User) -> dict[str, Any]:
    return {
        "id": str(world.application_id),
        "name": world.bot.name,
        "icon": None,
        "description": "Liaison (sandbox)",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": user_json(world.bot),
        "owner": user_json(owner),
        "summary": "",
        "verify_key": "0" * 64,
        "team": None,
        "flags": world.application_flags,
        "tags": [],
        "approximate_guild_count": len(world.guilds),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "type": None,
        "flags_new": str(world.application_flags),
        "role_connections_verification_url": None,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
    }
