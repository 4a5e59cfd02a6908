"""A moderator turns a solved question's accepted answer into a resource-library suggestion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.qa import SOLVED
from bot.db.models.resources import ResourceSuggestion
from bot.errors import Invalid
from bot.services import audit
from bot.services.qa.questions import get
from bot.services.resources import suggestions, validation

TITLE_MAX = 200
DESCRIPTION_MAX = 1000
DEFAULT_TAG = "q&a"
TAG_MAX = 40


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def promote(
    session: AsyncSession, guild_id: int, question_id: int, *, actor_id: int, url: str, now: datetime
) -> ResourceSuggestion:
    """A pending suggestion pre-filled from the thread (title, link, accepted answer, topic),
    carrying the question's sharing label: an answer to a TLP:AMBER question stays TLP:AMBER in
    the library (shown to verified members only)."""
    question = await get(session, guild_id, question_id)
    if question.state != SOLVED or not question.accepted_text:
        raise Invalid("qa.error.not_solved")
    fields = validation.fields(
        title_text=_clip(question.title, TITLE_MAX),
        url_text=url,
        description_text=_clip(" ".join(question.accepted_text.split()), DESCRIPTION_MAX),
        tags_value=_clip(question.topic or DEFAULT_TAG, TAG_MAX),
        language_text=question.language,
        label_text=question.label,
    )
    suggestion = await suggestions.suggest(session, guild_id, actor_id, fields, now)
    await audit.record(session, guild_id, actor_id, "qa.promote", target=f"question:{question.id}")
    return suggestion
