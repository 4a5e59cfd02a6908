"""The plain values the events service takes and gives back: what a command may set, an event as
its callers read it, counts of answers, and what an action did."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from bot.db.models.events import Event
from bot.services.values import copied


@dataclass(frozen=True)
class EventInput:
    """What ``/event create`` and ``/event edit`` may set; None means 'not given'."""

    title: str | None = None
    start: str | None = None
    timezone: str | None = None
    duration: str | None = None
    location: str | None = None
    description: str | None = None
    reminders: str | None = None
    capacity: int | None = None
    repeat: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class EventInfo:
    """An event as read in one transaction: what its card, its lines and its calendar file show."""

    id: int
    guild_id: int
    title: str
    starts_at: datetime
    timezone: str
    duration_minutes: int
    repeat: str
    location: str | None
    description: str | None
    capacity: int | None
    reminder_offsets: str
    cancelled_at: datetime | None
    channel_id: int | None
    message_id: int | None

    @classmethod
    def from_row(cls, row: Event) -> EventInfo:
        return copied(cls, row)


@dataclass(frozen=True)
class Counts:
    going: int = 0
    maybe: int = 0
    not_going: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class Change:
    """What an action did, for the cog to tell people and to wake the scheduler."""

    event: EventInfo
    wakeups: list[datetime] = field(default_factory=list)
    time_changed: bool = False
    notify: list[int] = field(default_factory=list)
    promoted: list[int] = field(default_factory=list)
    # The start's wall-clock time occurs twice in its zone (the first was taken): what to say.
    repeated: dict[str, str] | None = None


@dataclass(frozen=True)
class RsvpResult:
    status: str
    counts: Counts
    promoted: list[int]
