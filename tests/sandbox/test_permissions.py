"""The sandbox computes permissions as Discord does, and discord.py (reading the same roles and
overwrites from the gateway) agrees with it."""

from __future__ import annotations

import io

import discord
import pytest

from bot.sandbox import Sandbox
from bot.sandbox.permissions import can_manage_role, channel_permissions
from bot.sandbox.world import ChannelType, Perm
from tests.sandbox.protocol_bot import ProtocolBot


def bot_member(bot: ProtocolBot) -> discord.Member:
    guild = bot.get_guild(bot.guild_id)
    assert guild is not None
    return guild.me


async def test_roles_and_overwrites_are_computed_in_discords_order(sandbox: Sandbox) -> None:
    world, general = sandbox.world, sandbox.channels.general
    bruno, alice = sandbox.users.bruno, sandbox.users.alice
    moderators, everyone = sandbox.roles.moderators, sandbox.roles.everyone
    assert channel_permissions(world, general, bruno.id) & Perm.SEND_MESSAGES
    # @everyone denied, the moderators' role allowed back, then one member denied again
    sandbox.set_permissions(general, everyone, deny=Perm.SEND_MESSAGES)
    sandbox.set_permissions(general, moderators, allow=Perm.SEND_MESSAGES)
    assert not channel_permissions(world, general, bruno.id) & Perm.SEND_MESSAGES
    assert channel_permissions(world, general, alice.id) & Perm.SEND_MESSAGES
    sandbox.set_permissions(general, alice, deny=Perm.SEND_MESSAGES)
    assert not channel_permissions(world, general, alice.id) & Perm.SEND_MESSAGES
    # without Send Messages, Embed Links and Attach Files go too (implicit denial)
    assert not channel_permissions(world, general, bruno.id) & Perm.EMBED_LINKS
    # without View Channel, nothing at all
    sandbox.set_permissions(general, everyone, deny=Perm.VIEW_CHANNEL)
    assert channel_permissions(world, general, bruno.id) == 0
    assert not world.can_view(general, bruno.id)
    assert world.can_view(general, sandbox.users.owner.id)  # the owner sees everything
    with pytest.raises(ValueError):
        await sandbox.send_message(general, "hello?", user=bruno)
    assert sandbox.messages(general, user=bruno) == []


async def test_discord_py_reads_the_same_permissions(sandbox: Sandbox, bot: ProtocolBot) -> None:
    general = sandbox.channels.general
    sandbox.remove_bot_permission(general, Perm.EMBED_LINKS)
    await sandbox.wait_for(
        lambda: not bot.get_channel(general.id).permissions_for(bot_member(bot)).embed_links
    )
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.permissions_for(bot_member(bot)).value == channel_permissions(
        sandbox.world, general, sandbox.world.bot.id
    )
    sandbox.give_bot_permission(general, Perm.EMBED_LINKS)
    await sandbox.wait_for(lambda: bot.get_channel(general.id).permissions_for(bot_member(bot)).embed_links)
    assert sandbox.requests and all(r.status < 500 for r in sandbox.requests)


async def test_a_channel_in_a_category_is_synced_with_it(sandbox: Sandbox, bot: ProtocolBot) -> None:
    everyone, moderators = sandbox.roles.everyone, sandbox.roles.moderators
    staff = sandbox.create_channel(
        "staff",
        ChannelType.CATEGORY,
        overwrites={everyone: (0, Perm.VIEW_CHANNEL), moderators: (Perm.VIEW_CHANNEL, 0)},
    )
    inside = sandbox.create_channel("staff-room", parent=staff)
    assert inside.permission_overwrites == staff.permission_overwrites
    assert not sandbox.world.can_view(inside, sandbox.users.bruno.id)
    assert sandbox.world.can_view(inside, sandbox.users.alice.id)
    assert not sandbox.world.can_view(inside, sandbox.world.bot.id)  # nobody let the bot in
    await sandbox.wait_for(lambda: bot.get_channel(inside.id) is not None)
    channel = bot.get_channel(inside.id)
    assert isinstance(channel, discord.TextChannel)
    assert not channel.permissions_for(bot_member(bot)).view_channel


async def test_private_threads_are_seen_by_their_members_and_moderators(
    sandbox: Sandbox, bot: ProtocolBot
) -> None:
    general = sandbox.channels.general
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(name="team red", type=discord.ChannelType.private_thread)
    world_thread = sandbox.world.channels[thread.id]
    assert world_thread.type == ChannelType.PRIVATE_THREAD
    bruno, carol, alice = sandbox.users.bruno, sandbox.users.carol, sandbox.users.alice
    assert sandbox.world.can_view(world_thread, sandbox.world.bot.id)  # its creator is in it
    assert not sandbox.world.can_view(world_thread, bruno.id)
    assert sandbox.world.can_view(world_thread, alice.id)  # Manage Threads
    await thread.add_user(discord.Object(bruno.id))
    assert sandbox.world.can_view(world_thread, bruno.id)
    assert not sandbox.world.can_view(world_thread, carol.id)
    await thread.remove_user(discord.Object(bruno.id))
    assert not sandbox.world.can_view(world_thread, bruno.id)
    # a thread's permissions are its parent's
    sandbox.set_permissions(general, sandbox.roles.everyone, deny=Perm.VIEW_CHANNEL)
    sandbox.add_thread_member(world_thread, carol)
    assert not sandbox.world.can_view(world_thread, carol.id)


async def test_role_hierarchy(sandbox: Sandbox) -> None:
    guild = sandbox.guild
    assert guild is not None
    verified = sandbox.world.create_role(guild, "Verified")  # a new role sits at the bottom
    assert verified.position == 1
    assert sandbox.roles.bot.position == max(r.position for r in guild.roles.values())
    assert can_manage_role(sandbox.world, guild, sandbox.world.bot.id, verified)
    sandbox.move_role(verified, len(guild.roles) - 1)  # now above the bot's role
    assert verified.position > sandbox.roles.bot.position
    assert not can_manage_role(sandbox.world, guild, sandbox.world.bot.id, verified)
    assert not can_manage_role(sandbox.world, guild, sandbox.world.bot.id, sandbox.roles.bot)


async def forbidden(coro: object) -> tuple[int, int]:
    """The status and Discord code of a refusal (the test fails if it went through)."""
    with pytest.raises(discord.Forbidden) as caught:
        await coro  # type: ignore[misc]
    return caught.value.status, caught.value.code


async def test_missing_permissions_are_refused_with_discords_errors(
    sandbox: Sandbox, bot: ProtocolBot
) -> None:
    general, events = sandbox.channels.general, sandbox.channels.events
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    sandbox.remove_bot_permission(general, Perm.SEND_MESSAGES)
    assert await forbidden(channel.send("hi")) == (403, 50013)
    sandbox.give_bot_permission(general, Perm.SEND_MESSAGES)
    assert (await channel.send("hi")).content == "hi"
    # hidden from the bot: Missing Access
    sandbox.remove_bot_permission(events, Perm.VIEW_CHANNEL)
    hidden = bot.get_channel(events.id)
    assert isinstance(hidden, discord.TextChannel)
    assert await forbidden(hidden.send("hi")) == (403, 50001)
    assert await forbidden(bot.fetch_channel(events.id)) == (403, 50001)
    # files need Attach Files
    sandbox.remove_bot_permission(general, Perm.ATTACH_FILES)
    file = discord.File(io.BytesIO(b"x"), "x.txt")
    assert await forbidden(channel.send("a file", file=file)) == (403, 50013)
    # threads need Create Public / Private Threads
    sandbox.remove_bot_permission(general, Perm.CREATE_PRIVATE_THREADS)
    assert await forbidden(channel.create_thread(name="t", type=discord.ChannelType.private_thread)) == (
        403,
        50013,
    )
    public = await channel.create_thread(name="open", type=discord.ChannelType.public_thread)
    sandbox.remove_bot_permission(general, Perm.CREATE_PUBLIC_THREADS)
    starter = await channel.send("starter")
    assert await forbidden(starter.create_thread(name="t2")) == (403, 50013)
    # locking a thread, even its own, needs Manage Threads
    sandbox.remove_bot_permission(general, Perm.MANAGE_THREADS)
    assert await forbidden(public.edit(locked=True)) == (403, 50013)
    await public.edit(name="renamed")  # its creator may rename it


async def test_embeds_without_embed_links(sandbox: Sandbox, bot: ProtocolBot) -> None:
    """Discord drops the embeds of a message that has something else, and refuses one that
    only had embeds."""
    general = sandbox.channels.general
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    sandbox.remove_bot_permission(general, Perm.EMBED_LINKS)
    embed = discord.Embed(title="t", description="d")
    assert await forbidden(channel.send(embed=embed)) == (403, 50013)
    sent = await channel.send("text", embed=embed)
    assert sent.embeds == [] and sandbox.messages(general)[-1].embeds == []
    sandbox.give_bot_permission(general, Perm.EMBED_LINKS)
    assert (await channel.send(embed=embed)).embeds


async def test_roles_above_the_bot_cannot_be_given(sandbox: Sandbox, bot: ProtocolBot) -> None:
    guild = sandbox.guild
    assert guild is not None
    verified = sandbox.world.create_role(guild, "Verified")
    member = await bot.get_guild(guild.id).fetch_member(sandbox.users.bruno.id)  # type: ignore[union-attr]
    await member.add_roles(discord.Object(verified.id))
    assert verified.id in guild.members[sandbox.users.bruno.id].roles
    sandbox.move_role(verified, len(guild.roles) - 1)
    assert await forbidden(member.remove_roles(discord.Object(verified.id))) == (403, 50013)
    sandbox.set_role_permissions(sandbox.roles.bot, Perm.EVERYONE_DEFAULT)  # no Manage Roles
    sandbox.move_role(verified, 1)
    assert await forbidden(member.remove_roles(discord.Object(verified.id))) == (403, 50013)


async def test_private_thread_members_and_mentions(sandbox: Sandbox, bot: ProtocolBot) -> None:
    general = sandbox.channels.general
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(name="team", type=discord.ChannelType.private_thread)
    world_thread = sandbox.world.channels[thread.id]
    bruno = sandbox.users.bruno
    await thread.send(f"welcome <@{bruno.id}>")  # a mention that pings adds the member
    assert sandbox.world.can_view(world_thread, bruno.id)
    assert [m.content for m in sandbox.messages(world_thread, user=bruno)] == [f"welcome <@{bruno.id}>"]
    assert sandbox.messages(world_thread, user=sandbox.users.carol) == []
    # a private thread the bot is not in, without Manage Threads: Missing Access
    other = sandbox.world.create_channel(
        sandbox.guild, "theirs", ChannelType.PRIVATE_THREAD, parent_id=general.id, owner_id=bruno.id
    )
    sandbox.remove_bot_permission(general, Perm.MANAGE_THREADS)
    params = discord.http.handle_message_parameters(content="x")
    assert await forbidden(bot.http.send_message(other.id, params=params)) == (403, 50001)


async def test_overwrites_set_by_the_bot_and_at_channel_creation(sandbox: Sandbox, bot: ProtocolBot) -> None:
    guild = bot.get_guild(bot.guild_id)
    assert guild is not None
    everyone = guild.default_role
    sandbox.set_role_permissions(sandbox.roles.bot, sandbox.roles.bot.permissions | Perm.MANAGE_CHANNELS)
    await sandbox.wait_for(lambda: guild.me.guild_permissions.manage_channels)
    hidden = await guild.create_text_channel(
        "hidden", overwrites={everyone: discord.PermissionOverwrite(view_channel=False)}
    )
    assert not sandbox.world.can_view(sandbox.world.channels[hidden.id], sandbox.world.bot.id)
    assert await forbidden(hidden.send("x")) == (403, 50001)  # it hid the channel from itself
    room = await guild.create_text_channel(
        "staff-only",
        overwrites={
            everyone: discord.PermissionOverwrite(view_channel=False),
            guild.me: discord.PermissionOverwrite(view_channel=True),
        },
    )
    world_room = sandbox.world.channels[room.id]
    assert not sandbox.world.can_view(world_room, sandbox.users.bruno.id)
    assert sandbox.world.can_view(world_room, sandbox.world.bot.id)
    member = guild.get_member(sandbox.users.bruno.id) or await guild.fetch_member(sandbox.users.bruno.id)
    await room.set_permissions(member, view_channel=True)
    assert sandbox.world.can_view(world_room, sandbox.users.bruno.id)
    await room.set_permissions(member, overwrite=None)
    assert not sandbox.world.can_view(world_room, sandbox.users.bruno.id)
    # only what it has itself: Liaison cannot grant Administrator
    assert await forbidden(room.set_permissions(member, administrator=True)) == (403, 50013)
