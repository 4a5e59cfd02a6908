"""The sandbox's REST routes, one module per resource; each module's ``register`` adds its routes.

Registration order matters where two templates match one path (``/users/@me`` before
``/users/{user_id}``): aiohttp answers with the first route registered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.routes import applications, channels, guilds, interactions, messages, threads

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

MODULES = (applications, channels, messages, threads, guilds, interactions)


def register(s: SandboxServer) -> None:
    for module in MODULES:
        module.register(s)
