"""Embeds that always fit Discord's limits, whatever users typed."""

from __future__ import annotations

import discord

from bot.ui import limits

BRAND = discord.Colour(0x1F6FEB)
WARN = discord.Colour(0xD29922)
OK = discord.Colour(0x2DA44E)


def embed_length(embed: discord.Embed) -> int:
    return len(embed)


def make_embed(
    title: str | None = None,
    description: str | None = None,
    *,
    colour: discord.Colour = BRAND,
    url: str | None = None,
) -> discord.Embed:
    return discord.Embed(
        title=limits.clip(title, limits.EMBED_TITLE) if title else None,
        description=limits.clip(description, limits.EMBED_DESCRIPTION) if description else None,
        colour=colour,
        url=url,
    )


def add_field(embed: discord.Embed, name: str, value: str | None, *, inline: bool = True) -> bool:
    """Add a field if it still fits (25 fields, 6000 characters); returns whether it was added."""
    name = limits.clip(name, limits.FIELD_NAME) or "\u200b"
    value = limits.clip(value, limits.FIELD_VALUE) or "\u200b"
    if len(embed.fields) >= limits.EMBED_FIELDS or len(embed) + len(name) + len(value) > limits.EMBED_TOTAL:
        return False
    embed.add_field(name=name, value=value, inline=inline)
    return True


def set_footer(embed: discord.Embed, text: str) -> None:
    room = limits.EMBED_TOTAL - len(embed)
    if room > 1:
        embed.set_footer(text=limits.clip(text, min(limits.FOOTER, room)))
