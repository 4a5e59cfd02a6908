"""The sandbox computes permissions as Discord does, and discord.py (reading the same roles and
overwrites from the gateway) agrees with it."""

from __future__ import annotations

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
        lambda: not bot.get_channel(general.id).permissions_for(bot_member(bot)).embed_links)
    channel = bot.get_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.permissions_for(bot_member(bot)).value == channel_permissions(
        sandbox.world, general, sandbox.world.bot.id)
    sandbox.give_bot_permission(general, Perm.EMBED_LINKS)
    await sandbox.wait_for(
        lambda: bot.get_channel(general.id).permissions_for(bot_member(bot)).embed_links)
    assert sandbox.requests and all(r.status < 500 for r in sandbox.requests)


async def test_a_channel_in_a_category_is_synced_with_it(sandbox: Sandbox,
                                                         bot: ProtocolBot) -> None:
    everyone, moderators = sandbox.roles.everyone, sandbox.roles.moderators
    staff = sandbox.create_channel("staff", ChannelType.CATEGORY, overwrites={
        everyone: (0, Perm.VIEW_CHANNEL), moderators: (Perm.VIEW_CHANNEL, 0)})
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
        sandbox: Sandbox, bot: ProtocolBot) -> None:
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
