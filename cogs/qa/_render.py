"""How Q&A things look in Discord: the question post, search results, lists, the digest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.services import qa
from bot.services.qa import CleanAsk, Hit, QuestionInfo
from bot.timeutil import discord_timestamp
from bot.ui import embeds, limits, text
from bot.ui.pages import card_pages, line_pages

Translate = Callable[..., str]
SOLVED_PREFIXES = ("[Solved] ", "[Résolu] ")


def thread_url(guild_id: int, thread_id: int) -> str:
    return qa.thread_url(guild_id, thread_id)


safe = text.shown  # the one escaping policy (bot/ui/text.py)


def member(t: Translate, user_id: int | None) -> str:
    return f"<@{user_id}>" if user_id is not None else t("common.former_member")


def link(guild_id: int, thread_id: int, title: str, limit: int = 90) -> str:
    return f"[{text.link_label(title, limit)}]({thread_url(guild_id, thread_id)})"


def thread_name(question: str) -> str:
    return text.plain(question, limits.THREAD_NAME)


def question_embed(t: Translate, asked: CleanAsk, author_id: int | None) -> discord.Embed:
    embed = embeds.make_embed(safe(asked.question, limits.EMBED_TITLE), safe(asked.details, 3000) or None)
    embeds.add_field(embed, t("qa.field.asked_by"), member(t, author_id))
    if asked.topic:
        embeds.add_field(embed, t("qa.field.topic"), safe(asked.topic, 200))
    if asked.agencies:
        embeds.add_field(embed, t("qa.field.agencies"), safe(asked.agencies, 500))
    embeds.add_field(embed, t("qa.field.label"), asked.label)
    return embed


def similar_embed(t: Translate, guild_id: int, hits: Sequence[Hit]) -> discord.Embed:
    embed = embeds.make_embed(t("qa.similar.title"), t("qa.similar.intro"), colour=embeds.WARN)
    for hit in hits:
        embeds.add_field(
            embed,
            safe(hit.title, limits.FIELD_NAME, one_line=True),
            f"{link(guild_id, hit.thread_id, t('qa.open_thread'))}\n{safe(hit.answer, 300)}",
            inline=False,
        )
    return embed


def search_pages(t: Translate, guild_id: int, query: str, hits: Sequence[Hit]) -> list[discord.Embed]:
    cards = []
    for hit in hits:
        label = f" · {hit.label}" if hit.label != "TLP:GREEN" else ""
        solved = discord_timestamp(hit.solved_at, "d") if hit.solved_at else ""
        head = f"{link(guild_id, hit.thread_id, t('qa.open_thread'))} · {solved}{label}"
        cards.append((safe(hit.title, limits.FIELD_NAME, one_line=True), f"{head}\n{safe(hit.answer, 400)}"))
    return card_pages(t, t("qa.search.title", query=safe(query, 100)), cards)


def unanswered_line(t: Translate, question: QuestionInfo) -> str:
    if question.reply_count == 0:
        status = f"**{t('qa.no_reply_yet')}**"
    else:
        status = t("qa.replies", count=question.reply_count)
    asked = discord_timestamp(question.created_at, "R")
    return f"• {link(question.guild_id, question.thread_id, question.title)} · {asked} · {status}"


def unanswered_pages(t: Translate, title: str, questions: Sequence[QuestionInfo]) -> list[discord.Embed]:
    return line_pages(t, title, [unanswered_line(t, q) for q in questions])


def solved_embed(t: Translate, question: QuestionInfo) -> discord.Embed:
    embed = embeds.make_embed(t("qa.solved.title"), safe(question.accepted_text, 3500), colour=embeds.OK)
    embeds.add_field(embed, t("qa.field.answered_by"), member(t, question.accepted_author_id))
    if question.accepted_message_id:
        url = f"{thread_url(question.guild_id, question.thread_id)}/{question.accepted_message_id}"
        embeds.add_field(embed, t("qa.field.answer_link"), f"[{t('qa.open_answer')}]({url})")
    return embed


def solved_name(name: str, language: str) -> str:
    prefix = SOLVED_PREFIXES[1] if language == "fr" else SOLVED_PREFIXES[0]
    return limits.clip(prefix + open_name(name), limits.THREAD_NAME)


def open_name(name: str) -> str:
    for prefix in SOLVED_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def expert_mentions(user_ids: Sequence[int]) -> tuple[str, discord.AllowedMentions]:
    """The mentions of the chosen experts, and allowed mentions that ping them and nobody else."""
    text = " ".join(f"<@{user_id}>" for user_id in user_ids)
    allowed = discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(id=u) for u in user_ids]
    )
    return text, allowed


def choices(values: Sequence[str]) -> list[Any]:
    from discord import app_commands

    return [
        app_commands.Choice(name=text.plain(v, limits.CHOICE_NAME), value=v[: limits.CHOICE_VALUE])
        for v in values[: limits.CHOICES]
    ]
