"""The one page-size policy of every list Liaison shows (sent with ``views.send_pages``).

- a list of lines: ``LINES_PER_PAGE`` lines in an embed's description, fewer when long lines
  would pass Discord's description limit;
- a list of cards (an embed field each): ``CARDS_PER_PAGE`` cards, fewer when the embed would
  pass Discord's 6,000 characters;
- every page says "Page n/N" in its footer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.ui import embeds, limits

LINES_PER_PAGE = 10
CARDS_PER_PAGE = 5

Translate = Callable[..., str]


def _numbered(t: Translate, pages: list[discord.Embed]) -> list[discord.Embed]:
    for number, page in enumerate(pages, start=1):
        embeds.set_footer(page, t("common.page", page=number, pages=len(pages)))
    return pages


def _line_chunks(lines: Sequence[str], per_page: int) -> list[list[str]]:
    chunks: list[list[str]] = []
    size = 0
    for line in (limits.clip(line, limits.EMBED_DESCRIPTION) for line in lines):
        if not chunks or len(chunks[-1]) >= per_page or size + 1 + len(line) > limits.EMBED_DESCRIPTION:
            chunks.append([])
            size = -1
        chunks[-1].append(line)
        size += 1 + len(line)
    return chunks


def line_pages(
    t: Translate, title: str, lines: Sequence[str], *, per_page: int = LINES_PER_PAGE
) -> list[discord.Embed]:
    """``lines`` as pages of one embed's description each (none for no lines)."""
    return _numbered(
        t, [embeds.make_embed(title, "\n".join(chunk)) for chunk in _line_chunks(lines, per_page)]
    )


def card_pages(
    t: Translate,
    title: str,
    cards: Sequence[tuple[str, str]],
    *,
    description: str | None = None,
    per_page: int = CARDS_PER_PAGE,
    inline: bool = False,
) -> list[discord.Embed]:
    """``cards`` (name, value) as fields, ``per_page`` to a page (none for no cards)."""
    pages: list[discord.Embed] = []
    for name, value in cards:
        if not pages or len(pages[-1].fields) >= per_page or not _fits(pages[-1], name, value):
            pages.append(embeds.make_embed(title, description))
        embeds.add_field(pages[-1], name, value, inline=inline)
    return _numbered(t, pages)


def _fits(page: discord.Embed, name: str, value: str) -> bool:
    name = limits.clip(name, limits.FIELD_NAME)
    value = limits.clip(value, limits.FIELD_VALUE)
    footer_room = 40  # "Page n/N" in either language
    return len(page) + len(name) + len(value) + footer_room <= limits.EMBED_TOTAL
