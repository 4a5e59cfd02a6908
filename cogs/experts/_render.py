"""How expert profiles look: one embed per profile, pages of short entries for ``/expert find``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.services.experts import ExpertCard, FindPage
from bot.services.experts.vocab import country_name, language_name
from bot.timeutil import discord_timestamp
from bot.ui import embeds, text
from bot.ui.pages import card_pages
from bot.ui.respond import Reply

MAX_SHOWN = 50


safe = text.shown  # the one escaping policy (bot/ui/text.py)


def flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code.upper() if "A" <= c <= "Z")


def country(reply: Reply, code: str) -> str:
    return f"{flag(code)} {country_name(code, reply.language)} ({code})"


def languages(reply: Reply, codes: Sequence[str]) -> str:
    return ", ".join(language_name(code, reply.language) for code in codes) or reply.t("common.none")


def local_time(reply: Reply, card: ExpertCard, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(card.timezone))
    key = "expert.working_hours" if card.in_working_hours else "expert.outside_hours"
    return f"{local:%H:%M} ({safe(card.timezone)}) · {reply.t(key)}"


def badge(reply: Reply, card: ExpertCard) -> str:
    if card.verified_until is None:
        return reply.t("expert.not_verified")
    return reply.t("expert.verified_until", date=discord_timestamp(card.verified_until, "D"))


def profile_embed(reply: Reply, card: ExpertCard, now: datetime) -> discord.Embed:
    title = reply.t("expert.profile.title")
    head = f"<@{card.user_id}>" + (" ✅" if card.verified_until else "")
    description = f"{head}\n{safe(card.bio)}" if card.bio else head
    embed = embeds.make_embed(title, description, colour=embeds.OK if card.verified_until else embeds.BRAND)
    embeds.add_field(embed, reply.t("expert.field.agency"), safe(card.agency))
    embeds.add_field(embed, reply.t("expert.field.country"), country(reply, card.country))
    embeds.add_field(embed, reply.t("expert.field.languages"), languages(reply, card.languages))
    embeds.add_field(embed, reply.t("expert.field.expertise"), safe(", ".join(card.areas)), inline=False)
    embeds.add_field(embed, reply.t("expert.field.local_time"), local_time(reply, card, now))
    embeds.add_field(embed, reply.t("expert.field.verification"), badge(reply, card))
    embeds.add_field(
        embed, reply.t("expert.field.visibility"), reply.t(f"expert.visibility.{card.visibility}")
    )
    return embed


def find_line(reply: Reply, card: ExpertCard, now: datetime) -> tuple[str, str]:
    mark = " ✅" if card.verified_until else ""
    name = f"{flag(card.country)} {safe(card.agency, 200, one_line=True)}{mark}"
    value = "\n".join(
        (
            f"<@{card.user_id}> · {country_name(card.country, reply.language)}",
            f"{reply.t('expert.field.expertise')}: {safe(', '.join(card.areas))}",
            f"{reply.t('expert.field.languages')}: {languages(reply, card.languages)}",
            f"{reply.t('expert.field.local_time')}: {local_time(reply, card, now)}",
        )
    )
    return name, value


def find_pages(reply: Reply, page: FindPage, now: datetime) -> list[discord.Embed]:
    cards = page.experts
    count = reply.t("expert.find.count", count=page.total, shown=len(cards))
    lines = [find_line(reply, card, now) for card in cards]
    return card_pages(reply.t, reply.t("expert.find.title"), lines, description=count)
