"""Small key/value facts about the bot itself (``bot_state``), such as the hash of the last
command sync."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BotState
from bot.db.unit import unit_of_work


@unit_of_work
async def get(session: AsyncSession, key: str) -> str | None:
    state = await session.get(BotState, key)
    return state.value if state is not None else None


@unit_of_work
async def put(session: AsyncSession, key: str, value: str) -> None:
    await session.merge(BotState(key=key, value=value))
