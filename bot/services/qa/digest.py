"""The weekly digest of unanswered questions, posted to the Q&A channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.qa import DigestMark, QuestionPost
from bot.db.unit import unit_of_work
from bot.services import guild_settings
from bot.services.qa.questions import QuestionInfo, unanswered

DIGEST_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class Digest:
    channel_id: int
    language: str | None
    questions: list[QuestionInfo]


@unit_of_work
async def take_digest(session: AsyncSession, guild_id: int, now: datetime) -> Digest | None:
    """The digest when one is due (marking it posted), else None.

    The first sweep in a server only starts the week, so a digest never comes a minute after
    the first question. Only questions anyone may see are listed: the digest is public.
    """
    mark = await session.get(DigestMark, guild_id)
    if mark is None:
        session.add(DigestMark(guild_id=guild_id, last_posted_at=now))
        return None
    if now - mark.last_posted_at < DIGEST_EVERY:
        return None
    mark.last_posted_at = now
    settings = await guild_settings.get(session, guild_id)
    if settings.qa_channel_id is None:
        return None
    questions = await unanswered(session, guild_id, verified=False)
    if not questions:
        return None
    return Digest(settings.qa_channel_id, settings.language, questions)


@unit_of_work
async def quoted(
    session: AsyncSession, guild_id: int, question_ids: list[int], kind: str, channel_id: int, message_id: int
) -> None:
    """The bot posted ``message_id`` quoting these questions' titles outside their threads (a
    digest, an escalation notice): kept so that ``/me delete`` can take an erased title out."""
    for question_id in dict.fromkeys(question_ids):
        session.add(
            QuestionPost(
                guild_id=guild_id,
                question_id=question_id,
                kind=kind,
                channel_id=channel_id,
                message_id=message_id,
            )
        )
    await session.flush()
