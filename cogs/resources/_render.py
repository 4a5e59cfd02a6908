"""How resources look in Discord: result pages, one entry, a suggestion under review.

Everything users typed goes through ``safe`` (``bot.ui.text.shown``, the one escaping policy) or
``text.url``, and the embed helpers, so that no answer pings anyone, renders a user's markdown or
breaks Discord's limits.
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from bot.services.resources import Hit
from bot.services.resources.catalog import Entry
from bot.services.resources.suggestions import Suggestion
from bot.timeutil import discord_timestamp
from bot.ui import embeds, limits, text
from bot.ui.pages import card_pages

SNIPPET = 180
Translate = Callable[..., str]


safe = text.shown  # the one escaping policy (bot/ui/text.py)


def label_badge(label: str) -> str:
    marks = {"TLP:CLEAR": "⚪", "TLP:GREEN": "🟢", "TLP:AMBER": "🟠", "TLP:AMBER+STRICT": "🟠"}
    return f"{marks.get(label, '')} `{label}`".strip()


def _summary(t: Translate, hit: Hit) -> str:
    tags = safe(hit.tags, 120) or t("resource.no_tags")
    lines = [f"{label_badge(hit.label)} · {hit.language} · {tags}", text.url(hit.url, 300)]
    if hit.description:
        lines.append(safe(hit.description, SNIPPET, one_line=True))
    return "\n".join(lines)


def result_pages(t: Translate, query: str, hits: list[Hit]) -> list[discord.Embed]:
    cards = [(f"#{hit.id} · {safe(hit.title, 200)}", _summary(t, hit)) for hit in hits]
    return card_pages(t, t("resource.search.title", query=safe(query, 100), count=len(hits)), cards)


def resource_embed(t: Translate, entry: Entry) -> discord.Embed:
    """One entry in full: who added it, when, when last verified."""
    embed = embeds.make_embed(
        safe(entry.title, limits.EMBED_TITLE),
        safe(entry.description, 1500) or None,
        url=text.ascii_url(entry.url),
    )
    embeds.add_field(embed, t("resource.field.label"), label_badge(entry.label))
    embeds.add_field(embed, t("resource.field.language"), entry.language)
    embeds.add_field(embed, t("resource.field.tags"), safe(entry.tags, 500) or t("resource.no_tags"))
    embeds.add_field(embed, t("resource.field.url"), text.url(entry.url, 600), inline=False)
    added_by = f"<@{entry.added_by}>" if entry.added_by else t("common.former_member")
    embeds.add_field(
        embed, t("resource.field.added"), f"{added_by} · {discord_timestamp(entry.created_at, 'D')}"
    )
    embeds.add_field(embed, t("resource.field.verified"), discord_timestamp(entry.verified_at, "D"))
    embeds.add_field(embed, t("resource.field.views"), str(entry.views))
    embeds.set_footer(embed, f"#{entry.id}")
    return embed


def suggestion_embed(t: Translate, row: Suggestion, remaining: int) -> discord.Embed:
    embed = embeds.make_embed(
        t("resource.review.title", id=row.id, remaining=remaining), safe(row.title, limits.EMBED_TITLE)
    )
    embeds.add_field(embed, t("resource.field.url"), text.url(row.url, 600), inline=False)
    embeds.add_field(
        embed, t("resource.field.description"), safe(row.description, 1000) or t("common.none"), inline=False
    )
    embeds.add_field(embed, t("resource.field.tags"), safe(row.tags, 500) or t("resource.no_tags"))
    embeds.add_field(embed, t("resource.field.language"), row.language)
    embeds.add_field(embed, t("resource.field.label"), label_badge(row.label))
    by = f"<@{row.suggested_by}>" if row.suggested_by else t("common.former_member")
    embeds.add_field(embed, t("resource.field.suggested"), f"{by} · {discord_timestamp(row.created_at, 'R')}")
    return embed


def chunked(lines: list[str], *, limit: int, most: int) -> list[list[str]]:
    """Lines in pages of at most ``most`` lines and ``limit`` characters (an embed's description)."""
    pages: list[list[str]] = []
    size = 0
    for line in lines:
        if not pages or len(pages[-1]) >= most or size + len(line) + 1 > limit:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    return pages
