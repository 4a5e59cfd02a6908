"""What a Q&A command reads or writes in the database, each in ONE unit of work (issue #16).

Each function composes the feature's session-level services on one session, so a cog makes one
call (with ``bot.db``: one transaction) and gets plain values back. Where the member's right to
see TLP:AMBER matters, it is read here, in the same transaction (``bot.services.callers``, over
``labels``' one rule); ``is_moderator`` (solving, reopening) is the cog's check's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services import callers, experts, guild_settings
from bot.services.callers import Caller
from bot.services.qa._text import AskInput, CleanAsk, validate
from bot.services.qa.fulltext import Hit, search, similar
from bot.services.qa.promote import promote
from bot.services.qa.questions import (
    Placement,
    QuestionInfo,
    check_may_solve,
    for_thread,
    get,
    placement,
    qa_channel,
    restricted_threads,
    unanswered,
)


def thread_url(guild_id: int, thread_id: int) -> str:
    """The address of a question's thread (a thread's id is its channel's)."""
    return f"https://discord.com/channels/{guild_id}/{thread_id}"


@dataclass(frozen=True)
class TopicSources:
    """Where ``/ask``'s topic suggestions come from: the expertise list's matches, and the Q&A
    channel whose forum tags the cog adds."""

    expertise: list[str]
    qa_channel_id: int | None


@unit_of_work
async def topic_sources(session: AsyncSession, guild_id: int, typed: str) -> TopicSources:
    suggestions = await experts.expertise_suggestions(session, guild_id, typed)
    channel_id = (await guild_settings.get(session, guild_id)).qa_channel_id
    return TopicSources(suggestions, channel_id)


@dataclass(frozen=True)
class AskPlan:
    """A question checked before anything is posted: its cleaned fields, where it goes, and the
    solved questions like it (the asker is shown these first)."""

    asked: CleanAsk
    place: Placement
    similar: list[Hit]


@unit_of_work
async def prepare_ask(session: AsyncSession, caller: Caller, given: AskInput) -> AskPlan:
    """Refusals in the order the asker meets them: Q&A not set up, a bad field, a label the
    member may not use or that has nowhere to go."""
    guild_id = caller.guild_id
    await qa_channel(session, guild_id)  # set up first
    asked = validate(given)
    verified = await callers.verified(session, caller)
    place = await placement(session, guild_id, asked.label, verified=verified)
    found = await similar(session, guild_id, asked.question, asked.topic, verified=verified)
    return AskPlan(asked, place, found)


@unit_of_work
async def search_as(session: AsyncSession, caller: Caller, query: str) -> list[Hit]:
    """``/qa search`` for this member: TLP:AMBER answers only when they may see them."""
    verified = await callers.verified(session, caller)
    return await search(session, caller.guild_id, query, verified=verified)


@unit_of_work
async def unanswered_as(session: AsyncSession, caller: Caller) -> list[QuestionInfo]:
    """``/qa unanswered`` for this member: TLP:AMBER questions only when they may see them."""
    verified = await callers.verified(session, caller)
    return await unanswered(session, caller.guild_id, verified=verified)


@unit_of_work
async def may_solve(
    session: AsyncSession, guild_id: int, thread_id: int, *, actor_id: int, is_moderator: bool
) -> QuestionInfo:
    """The thread's question, when this member may mark it solved (else the refusal)."""
    question = await for_thread(session, guild_id, thread_id)
    check_may_solve(question, actor_id, is_moderator)
    return QuestionInfo.from_row(question)


@dataclass(frozen=True)
class LeavingThreads:
    """Threads of TLP:AMBER questions a member no longer verified was in, and the server's
    moderator role (whose holders stay)."""

    moderator_role_id: int | None
    thread_ids: list[int]


@unit_of_work
async def leaving_threads(session: AsyncSession, guild_id: int, user_id: int) -> LeavingThreads:
    moderator_role_id = (await guild_settings.get(session, guild_id)).moderator_role_id
    return LeavingThreads(moderator_role_id, await restricted_threads(session, guild_id, user_id))


@unit_of_work
async def promote_accepted(
    session: AsyncSession, guild_id: int, question_id: int, *, actor_id: int, now: datetime
) -> int:
    """Suggest the question's accepted answer to the library, linking to the answer (or the
    thread when the answer's message is not known). Returns the suggestion's id."""
    question = await get(session, guild_id, question_id)
    url = thread_url(question.guild_id, question.thread_id)
    if question.accepted_message_id:
        url = f"{url}/{question.accepted_message_id}"
    suggestion = await promote(session, guild_id, question_id, actor_id=actor_id, url=url, now=now)
    return suggestion.id


@unit_of_work
async def question_as_asked(session: AsyncSession, guild_id: int, question_id: int) -> CleanAsk:
    """A stored question's fields as ``/ask`` posted them (to redraw its starter post)."""
    row = await get(session, guild_id, question_id)
    return CleanAsk(row.title, row.topic, row.details, row.agencies, row.label)
