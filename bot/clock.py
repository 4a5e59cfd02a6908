"""Time as a dependency, so tests and the sandbox console can move it forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The bot's clock: real UTC time plus an offset that only tests and the sandbox change."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class FrozenClock(Clock):
    """A clock that stands still until told to move: for service tests."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
