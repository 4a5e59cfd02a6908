"""A local Discord-compatible server (REST v10 + gateway on 127.0.0.1) for running the real
bot without Discord, and the driver tests and the console use to act as members."""

from bot.sandbox.driver import Interaction, Message, Sandbox
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import Channel, Guild, Member, Role, User, World

__all__ = [
    "Channel",
    "Guild",
    "Interaction",
    "Member",
    "Message",
    "Role",
    "Sandbox",
    "SandboxServer",
    "User",
    "World",
]
