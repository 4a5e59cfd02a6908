"""What the events feature adds to ``/liaison stats``, ``/me export`` and ``/me delete``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.events import GOING, NOT_GOING, Event, Rsvp
from bot.services.events.answers import promote_after_capacity_change


async def stats(session: AsyncSession, guild_id: int) -> dict[str, int]:
    events = await session.scalar(select(func.count()).select_from(Event).where(Event.guild_id == guild_id))
    rsvps = await session.scalar(
        select(func.count()).select_from(Rsvp).where(Rsvp.guild_id == guild_id, Rsvp.status != NOT_GOING)
    )
    return {"events.stats.events": int(events or 0), "events.stats.rsvps": int(rsvps or 0)}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(Rsvp, Event.title)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id)
        .order_by(Rsvp.id)
    )
    created = await session.scalars(
        select(Event.id).where(Event.guild_id == guild_id, Event.created_by == user_id).order_by(Event.id)
    )
    return {
        "rsvps": [
            {
                "event_id": r.event_id,
                "event": title,
                "status": r.status,
                "updated_at": r.updated_at.isoformat(),
            }
            for r, title in rows
        ],
        "events_created": list(created),
    }


async def erase_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Remove the member's RSVPs (their place goes to the waiting list) and their authorship."""
    going_events = list(
        await session.scalars(
            select(Rsvp.event_id).where(
                Rsvp.guild_id == guild_id, Rsvp.user_id == user_id, Rsvp.status == GOING
            )
        )
    )
    await session.execute(delete(Rsvp).where(Rsvp.guild_id == guild_id, Rsvp.user_id == user_id))
    await session.execute(
        update(Event).where(Event.guild_id == guild_id, Event.created_by == user_id).values(created_by=None)
    )
    for event_id in going_events:
        await promote_after_capacity_change(session, guild_id, event_id)
