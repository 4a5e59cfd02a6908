"""Point the real discord.py client at a Discord-compatible API (the sandbox, tests, a proxy).

discord.py keeps its REST base in ``Route.BASE`` and its gateway in
``DiscordWebSocket.DEFAULT_GATEWAY``; both are class attributes, so this is process-wide.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


def point_discord_py_at(api_base: str, gateway_url: str) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
