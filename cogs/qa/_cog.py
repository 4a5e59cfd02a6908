"""``/ask`` and ``/qa search|solved|reopen|unanswered``; answers recorded from Q&A threads."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LiaisonBot
from bot.errors import Invalid, NotAllowed, NotFound
from bot.services import labels, qa
from bot.services.qa import AnswerRef, AskInput, CleanAsk
from bot.ui import bot_permissions, limits
from bot.ui.caller import caller
from bot.ui.checks import guild_only, has_moderator_power, is_moderator
from bot.ui.respond import Ack, AcknowledgeFirst, Reply, acknowledge, reply_for, send, update
from bot.ui.views import confirm, send_pages
from cogs.qa import _posting, _render
from cogs.qa._sweeps import Sweeper
from cogs.qa._views import PromoteButton

log = logging.getLogger("liaison.qa")

SWEEP_MINUTES = 5
HISTORY_LIMIT = 100
SIMILAR_SECONDS = 120.0  # to read the similar solved questions before posting anyway
_MESSAGE_ID = re.compile(r"(?<![0-9])([0-9]{15,20})/?\s*$")
MAX_SNOWFLAKE = 2**63 - 1
# What Liaison needs where a question goes (bot/permissions_needed.py): (private thread, restricted)
_FEATURES = {
    (False, False): ("qa_post", "qa_route"),
    (False, True): ("restricted_post",),
    (True, True): ("qa_private",),
    (True, False): ("qa_private",),
}


class QA(AcknowledgeFirst):
    qa_group = app_commands.Group(
        name="qa", description="Questions and answers between agencies", guild_only=True
    )

    def __init__(self, bot: LiaisonBot) -> None:
        self.bot = bot
        self.sweeper = Sweeper(bot)
        self._threads: dict[int, set[int]] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PromoteButton)
        self.bot.runtime.every("qa-sweep", self.sweeper.run, minutes=SWEEP_MINUTES)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PromoteButton)
        self.bot.runtime.cancel("qa-sweep")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.sweeper.run()

    @commands.Cog.listener()
    async def on_clock_advanced(self) -> None:
        await self.sweeper.run()

    # -- helpers ---------------------------------------------------------------------------------
    async def _known_threads(self, guild_id: int) -> set[int]:
        if guild_id not in self._threads:
            self._threads[guild_id] = await qa.thread_ids(self.bot.db, guild_id)
        return self._threads[guild_id]

    @staticmethod
    def _thread_of(interaction: discord.Interaction[LiaisonBot]) -> discord.Thread:
        if not isinstance(interaction.channel, discord.Thread):
            raise NotFound("qa.error.not_a_question")
        return interaction.channel

    # -- autocomplete ----------------------------------------------------------------------------
    async def topic_autocomplete(
        self, interaction: discord.Interaction[LiaisonBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """The server's expertise list and the Q&A forum's tags, matching what was typed."""
        if interaction.guild is None:
            return []
        sources = await qa.topic_sources(self.bot.db, interaction.guild.id, current)
        typed = current.casefold().strip()
        forum = interaction.guild.get_channel(sources.qa_channel_id or 0)
        tags = [name for name in _posting.forum_tag_names(forum) if typed in name.casefold()]
        seen: dict[str, str] = {}
        for name in [*tags, *sources.expertise]:
            seen.setdefault(name.casefold(), name)
        return _render.choices(list(seen.values()))

    async def label_autocomplete(
        self, _interaction: discord.Interaction[LiaisonBot], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().upper()
        return _render.choices([label.value for label in labels.LABELS if typed in label.value])

    # -- /ask ------------------------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask a question; experts who can answer it are invited")
    @app_commands.describe(
        question="Your question, in one sentence",
        topic="What the question is about (from the server's expertise list or the forum's tags)",
        details="Context that helps experts answer",
        agencies="Agencies you address the question to, comma-separated",
        label="Sharing label of the question (TLP), TLP:GREEN by default",
    )
    @app_commands.autocomplete(topic=topic_autocomplete, label=label_autocomplete)
    @guild_only()
    async def ask(
        self,
        interaction: discord.Interaction[LiaisonBot],
        question: str,
        topic: str | None = None,
        details: str | None = None,
        agencies: str | None = None,
        label: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        reply = await reply_for(interaction)
        plan = await qa.prepare_ask(
            self.bot.db, caller(interaction), AskInput(question, topic, details, agencies, label)
        )
        channel = _posting.question_channel(interaction.guild, plan.place)
        answer_to: discord.Interaction[LiaisonBot] = interaction
        if plan.similar:
            posting, answer = await confirm(
                interaction,
                None,
                reply.language,
                timeout=SIMILAR_SECONDS,
                embed=_render.similar_embed(reply.t, interaction.guild.id, plan.similar),
                yes="qa.post_anyway",
                style=discord.ButtonStyle.primary,
                cancelled="qa.ask_cancelled",
            )
            if not posting or answer is None:
                return
            answer_to = answer
            await update(answer_to, content=reply.t("qa.posting"), embed=None, view=None)
        thread, invited = await self._post(interaction, channel, plan.place, plan.asked, reply)
        # says what happened: experts invited, or none matched (as the thread itself says)
        key = "qa.asked" if invited else "qa.asked_no_experts"
        await send(answer_to, reply.t(key, link=thread.mention), ephemeral=True)

    async def _post(
        self,
        interaction: discord.Interaction[LiaisonBot],
        channel: discord.ForumChannel | discord.TextChannel,
        place: qa.Placement,
        asked: CleanAsk,
        reply: Reply,
    ) -> tuple[discord.Thread, bool]:
        """Post the question, store it with its first experts, then mention them in the thread
        (a private thread's members are the asker and the experts asked). Returns the thread and
        whether experts were invited."""
        assert interaction.guild_id is not None
        features = _FEATURES[place.private_thread, place.restricted]
        await bot_permissions.ensure(self.bot, channel, *features, what="question")
        try:
            posted = await _posting.post_question(
                channel, reply.t, asked, interaction.user.id, private=place.private_thread
            )
        except discord.Forbidden as exc:
            if bot_permissions.is_permission_refusal(exc):
                missing = await bot_permissions.after_refusal(
                    self.bot, interaction.guild_id, channel.id, features[0], what="question"
                )
                raise bot_permissions.BotLacksPermissions(channel.id, missing) from None
            key = "qa.error.cannot_post_private" if place.private_thread else "qa.error.cannot_post"
            raise NotAllowed(key, channel=channel.mention) from None
        # stored once Discord has answered with the thread (a transaction of its own, after the
        # checks of prepare_ask: none is held open across Discord's requests)
        stored = await qa.ask(
            self.bot.db,
            interaction.guild_id,
            asked,
            author_id=interaction.user.id,
            language=reply.language,
            channel_id=channel.id,
            thread_id=posted.thread.id,
            starter_message_id=posted.starter_message_id,
            now=self.bot.clock.now(),
        )
        (await self._known_threads(interaction.guild_id)).add(posted.thread.id)
        if stored.experts:
            await _posting.add_members(posted.thread, stored.experts)
            mentions, allowed = _render.expert_mentions(stored.experts)
            await posted.thread.send(reply.t("qa.routed", experts=mentions), allowed_mentions=allowed)
        else:
            await posted.thread.send(
                reply.t("qa.no_experts"), allowed_mentions=discord.AllowedMentions.none()
            )
        return posted.thread, bool(stored.experts)

    # -- /qa search ------------------------------------------------------------------------------
    @qa_group.command(name="search", description="Search solved questions and their accepted answers")
    @app_commands.describe(query="Words to look for in solved questions and answers")
    @acknowledge(Ack.PUBLIC)
    async def search(self, interaction: discord.Interaction[LiaisonBot], query: str) -> None:
        assert interaction.guild_id is not None
        reply = await reply_for(interaction)
        hits = await qa.search_as(self.bot.db, caller(interaction), query)
        if not hits:
            await reply.say("qa.search.none", ephemeral=True, query=_render.safe(query, 100))
            return
        private = labels.must_be_ephemeral(hit.label for hit in hits)
        pages = _render.search_pages(reply.t, interaction.guild_id, query, hits)
        await send_pages(interaction, pages, reply.language, ephemeral=private)

    # -- /qa solved and /qa reopen ---------------------------------------------------------------
    @qa_group.command(name="solved", description="Mark this question solved and record the accepted answer")
    @app_commands.describe(answer="Link or id of the accepted message (default: the latest answer)")
    async def solved(self, interaction: discord.Interaction[LiaisonBot], answer: str | None = None) -> None:
        assert interaction.guild_id is not None
        thread = self._thread_of(interaction)
        moderator = await is_moderator(interaction)
        question = await qa.may_solve(
            self.bot.db, interaction.guild_id, thread.id, actor_id=interaction.user.id, is_moderator=moderator
        )
        # reading the thread for the answer, and the forum's moderated "solved" tag
        await bot_permissions.ensure(self.bot, thread, "qa_solved")
        reply = await reply_for(interaction)
        accepted = await self._accepted(
            thread, answer, question.author_id, question.starter_message_id, reply
        )
        # a second transaction: the thread is read from Discord in between
        solved = await qa.solve(
            self.bot.db,
            interaction.guild_id,
            thread.id,
            actor_id=interaction.user.id,
            is_moderator=moderator,
            answer=accepted,
            now=self.bot.clock.now(),
        )
        await reply.send(
            reply.t("qa.solved.done"),
            embed=_render.solved_embed(reply.t, solved),
            view=PromoteButton.persistent_view(solved.id, reply.language),
        )
        await _posting.mark_solved(thread, solved.language)

    async def _accepted(
        self,
        thread: discord.Thread,
        answer: str | None,
        asker_id: int | None,
        starter_id: int | None,
        reply: Reply,
    ) -> AnswerRef:
        """The named message, or the latest message in the thread not by the asker (nor a bot)."""
        if answer:
            found = _MESSAGE_ID.search(answer.strip())
            if found is None or int(found.group(1)) > MAX_SNOWFLAKE:
                raise Invalid("qa.error.bad_answer")
            try:
                message = await thread.fetch_message(int(found.group(1)))
            except discord.HTTPException:
                raise Invalid("qa.error.bad_answer") from None
            return self._answer_ref(message, reply)
        async for message in thread.history(limit=HISTORY_LIMIT):
            if message.author.bot or message.author.id == asker_id or message.id == starter_id:
                continue
            if message.type not in (discord.MessageType.default, discord.MessageType.reply):
                continue
            return self._answer_ref(message, reply)
        raise Invalid("qa.error.no_answer")

    @staticmethod
    def _answer_ref(message: discord.Message, reply: Reply) -> AnswerRef:
        text = message.content.strip() or reply.t("qa.attachment_only", count=len(message.attachments))
        return AnswerRef(message.id, message.author.id, limits.clip(text, qa.questions.ANSWER_MAX))

    @qa_group.command(name="reopen", description="Reopen this solved question")
    async def reopen(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild_id is not None
        thread = self._thread_of(interaction)
        moderator = await is_moderator(interaction)
        await qa.reopen(
            self.bot.db,
            interaction.guild_id,
            thread.id,
            actor_id=interaction.user.id,
            is_moderator=moderator,
            now=self.bot.clock.now(),
        )
        reply = await reply_for(interaction)
        await reply.say("qa.reopened")
        await _posting.mark_open(thread)

    # -- /qa unanswered --------------------------------------------------------------------------
    @qa_group.command(name="unanswered", description="Questions still waiting to be solved, oldest first")
    async def unanswered(self, interaction: discord.Interaction[LiaisonBot]) -> None:
        assert interaction.guild_id is not None
        reply = await reply_for(interaction)
        questions = await qa.unanswered_as(self.bot.db, caller(interaction))
        if not questions:
            await reply.say("qa.unanswered.none", ephemeral=True)
            return
        pages = _render.unanswered_pages(
            reply.t, reply.t("qa.unanswered.title", count=len(questions)), questions
        )
        await send_pages(interaction, pages, reply.language, ephemeral=True)

    @commands.Cog.listener()
    async def on_verification_ended(self, guild_id: int, user_id: int) -> None:
        """A member no longer verified leaves the private threads of TLP:AMBER questions
        (moderators stay: they see every thread anyway)."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if guild is None or member is None:
            return
        leaving = await qa.leaving_threads(self.bot.db, guild_id, user_id)
        if leaving.thread_ids and not has_moderator_power(member, leaving.moderator_role_id):
            await _posting.remove_member(guild, leaving.thread_ids, user_id)

    # -- answers in threads ----------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        if message.channel.id not in await self._known_threads(message.guild.id):
            return
        await qa.record_activity(
            self.bot.db,
            message.guild.id,
            message.channel.id,
            author_id=message.author.id,
            message_id=message.id,
            now=self.bot.clock.now(),
        )
