"""A question's life: asked, answered in its thread, solved (or reopened), escalated, archived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.qa import OPEN, SOLVED, ExpertNotification, Question
from bot.db.unit import unit_of_work
from bot.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services import audit, guild_settings, labels
from bot.services.qa import routing
from bot.services.qa._text import CleanAsk
from bot.services.values import copied

ANSWER_MAX = 4000
UNANSWERED_LIMIT = 200


@dataclass(frozen=True)
class QuestionInfo:
    """A question as it stood when a service returned it: what cogs and renderers read (never the
    ORM row, which belongs to the transaction that loaded it)."""

    id: int
    guild_id: int
    channel_id: int
    thread_id: int
    starter_message_id: int | None
    author_id: int | None
    title: str
    details: str | None
    topic: str | None
    agencies: str | None
    label: str
    language: str
    state: str
    reply_count: int
    last_answer_message_id: int | None
    last_answer_author_id: int | None
    accepted_message_id: int | None
    accepted_text: str | None
    accepted_author_id: int | None
    escalation_level: int
    created_at: datetime
    first_reply_at: datetime | None
    last_activity_at: datetime
    solved_at: datetime | None
    escalated_at: datetime | None
    archived_at: datetime | None

    @classmethod
    def from_row(cls, row: Question) -> QuestionInfo:
        return copied(cls, row)


@dataclass(frozen=True)
class Asked:
    question: QuestionInfo
    experts: list[int]


@dataclass(frozen=True)
class AnswerRef:
    """The accepted answer as the cog read it from Discord."""

    message_id: int
    author_id: int | None
    text: str


@dataclass(frozen=True)
class Escalation:
    question: QuestionInfo
    experts: list[int]
    moderator_role_id: int | None
    review_channel_id: int | None
    waited_hours: int


@dataclass(frozen=True)
class Placement:
    """Where a new question goes: a thread in ``channel_id`` (a forum post or a starter message's
    public thread), or, when ``private_thread``, a private thread of that text channel whose
    members are the asker and the experts asked. ``restricted``: TLP:AMBER, for verified members
    and moderators only."""

    channel_id: int
    private_thread: bool = False
    restricted: bool = False


async def placement(session: AsyncSession, guild_id: int, label: str, *, verified: bool) -> Placement:
    """Where a question with ``label`` may be asked by this member, or the refusal.

    An open question goes to the Q&A channel. A TLP:AMBER one only from a verified member (or a
    moderator), to the restricted channel when one is set, else to a private thread of the Q&A
    channel; the cog refuses (``qa.error.no_restricted_place``) when that channel cannot hold one.
    """
    if label not in labels.RESTRICTED:
        return Placement(await qa_channel(session, guild_id))
    if not verified:
        raise NotAllowed("qa.error.amber_unverified", label=label)
    settings = await guild_settings.get(session, guild_id)
    if settings.restricted_channel_id is not None:
        return Placement(settings.restricted_channel_id, restricted=True)
    if settings.qa_channel_id is None:
        raise NotFound("qa.error.no_restricted_place")
    return Placement(settings.qa_channel_id, private_thread=True, restricted=True)


async def qa_channel(session: AsyncSession, guild_id: int) -> int:
    """The configured Q&A channel, or the refusal telling the caller to have it set up."""
    settings = await guild_settings.get(session, guild_id)
    if settings.qa_channel_id is None:
        raise NotFound("qa.error.no_channel")
    return settings.qa_channel_id


@unit_of_work
async def ask(
    session: AsyncSession,
    guild_id: int,
    given: CleanAsk,
    *,
    author_id: int,
    language: str,
    channel_id: int,
    thread_id: int,
    starter_message_id: int | None,
    now: datetime,
) -> Asked:
    """Store the question posted in ``thread_id`` and pick the first experts to mention."""
    question = Question(
        guild_id=guild_id,
        channel_id=channel_id,
        thread_id=thread_id,
        starter_message_id=starter_message_id,
        author_id=author_id,
        title=given.question,
        details=given.details,
        topic=given.topic,
        agencies=given.agencies,
        label=given.label,
        language=language,
        state=OPEN,
        created_at=now,
        last_activity_at=now,
    )
    session.add(question)
    await session.flush()
    experts = await routing.route(session, question, now=now, round_=0)
    return Asked(QuestionInfo.from_row(question), experts)


async def restricted_threads(session: AsyncSession, guild_id: int, user_id: int) -> list[int]:
    """Threads of TLP:AMBER questions the member asked or was asked to answer: when their
    verification ends, they leave those that are private threads."""
    notified = select(ExpertNotification.question_id).where(
        ExpertNotification.guild_id == guild_id, ExpertNotification.expert_id == user_id
    )
    rows = await session.scalars(
        select(Question.thread_id)
        .where(
            Question.guild_id == guild_id,
            Question.label.in_(sorted(label.value for label in labels.RESTRICTED)),
            or_(Question.author_id == user_id, Question.id.in_(notified)),
        )
        .order_by(Question.id)
    )
    return list(rows)


async def for_thread(session: AsyncSession, guild_id: int, thread_id: int) -> Question:
    question = await session.scalar(
        select(Question).where(Question.guild_id == guild_id, Question.thread_id == thread_id)
    )
    if question is None:
        raise NotFound("qa.error.not_a_question")
    return question


async def get(session: AsyncSession, guild_id: int, question_id: int) -> Question:
    question = await session.scalar(
        select(Question).where(Question.guild_id == guild_id, Question.id == question_id)
    )
    if question is None:
        raise NotFound("qa.error.not_found")
    return question


@unit_of_work
async def thread_ids(session: AsyncSession, guild_id: int) -> set[int]:
    """Every Q&A thread of the server: the message listener only looks at these."""
    return set(await session.scalars(select(Question.thread_id).where(Question.guild_id == guild_id)))


@unit_of_work
async def record_activity(
    session: AsyncSession, guild_id: int, thread_id: int, *, author_id: int, message_id: int, now: datetime
) -> int | None:
    """A member wrote in a Q&A thread: activity, and an answer when it is not the asker. Returns
    the question's id, None when the thread holds no question."""
    question = await session.scalar(
        select(Question).where(Question.guild_id == guild_id, Question.thread_id == thread_id)
    )
    if question is None:
        return None
    question.last_activity_at = now
    question.archived_at = None
    if author_id != question.author_id:
        question.reply_count += 1
        question.first_reply_at = question.first_reply_at or now
        question.last_answer_message_id = message_id
        question.last_answer_author_id = author_id
    return question.id


def check_may_close(question: Question, actor_id: int, is_moderator: bool) -> None:
    """The asker or a moderator may mark solved or reopen."""
    if not is_moderator and (question.author_id is None or question.author_id != actor_id):
        raise NotAllowed("qa.error.not_asker")


def check_may_solve(question: Question, actor_id: int, is_moderator: bool) -> None:
    check_may_close(question, actor_id, is_moderator)
    if question.state == SOLVED:
        raise Conflict("qa.error.already_solved")


async def _audit_if_moderating(session: AsyncSession, question: Question, actor_id: int, action: str) -> None:
    if question.author_id != actor_id:
        await audit.record(session, question.guild_id, actor_id, action, target=f"question:{question.id}")


@unit_of_work
async def solve(
    session: AsyncSession,
    guild_id: int,
    thread_id: int,
    *,
    actor_id: int,
    is_moderator: bool,
    answer: AnswerRef,
    now: datetime,
) -> QuestionInfo:
    """Mark solved with ``answer`` accepted; the full-text index picks it up (triggers)."""
    question = await for_thread(session, guild_id, thread_id)
    check_may_solve(question, actor_id, is_moderator)
    text = answer.text.strip()
    if not text:
        raise Invalid("qa.error.empty_answer")
    question.state = SOLVED
    question.accepted_message_id = answer.message_id
    question.accepted_author_id = answer.author_id
    question.accepted_text = text[:ANSWER_MAX]
    question.solved_at = now
    question.last_activity_at = now
    question.archived_at = None
    if is_moderator:
        await _audit_if_moderating(session, question, actor_id, "qa.solve")
    return QuestionInfo.from_row(question)


@unit_of_work
async def reopen(
    session: AsyncSession, guild_id: int, thread_id: int, *, actor_id: int, is_moderator: bool, now: datetime
) -> QuestionInfo:
    """Undo ``solve``: the question is open again and leaves the search index."""
    question = await for_thread(session, guild_id, thread_id)
    check_may_close(question, actor_id, is_moderator)
    if question.state != SOLVED:
        raise Conflict("qa.error.not_solved")
    question.state = OPEN
    question.accepted_message_id = None
    question.accepted_author_id = None
    question.accepted_text = None
    question.solved_at = None
    question.archived_at = None
    question.last_activity_at = now
    if is_moderator:
        await _audit_if_moderating(session, question, actor_id, "qa.reopen")
    return QuestionInfo.from_row(question)


async def unanswered(session: AsyncSession, guild_id: int, *, verified: bool) -> list[QuestionInfo]:
    """Open questions, oldest first (AMBER ones only for verified members)."""
    rows = await session.scalars(
        select(Question)
        .where(
            Question.guild_id == guild_id,
            Question.state == OPEN,
            labels.sql_visible(Question.label, verified),
        )
        .order_by(Question.created_at, Question.id)
        .limit(UNANSWERED_LIMIT)
    )
    return [QuestionInfo.from_row(row) for row in rows]


# -- sweeps ----------------------------------------------------------------------------------------
@unit_of_work
async def due_escalations(session: AsyncSession, guild_id: int, now: datetime) -> list[int]:
    """Open questions nobody but the asker has answered within the server's delay, not yet escalated."""
    settings = await guild_settings.get(session, guild_id)
    cutoff = now - timedelta(hours=settings.qa_escalation_hours)
    rows = await session.scalars(
        select(Question.id).where(
            Question.guild_id == guild_id,
            Question.state == OPEN,
            Question.escalation_level == 0,
            Question.reply_count == 0,
            Question.created_at <= cutoff,
        )
    )
    return list(rows)


@unit_of_work
async def escalate(
    session: AsyncSession, guild_id: int, question_id: int, now: datetime
) -> Escalation | None:
    """Ask the next experts and name who tells the moderators; None when no longer due."""
    if question_id not in await due_escalations(session, guild_id, now):
        return None
    question = await get(session, guild_id, question_id)
    question.escalation_level = 1
    question.escalated_at = now
    experts = await routing.route(session, question, now=now, round_=1)
    settings = await guild_settings.get(session, guild_id)
    waited = round((now - question.created_at).total_seconds() / 3600)
    return Escalation(
        QuestionInfo.from_row(question),
        experts,
        settings.moderator_role_id,
        settings.review_channel_id,
        waited,
    )


@unit_of_work
async def due_archives(session: AsyncSession, guild_id: int, now: datetime) -> list[QuestionInfo]:
    """Solved questions whose thread has been idle longer than the server's archive delay."""
    settings = await guild_settings.get(session, guild_id)
    cutoff = now - timedelta(hours=settings.qa_archive_hours)
    rows = await session.scalars(
        select(Question).where(
            Question.guild_id == guild_id,
            Question.state == SOLVED,
            Question.archived_at.is_(None),
            Question.last_activity_at <= cutoff,
        )
    )
    return [QuestionInfo.from_row(row) for row in rows]


@unit_of_work
async def mark_archived(session: AsyncSession, guild_id: int, question_id: int, now: datetime) -> None:
    question = await get(session, guild_id, question_id)
    question.archived_at = now
