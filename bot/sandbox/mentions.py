"""What Discord would actually notify for a message, given its content and allowed_mentions."""

from __future__ import annotations

from bot.sandbox.world import MENTION_RE, Flags, Message, Perm, World


def would_ping(world: World, message: Message) -> set[int | str]:
    """Who Discord would notify for ``message``: user ids (int), ``"role:<id>"``,
    ``"everyone"`` and ``"here"``, taking ``allowed_mentions`` into account."""
    if message.ephemeral or message.flags & Flags.SUPPRESS_NOTIFICATIONS:
        return set()
    channel = world.channels.get(message.channel_id)
    guild = world.guild_of(channel) if channel else None
    perms = world.channel_permissions(channel, message.author_id) if guild and channel else 0
    users: set[int] = set()
    roles: set[int] = set()
    for kind, ident in MENTION_RE.findall(message.content):
        (roles if kind == "&" else users).add(int(ident))
    am = message.allowed_mentions
    parse = set(am.get("parse", [])) if am is not None else {"users", "roles", "everyone"}
    pinged: set[int | str] = set()
    allowed_users = {int(u) for u in (am or {}).get("users", [])}
    allowed_roles = {int(r) for r in (am or {}).get("roles", [])}
    pinged |= {u for u in users if "users" in parse or u in allowed_users}
    for rid in roles:
        role = guild.roles.get(rid) if guild else None
        if role is None or not (role.mentionable or perms & Perm.MENTION_EVERYONE):
            continue
        if "roles" in parse or rid in allowed_roles:
            pinged.add(f"role:{rid}")
    if "everyone" in parse and perms & Perm.MENTION_EVERYONE:
        if "@everyone" in message.content:
            pinged.add("everyone")
        if "@here" in message.content:
            pinged.add("here")
    ref = message.message_reference
    if ref and ref.get("message_id"):
        replied = world.messages.get(int(ref["message_id"]))
        if replied and (am is None or am.get("replied_user", False)):
            pinged.add(replied.author_id)
    pinged.discard(message.author_id)
    return pinged
