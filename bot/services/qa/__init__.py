"""Cross-agency Q&A: questions in threads, routed to experts, solved, searchable.

``questions`` holds a question's life, ``routing`` the choice of experts, ``search`` the full-text
search of solved questions, ``digest`` the weekly digest, ``commands`` each command's one unit of
work for the cog; this module adds the per-feature hooks
(``stats``, ``export_member``, ``erase_member``) gathered by name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.qa import OPEN, SOLVED, ExpertNotification, Question, QuestionPost
from bot.services.qa._text import AskInput, CleanAsk, validate
from bot.services.qa.commands import (
    AskPlan,
    LeavingThreads,
    TopicSources,
    leaving_threads,
    may_solve,
    prepare_ask,
    promote_accepted,
    question_as_asked,
    search_as,
    thread_url,
    topic_sources,
    unanswered_as,
)
from bot.services.qa.digest import Digest, quoted, take_digest
from bot.services.qa.fulltext import Hit, search, similar
from bot.services.qa.promote import promote
from bot.services.qa.questions import (
    AnswerRef,
    Asked,
    Escalation,
    Placement,
    QuestionInfo,
    ask,
    check_may_close,
    check_may_solve,
    due_archives,
    due_escalations,
    escalate,
    for_thread,
    get,
    mark_archived,
    placement,
    qa_channel,
    record_activity,
    reopen,
    restricted_threads,
    solve,
    thread_ids,
    unanswered,
)

__all__ = [
    "AnswerRef",
    "AskInput",
    "AskPlan",
    "Asked",
    "CleanAsk",
    "Digest",
    "Escalation",
    "Hit",
    "LeavingThreads",
    "Placement",
    "QuestionInfo",
    "TopicSources",
    "ask",
    "bot_messages",
    "check_may_close",
    "check_may_solve",
    "due_archives",
    "due_escalations",
    "erase_member",
    "escalate",
    "export_member",
    "for_thread",
    "get",
    "leaving_threads",
    "mark_archived",
    "may_solve",
    "placement",
    "prepare_ask",
    "promote",
    "promote_accepted",
    "qa_channel",
    "question_as_asked",
    "quoted",
    "record_activity",
    "reopen",
    "restricted_threads",
    "search",
    "search_as",
    "similar",
    "solve",
    "stats",
    "take_digest",
    "thread_ids",
    "thread_url",
    "topic_sources",
    "unanswered",
    "unanswered_as",
    "validate",
]


async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Question.state, func.count()).where(Question.guild_id == guild_id).group_by(Question.state)
    )
    by_state = {state: int(count) for state, count in rows.all()}
    no_reply = await session.scalar(
        select(func.count()).where(
            Question.guild_id == guild_id, Question.state == OPEN, Question.reply_count == 0
        )
    )
    return {
        "qa.stats.questions": sum(by_state.values()),
        "qa.stats.solved": by_state.get(SOLVED, 0),
        "qa.stats.open": by_state.get(OPEN, 0),
        "qa.stats.no_reply": int(no_reply or 0),
    }


def _question_json(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "thread_id": str(question.thread_id),
        "question": question.title,
        "details": question.details,
        "topic": question.topic,
        "agencies": question.agencies,
        "label": question.label,
        "state": question.state,
        "created_at": question.created_at.isoformat(),
        "solved_at": question.solved_at.isoformat() if question.solved_at else None,
    }


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Questions the member asked, answers of theirs that were accepted, times they were asked."""
    asked = await session.scalars(
        select(Question)
        .where(Question.guild_id == guild_id, Question.author_id == user_id)
        .order_by(Question.created_at, Question.id)
    )
    accepted = await session.scalars(
        select(Question)
        .where(Question.guild_id == guild_id, Question.accepted_author_id == user_id)
        .order_by(Question.solved_at, Question.id)
    )
    notified = await session.scalars(
        select(ExpertNotification)
        .where(ExpertNotification.guild_id == guild_id, ExpertNotification.expert_id == user_id)
        .order_by(ExpertNotification.notified_at, ExpertNotification.id)
    )
    return {
        "questions_asked": [_question_json(q) for q in asked],
        "answers_accepted": [
            {
                "question_id": q.id,
                "question": q.title,
                "label": q.label,
                "answer": q.accepted_text,
                "message_id": str(q.accepted_message_id) if q.accepted_message_id else None,
            }
            for q in accepted
        ],
        "expert_mentions": [
            {"question_id": n.question_id, "notified_at": n.notified_at.isoformat()} for n in notified
        ],
    }


async def bot_messages(
    session: AsyncSession, guild_id: int, user_id: int, *, erase_text: bool = False
) -> list[tuple[Any, ...]]:
    """The bot's own posts naming the member, for ``/me delete`` to edit: the starter post of each
    question they asked, as (kind, where to look, message id, question id, its text erased too);
    and the threads where the bot mentioned them otherwise (routing pings, an accepted answer of
    theirs: message id 0, the bot's messages there are searched for the mention)."""
    rows = await session.execute(
        select(Question.id, Question.thread_id, Question.channel_id, Question.starter_message_id).where(
            Question.guild_id == guild_id,
            Question.author_id == user_id,
            Question.starter_message_id.is_not(None),
        )
    )
    found: list[tuple[Any, ...]] = [
        ("qa.question", (thread, channel), message, qid, erase_text)
        for qid, thread, channel, message in rows
        if message is not None
    ]
    notified = select(ExpertNotification.question_id).where(
        ExpertNotification.guild_id == guild_id, ExpertNotification.expert_id == user_id
    )
    mentioned = await session.execute(
        select(Question.id, Question.thread_id, Question.accepted_author_id == user_id).where(
            Question.guild_id == guild_id,
            (Question.accepted_author_id == user_id) | Question.id.in_(notified),
        )
    )
    found += [("qa.thread", (thread,), 0, qid, bool(erase_text and own)) for qid, thread, own in mentioned]
    if erase_text:  # digests and escalation notices quoting the erased questions' titles
        posts = await session.execute(
            select(
                QuestionPost.question_id, QuestionPost.channel_id, QuestionPost.message_id, Question.thread_id
            )
            .join(Question, Question.id == QuestionPost.question_id)
            .where(Question.guild_id == guild_id, Question.author_id == user_id)
        )
        found += [
            ("qa.quoted", (channel,), message, qid, True, (("thread_id", str(thread)),))
            for qid, channel, message, thread in posts
        ]
    return found


async def erase_member(
    session: AsyncSession, guild_id: int, user_id: int, *, erase_text: bool = False
) -> list[str]:
    """Questions and accepted answers stay for the community, with the member's id removed
    (``qa_text: keep``); with ``erase_text`` their questions go, and their accepted answers lose
    their text. Returns the texts erased, for the audit log's scrubbing."""
    erased: list[str] = []
    if erase_text:
        asked = list(
            await session.scalars(
                select(Question).where(Question.guild_id == guild_id, Question.author_id == user_id)
            )
        )
        for question in asked:
            erased += [t for t in (question.title, question.details, question.agencies) if t]
            await session.execute(delete(QuestionPost).where(QuestionPost.question_id == question.id))
            await session.delete(question)
        answers = list(
            await session.scalars(
                select(Question).where(Question.guild_id == guild_id, Question.accepted_author_id == user_id)
            )
        )
        for question in answers:
            erased += [question.accepted_text] if question.accepted_text else []
            question.accepted_text = None
        await session.flush()
    for column in (Question.author_id, Question.accepted_author_id, Question.last_answer_author_id):
        await session.execute(
            update(Question)
            .where(Question.guild_id == guild_id, column == user_id)
            .values({column.key: None})
        )
    await session.execute(
        delete(ExpertNotification).where(
            ExpertNotification.guild_id == guild_id, ExpertNotification.expert_id == user_id
        )
    )
    return erased
