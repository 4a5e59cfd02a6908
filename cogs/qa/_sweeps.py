"""Work that comes due with time: escalating unanswered questions, archiving idle solved threads,
posting the weekly digest. The database says what is due; this only acts on it in Discord."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot import i18n
from bot.services import labels, qa
from bot.services.qa import Digest, Escalation
from bot.ui import embeds, limits, messenger
from bot.ui.respond import NO_MENTIONS
from cogs.qa import _posting, _render

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.qa")


class Sweeper:
    """One sweep at a time; each server's work in its own transactions."""

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        if self._lock.locked():
            return
        async with self._lock:
            now = self.bot.clock.now()
            for guild in list(self.bot.guilds):
                try:
                    await self._guild(guild, now)
                except discord.HTTPException as exc:
                    log.warning("Q&A sweep in guild %s stopped early: %s", guild.id, exc)

    async def _guild(self, guild: discord.Guild, now: datetime) -> None:
        # Each step is a unit of work of its own, committed before Discord is asked to act on it
        # (no transaction is held across a Discord request; a failure there loses one step only).
        due = await qa.due_escalations(self.bot.db, guild.id, now)
        language = await messenger.server_language(self.bot, guild.id)
        for question_id in due:
            escalation = await qa.escalate(self.bot.db, guild.id, question_id, now)
            if escalation is not None:
                await self._escalate(guild, escalation, language)
        await self._archive(guild, now)
        digest = await qa.take_digest(self.bot.db, guild.id, now)
        if digest is not None:
            await self._digest(guild, digest, language)

    async def _escalate(self, guild: discord.Guild, escalation: Escalation, language: str) -> None:
        question = escalation.question
        t = lambda key, **params: i18n.t(question.language, key, **params)  # noqa: E731
        thread = await _posting.find_thread(guild, question.thread_id)
        if thread is not None and escalation.experts and await messenger.may(self.bot, thread, "qa_route"):
            await _posting.add_members(thread, escalation.experts)
            mentions, allowed = _render.expert_mentions(escalation.experts)
            await thread.send(t("qa.escalated.experts", experts=mentions), allowed_mentions=allowed)
        await self._tell_moderators(guild, escalation, thread, language)

    async def _tell_moderators(
        self, guild: discord.Guild, escalation: Escalation, thread: discord.Thread | None, language: str
    ) -> None:
        question = escalation.question
        target = guild.get_channel(escalation.review_channel_id or 0)
        channel: discord.abc.Messageable | None = (
            target if isinstance(target, discord.TextChannel) else thread
        )
        if channel is None:
            return
        role = guild.get_role(escalation.moderator_role_id or 0)
        # The review channel may be readable by members who may not see a TLP:AMBER question.
        title = (
            i18n.t(language, "qa.restricted_question")
            if question.label in labels.RESTRICTED
            else question.title
        )
        text = i18n.t(
            language,
            "qa.escalated.moderators",
            moderators=role.mention if role else i18n.t(language, "qa.moderators"),
            link=_render.link(guild.id, question.thread_id, title),
            hours=escalation.waited_hours,
        )
        allowed = discord.AllowedMentions(everyone=False, users=False, roles=[role] if role else False)
        feature = "qa_route" if channel is thread else "review_notice"
        posted = await messenger.post(self.bot, channel, text, feature=feature, allowed_mentions=allowed)
        if posted is not None:  # recorded after Discord answered: a transaction of its own
            await qa.quoted(self.bot.db, guild.id, [question.id], "escalation", posted.channel.id, posted.id)

    async def _archive(self, guild: discord.Guild, now: datetime) -> None:
        due = await qa.due_archives(self.bot.db, guild.id, now)
        for question in due:
            thread = await _posting.find_thread(guild, question.thread_id)
            if thread is not None and not thread.archived:
                try:
                    await thread.edit(archived=True)
                except discord.HTTPException as exc:
                    log.warning("could not archive thread %s: %s", thread.id, exc)
                    continue
            # once Discord archived the thread (or it is gone): one transaction per thread
            await qa.mark_archived(self.bot.db, guild.id, question.id, now)

    async def _digest(self, guild: discord.Guild, digest: Digest, language: str) -> None:
        channel = guild.get_channel(digest.channel_id)
        language = digest.language or language
        t = lambda key, **params: i18n.t(language, key, **params)  # noqa: E731
        title = t("qa.digest.title", count=len(digest.questions))
        page = _render.unanswered_pages(t, title, digest.questions)[0]
        embeds.set_footer(page, t("qa.digest.footer"))
        where: tuple[int, int] | None = None
        if isinstance(channel, discord.ForumChannel):
            forum = channel
            outcome = await messenger.attempt(
                self.bot,
                guild.id,
                forum.id,
                lambda: forum.create_thread(
                    name=limits.clip(title, limits.THREAD_NAME), embed=page, allowed_mentions=NO_MENTIONS
                ),
                feature="qa_post",
                channel=forum,
            )
            if outcome.message is not None:
                where = (outcome.message.thread.id, outcome.message.message.id)
        elif isinstance(channel, discord.TextChannel):
            posted = await messenger.post(self.bot, channel, embed=page, feature="qa_post")
            if posted is not None:
                where = (channel.id, posted.id)
        if where is not None:  # the first page's questions, as posted
            shown = [
                q.id
                for q in digest.questions
                if f"({_render.thread_url(guild.id, q.thread_id)})" in str(page.description)
            ]
            await qa.quoted(self.bot.db, guild.id, shown, "digest", *where)
