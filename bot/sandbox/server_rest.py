"""REST routes: users, application, commands, channels, messages, threads, DMs, guilds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox import checks, limits, payloads, permissions
from bot.sandbox.server import BODY, ApiError, Body, invalid_form, json_response, no_content
from bot.sandbox.world import Channel, ChannelType, Flags, Guild, Message, Perm

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer


def register(s: SandboxServer) -> None:
    world = s.world

    def body(request: web.Request) -> Body:
        return request[BODY]

    def data(request: web.Request) -> dict[str, Any]:
        d = body(request).json
        return d if isinstance(d, dict) else {}

    def guild(request: web.Request) -> Guild:
        gid = request.match_info["guild_id"]
        g = world.guilds.get(int(gid)) if gid.isdigit() else None
        if g is None or world.bot.id not in g.members:
            raise ApiError(404, 10004, "Unknown Guild")
        return g

    # ---- identity -------------------------------------------------------------------
    async def me(request: web.Request) -> web.Response:
        return json_response(payloads.user_json(world.bot) | {"verified": True, "mfa_enabled": False})

    async def application(request: web.Request) -> web.Response:
        owners = [world.users[g.owner_id] for g in world.guilds.values()]
        return json_response(payloads.application_json(world, owners[0] if owners else world.bot))

    async def get_user(request: web.Request) -> web.Response:
        uid = request.match_info["user_id"]
        user = world.users.get(int(uid)) if uid.isdigit() else None
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(payloads.user_json(user))

    # ---- application commands -------------------------------------------------------
    def overwrite(existing: list[dict[str, Any]], new: Any, guild_id: int | None) -> list[dict[str, Any]]:
        if not isinstance(new, list):
            raise invalid_form({"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array"}]})
        errors = limits.check_commands(new)
        if errors:
            raise invalid_form(errors)
        ids = {(c["name"], c.get("type", 1)): c["id"] for c in existing}
        out = []
        for cmd in new:
            key = (cmd["name"], cmd.get("type", 1))
            full = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
            } | cmd
            if full["integration_types"] is None:  # Discord's default: installed in servers
                full["integration_types"] = [0]
            if full["default_member_permissions"] is not None:  # Discord answers a string
                full["default_member_permissions"] = str(full["default_member_permissions"])
            full |= {
                "id": ids.get(key) or str(world.snowflake()),
                "application_id": str(world.application_id),
                "version": str(world.snowflake()),
            }
            if guild_id is not None:
                full["guild_id"] = str(guild_id)
            out.append(full)
        return out

    async def put_global(request: web.Request) -> web.Response:
        world.global_commands = overwrite(world.global_commands, body(request).json, None)
        return json_response(world.global_commands)

    async def get_global(request: web.Request) -> web.Response:
        return json_response(world.global_commands)

    async def put_guild_cmds(request: web.Request) -> web.Response:
        g = guild(request)
        world.guild_commands[g.id] = overwrite(world.guild_commands.get(g.id, []), body(request).json, g.id)
        return json_response(world.guild_commands[g.id])

    async def get_guild_cmds(request: web.Request) -> web.Response:
        return json_response(world.guild_commands.get(guild(request).id, []))

    # ---- channels -------------------------------------------------------------------
    async def get_channel(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        checks.view(s, ch)
        return json_response(s.channel_json(ch))

    async def patch_channel(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        d = data(request)
        errors: limits.Errors = {}
        if "name" in d and not (1 <= len(d["name"] or "") <= 100):
            errors["name"] = {
                "_errors": [
                    {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}
                ]
            }
        if "applied_tags" in d:
            errors |= check_tags(ch, d["applied_tags"])
        if errors:
            raise invalid_form(errors)
        checks.edit_channel(s, ch, d, moderated_tags=adds_moderated_tag(ch, d.get("applied_tags")))
        for key in ("name", "topic", "archived", "locked", "invitable"):
            if key in d:
                setattr(ch, key, d[key])
        if "applied_tags" in d:
            ch.applied_tags = [int(t) for t in d["applied_tags"]]
        s.dispatch_channel("THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE", ch)
        return json_response(s.channel_json(ch))

    def adds_moderated_tag(thread: Channel, tags: Any) -> bool:
        parent = world.channels.get(thread.parent_id or 0)
        if not isinstance(tags, list) or parent is None:
            return False
        moderated = {int(t["id"]) for t in parent.available_tags if t.get("moderated")}
        return bool(({int(t) for t in tags} - set(thread.applied_tags)) & moderated)

    def check_tags(thread: Channel, tags: Any) -> limits.Errors:
        parent = world.channels.get(thread.parent_id or 0)
        known = {int(t["id"]) for t in parent.available_tags} if parent else set()
        if not isinstance(tags, list) or len(tags) > 5:
            return {
                "applied_tags": {
                    "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 5 or fewer in length."}]
                }
            }
        if any(int(t) not in known for t in tags):
            return {"applied_tags": {"_errors": [{"code": "TAG_INVALID", "message": "Unknown tag"}]}}
        return {}

    # ---- messages -------------------------------------------------------------------
    def post_in(ch: Channel, request: web.Request, d: dict[str, Any]) -> Message:
        if ch.type == ChannelType.FORUM:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if ch.type == ChannelType.DM:
            recipient = world.users[ch.recipients[0]]
            if not recipient.dms_open or recipient.bot:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        embeds_allowed = checks.message(s, ch, d, len(body(request).files))
        if ch.is_thread and ch.locked and not checks.bot_has(s, ch, Perm.MANAGE_THREADS):
            raise ApiError(403, 160005, "Thread is locked")
        fields = s.message_fields(body(request))
        if not embeds_allowed:  # Discord drops them silently when something else remains
            fields["embeds"] = []
        fields["flags"] = fields.get("flags", 0) & ~Flags.EPHEMERAL  # only interactions may
        if fields.get("nonce") is not None and d.get("enforce_nonce"):
            first = world.find_nonce(ch.id, world.bot.id, fields["nonce"])
            if first is not None:
                return first
        if ch.is_thread and ch.archived:
            ch.archived = False
            s.dispatch_channel("THREAD_UPDATE", ch)
        msg = world.post(ch, world.bot.id, **fields)
        s.dispatch_message("MESSAGE_CREATE", msg)
        if ch.type == ChannelType.PRIVATE_THREAD:  # a member mentioned (pinged) is added
            for uid in world.mentions_that_would_ping(msg):
                if (
                    isinstance(uid, int)
                    and uid not in ch.thread_members
                    and permissions.has(world, ch, uid, Perm.VIEW_CHANNEL)
                ):
                    ch.thread_members.add(uid)
                    s.dispatch_thread_members(ch, uid, added=True)
        return msg

    async def create_message(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        return json_response(s.message_json(post_in(ch, request, data(request))))

    async def list_messages(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        checks.view(s, ch)
        if not checks.bot_has(s, ch, Perm.READ_MESSAGE_HISTORY):
            return json_response([])
        q = request.query
        limit = max(1, min(100, int(q.get("limit", 50))))
        msgs = [m for m in world.channel_messages(ch.id) if m.visible_to is None]
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])][-limit:]
        elif "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])][:limit]
        elif "around" in q:
            pivot = int(q["around"])
            older = [m for m in msgs if m.id <= pivot][-(limit // 2 + 1) :]
            msgs = older + [m for m in msgs if m.id > pivot][: limit - len(older)]
        else:
            msgs = msgs[-limit:]
        return json_response([s.message_json(m) for m in reversed(msgs)])

    async def get_message(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        checks.require(s, ch, Perm.READ_MESSAGE_HISTORY)
        msg = s.message(ch, request.match_info["message_id"])
        if msg.visible_to is not None:
            raise ApiError(404, 10008, "Unknown Message")
        return json_response(s.message_json(msg))

    async def edit_message(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        msg = s.message(ch, request.match_info["message_id"])
        if msg.author_id != world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        embeds_allowed = checks.message(s, ch, data(request), len(body(request).files), edit=True)
        fields = s.message_fields(body(request), edit=True, existing=msg)
        if not embeds_allowed and "embeds" in fields:
            fields["embeds"] = []
        s.edit_message(msg, fields)
        return json_response(s.message_json(msg))

    async def delete_message(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        msg = s.message(ch, request.match_info["message_id"])
        checks.delete_message(s, ch, msg.author_id)
        msg.deleted = True
        s.gateway.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(msg.id),
                "channel_id": str(ch.id),
                **({"guild_id": str(ch.guild_id)} if ch.guild_id else {}),
            },
            guild=ch.guild_id is not None,
        )
        return no_content()

    async def typing(request: web.Request) -> web.Response:
        checks.require(s, s.channel(request.match_info["channel_id"]), Perm.SEND_MESSAGES)
        return no_content()

    async def reaction(request: web.Request) -> web.Response:  # also pins: acknowledged only
        ch = s.channel(request.match_info["channel_id"])
        if "/pins/" in request.path:
            checks.require(s, ch, Perm.MANAGE_MESSAGES)
        elif request.method == "PUT":
            checks.require(s, ch, Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        else:
            checks.view(s, ch)
        s.message(ch, request.match_info["message_id"])
        return no_content()

    # ---- threads --------------------------------------------------------------------
    def new_thread(
        parent: Channel, d: dict[str, Any], tid: int | None = None, type: int = ChannelType.PUBLIC_THREAD
    ) -> Channel:
        name = d.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise invalid_form(
                {
                    "name": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 1 and 100 in length.",
                            }
                        ]
                    }
                }
            )
        g = world.guild_of(parent)
        thread = world.create_channel(g, name, type, parent_id=parent.id, owner_id=world.bot.id)
        if tid is not None:  # a thread started from a message shares the message's id
            world.channels.pop(thread.id)
            if g is not None:
                g.channel_ids[-1] = tid
            thread.id = tid
            world.channels[tid] = thread
        return thread

    async def create_thread(request: web.Request) -> web.Response:
        parent = s.channel(request.match_info["channel_id"])
        d = data(request)
        ttype = int(d.get("type") or ChannelType.PRIVATE_THREAD)
        if parent.type in (ChannelType.FORUM, ChannelType.TEXT):
            checks.create_thread(s, parent, ttype)
        if parent.type == ChannelType.FORUM:
            if not isinstance(d.get("message"), dict):
                raise invalid_form(
                    {
                        "message": {
                            "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]
                        }
                    }
                )
            tag_errors = check_tags(Channel(id=0, type=11, parent_id=parent.id), d.get("applied_tags") or [])
            if tag_errors:
                raise invalid_form(tag_errors)
            msg_body = Body(d["message"], body(request).files)
            embeds_allowed = checks.message(s, parent, d["message"], len(msg_body.files))
            fields = s.message_fields(msg_body)
            if not embeds_allowed:
                fields["embeds"] = []
            thread = new_thread(parent, d)
            thread.applied_tags = [int(t) for t in d.get("applied_tags") or []]
            msg = world.post(thread, world.bot.id, **fields)
            world.channels.pop(thread.id)
            thread.id = msg.id
            world.channels[msg.id] = thread
            g = world.guild_of(parent)
            if g is not None:
                g.channel_ids[-1] = msg.id
            msg.channel_id = thread.id
            msg.thread = thread
            parent.last_message_id = thread.id
            s.dispatch_channel("THREAD_CREATE", thread)
            s.dispatch_message("MESSAGE_CREATE", msg)
            return json_response(s.channel_json(thread) | {"message": s.message_json(msg)}, 201)
        if parent.type != ChannelType.TEXT:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if ttype not in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD):
            raise invalid_form(
                {
                    "type": {
                        "_errors": [
                            {"code": "BASE_TYPE_CHOICES", "message": "Value must be one of {11, 12}."}
                        ]
                    }
                }
            )
        thread = new_thread(parent, d, type=ttype)
        if ttype == ChannelType.PRIVATE_THREAD and d.get("invitable") is False:
            thread.invitable = False
        s.dispatch_channel("THREAD_CREATE", thread)
        return json_response(s.channel_json(thread), 201)

    async def thread_from_message(request: web.Request) -> web.Response:
        parent = s.channel(request.match_info["channel_id"])
        msg = s.message(parent, request.match_info["message_id"])
        checks.create_thread(s, parent, ChannelType.PUBLIC_THREAD)
        if msg.thread is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = new_thread(parent, data(request), tid=msg.id)
        msg.thread = thread
        s.dispatch_channel("THREAD_CREATE", thread)
        return json_response(s.channel_json(thread), 201)

    async def thread_member(request: web.Request) -> web.Response:
        """Join/leave (``@me``) or add/remove a member of a thread: private threads keep the
        list that decides who sees them."""
        ch = s.channel(request.match_info["channel_id"])
        if not ch.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        uid = request.match_info.get("user_id", "@me")
        uid = str(world.bot.id) if uid == "@me" else uid
        if not uid.isdigit() or world.member(ch.guild_id, int(uid)) is None:
            raise ApiError(404, 10007, "Unknown Member")
        checks.thread_member(s, ch, int(uid), add=request.method == "PUT")
        if request.method == "PUT":
            ch.thread_members.add(int(uid))
        else:
            ch.thread_members.discard(int(uid))
        s.dispatch_thread_members(ch, int(uid), added=request.method == "PUT")
        return no_content()

    async def list_thread_members(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        if not ch.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        checks.view(s, ch)
        return json_response([payloads.thread_member_json(ch, u) for u in sorted(ch.thread_members)])

    # ---- overwrites -----------------------------------------------------------------
    async def put_overwrite(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        oid = request.match_info["overwrite_id"]
        d = data(request)
        if ch.is_thread or ch.type == ChannelType.DM:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        errors: limits.Errors = {}
        if d.get("type") not in (0, 1, "0", "1"):
            errors["type"] = {
                "_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Value must be one of {0, 1}."}]
            }
        for key in ("allow", "deny"):
            if d.get(key) is not None and not str(d[key]).isdigit():
                errors[key] = {"_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "Value is not int."}]}
        if errors or not oid.isdigit():
            raise invalid_form(errors)
        allow, deny = int(d.get("allow") or 0), int(d.get("deny") or 0)
        checks.overwrite(s, ch, allow | deny)
        permissions.set_overwrite(ch, int(oid), int(d["type"]), allow, deny)
        s.dispatch_channel("CHANNEL_UPDATE", ch)
        return no_content()

    async def delete_overwrite(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        oid = request.match_info["overwrite_id"]
        checks.overwrite(s, ch, 0)
        if oid.isdigit():
            permissions.set_overwrite(ch, int(oid), 0, 0, 0)
        s.dispatch_channel("CHANNEL_UPDATE", ch)
        return no_content()

    async def create_guild_channel(request: web.Request) -> web.Response:
        g = guild(request)
        d = data(request)
        name = d.get("name") or ""
        ctype = int(d.get("type") or ChannelType.TEXT)
        errors: limits.Errors = {}
        if not 1 <= len(name) <= 100:
            errors["name"] = {
                "_errors": [
                    {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}
                ]
            }
        if ctype not in (ChannelType.TEXT, ChannelType.CATEGORY, ChannelType.FORUM):
            errors["type"] = {
                "_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Value must be one of {0, 4, 15}."}]
            }
        overwrites = d.get("permission_overwrites")
        if overwrites is not None and not isinstance(overwrites, list):
            errors["permission_overwrites"] = {
                "_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array"}]
            }
        parent_id = int(d["parent_id"]) if str(d.get("parent_id") or "").isdigit() else None
        parent = world.channels.get(parent_id or 0)
        if parent_id is not None and (parent is None or parent.type != ChannelType.CATEGORY):
            errors["parent_id"] = {
                "_errors": [{"code": "CHANNEL_PARENT_INVALID", "message": "Invalid parent"}]
            }
        if errors:
            raise invalid_form(errors)
        checks.create_channel(s, g, overwrites or [])
        kwargs: dict[str, Any] = {"parent_id": parent_id, "topic": d.get("topic")}
        if overwrites is not None:
            kwargs["permission_overwrites"] = [
                permissions.overwrite(
                    int(o["id"]), int(o.get("type") or 0), int(o.get("allow") or 0), int(o.get("deny") or 0)
                )
                for o in overwrites
            ]
        ch = world.create_channel(g, name, ctype, **kwargs)
        s.dispatch_channel("CHANNEL_CREATE", ch)
        return json_response(s.channel_json(ch), 201)

    async def open_dm(request: web.Request) -> web.Response:
        rid = str(data(request).get("recipient_id", ""))
        user = world.users.get(int(rid)) if rid.isdigit() else None
        if user is None:
            raise invalid_form(
                {"recipient_id": {"_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "Unknown user"}]}}
            )
        return json_response(s.channel_json(world.dm_channel(user)))

    async def delete_channel(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        checks.require(s, ch, Perm.MANAGE_THREADS if ch.is_thread else Perm.MANAGE_CHANNELS)
        world.channels.pop(ch.id)
        g = world.guild_of(ch)
        if g is not None and ch.id in g.channel_ids:
            g.channel_ids.remove(ch.id)
        s.dispatch_channel("THREAD_DELETE" if ch.is_thread else "CHANNEL_DELETE", ch)
        return json_response(s.channel_json(ch))

    async def active_threads(request: web.Request) -> web.Response:
        g = guild(request)
        threads = [
            world.channels[c]
            for c in g.channel_ids
            if world.channels[c].is_thread
            and not world.channels[c].archived
            and world.can_view(world.channels[c], world.bot.id)
        ]
        return json_response({"threads": [s.channel_json(t) for t in threads], "members": []})

    async def archived_threads(request: web.Request) -> web.Response:
        ch = s.channel(request.match_info["channel_id"])
        checks.require(s, ch, Perm.READ_MESSAGE_HISTORY)
        threads = [t for t in world.threads_of(ch.id) if t.archived]
        return json_response(
            {"threads": [s.channel_json(t) for t in threads], "members": [], "has_more": False}
        )

    async def member_role(request: web.Request) -> web.Response:
        g = guild(request)
        uid, rid = request.match_info["user_id"], request.match_info["role_id"]
        member = g.members.get(int(uid)) if uid.isdigit() else None
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        if not rid.isdigit() or int(rid) not in g.roles:
            raise ApiError(404, 10011, "Unknown Role")
        checks.member_role(s, g, g.roles[int(rid)])
        if request.method == "PUT" and int(rid) not in member.roles:
            member.roles.append(int(rid))
        elif request.method == "DELETE" and int(rid) in member.roles:
            member.roles.remove(int(rid))
        s.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", payloads.member_json(world, member) | {"guild_id": str(g.id)}
        )
        return no_content()

    # ---- guilds ---------------------------------------------------------------------
    async def get_guild(request: web.Request) -> web.Response:
        g = guild(request)
        extra = {"approximate_member_count": len(g.members)}
        return json_response(payloads.guild_json(world, g, full=False, with_members=False) | extra)

    async def get_member(request: web.Request) -> web.Response:
        g = guild(request)
        uid = request.match_info["user_id"]
        m = g.members.get(int(uid)) if uid.isdigit() else None
        if m is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(payloads.member_json(world, m))

    async def list_members(request: web.Request) -> web.Response:
        g = guild(request)
        limit = max(1, min(1000, int(request.query.get("limit", 1))))
        after = int(request.query.get("after", 0))
        members = sorted((m for m in g.members.values() if m.user.id > after), key=lambda m: m.user.id)[
            :limit
        ]
        return json_response([payloads.member_json(world, m) for m in members])

    async def list_channels(request: web.Request) -> web.Response:
        g = guild(request)
        return json_response(
            [s.channel_json(world.channels[c]) for c in g.channel_ids if not world.channels[c].is_thread]
        )

    async def list_roles(request: web.Request) -> web.Response:
        return json_response([payloads.role_json(r) for r in guild(request).roles.values()])

    table = [
        ("GET", "/users/@me", me),
        ("GET", "/oauth2/applications/@me", application),
        ("GET", "/users/{user_id}", get_user),
        ("PUT", "/applications/{application_id}/commands", put_global),
        ("GET", "/applications/{application_id}/commands", get_global),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_guild_cmds),
        ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_guild_cmds),
        ("GET", "/channels/{channel_id}", get_channel),
        ("PATCH", "/channels/{channel_id}", patch_channel),
        ("POST", "/channels/{channel_id}/messages", create_message),
        ("GET", "/channels/{channel_id}/messages", list_messages),
        ("GET", "/channels/{channel_id}/messages/{message_id}", get_message),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message),
        ("POST", "/channels/{channel_id}/typing", typing),
        ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction),
        ("POST", "/channels/{channel_id}/threads", create_thread),
        ("POST", "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message),
        ("PUT", "/channels/{channel_id}/thread-members/@me", thread_member),
        ("DELETE", "/channels/{channel_id}/thread-members/@me", thread_member),
        ("PUT", "/channels/{channel_id}/thread-members/{user_id}", thread_member),
        ("DELETE", "/channels/{channel_id}/thread-members/{user_id}", thread_member),
        ("GET", "/channels/{channel_id}/thread-members", list_thread_members),
        ("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", put_overwrite),
        ("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", delete_overwrite),
        ("POST", "/guilds/{guild_id}/channels", create_guild_channel),
        ("PUT", "/channels/{channel_id}/pins/{message_id}", reaction),
        ("DELETE", "/channels/{channel_id}/pins/{message_id}", reaction),
        ("PUT", "/channels/{channel_id}/messages/pins/{message_id}", reaction),
        ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", reaction),
        ("POST", "/users/@me/channels", open_dm),
        ("DELETE", "/channels/{channel_id}", delete_channel),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction),
        ("GET", "/channels/{channel_id}/threads/archived/public", archived_threads),
        ("GET", "/guilds/{guild_id}/threads/active", active_threads),
        ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role),
        ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role),
        ("GET", "/guilds/{guild_id}", get_guild),
        ("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
        ("GET", "/guilds/{guild_id}/members", list_members),
        ("GET", "/guilds/{guild_id}/channels", list_channels),
        ("GET", "/guilds/{guild_id}/roles", list_roles),
    ]
    for method, template, handler in table:
        s.route(method, template, handler)
