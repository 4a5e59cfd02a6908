"""What wakes the inject engine: ``InjectWakeups``, the shared ``bot.delivery.Wakeups`` heap
rebuilt from the pending deliveries of injects. It never imports discord."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.exercises import PENDING, ExerciseDelivery
from bot.delivery import Wakeups


class InjectWakeups(Wakeups):
    """The wake-ups of injects: every pending delivery with a due moment."""

    async def pending_buckets(self, session: AsyncSession, dialect: str) -> set[int]:
        """Computed by the database (``DISTINCT``): one integer per bucket, no datetimes made."""
        due = (
            select(self._bucket_sql(ExerciseDelivery.due_at, dialect))
            .where(ExerciseDelivery.state == PENDING, ExerciseDelivery.due_at.is_not(None))
            .distinct()
        )
        return set((await session.scalars(due)).all())
