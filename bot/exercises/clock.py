"""The exercise clock: exercise time from real time, with a speed, pauses and resumptions.

Pure functions over a :class:`ClockState` (what the database keeps on the exercise): exercise
seconds ``base`` at the real moment ``anchor``, running at ``speed`` exercise seconds per real
second; ``anchor`` is None while the clock is stopped (not started, paused, ended). The clock keeps
running while the bot is down: after a restart it is read back from the same three values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MIN_SPEED = 0.1
MAX_SPEED = 10000.0


@dataclass(frozen=True)
class ClockState:
    speed: float = 1.0
    base: float = 0.0
    anchor: datetime | None = None

    @property
    def running(self) -> bool:
        return self.anchor is not None


def started(now: datetime, speed: float = 1.0) -> ClockState:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be within {MIN_SPEED} and {MAX_SPEED}")
    return ClockState(speed=speed, base=0.0, anchor=now)


def elapsed(state: ClockState, now: datetime) -> float:
    """Exercise seconds at the real moment ``now`` (never before ``base``)."""
    if state.anchor is None:
        return state.base
    return state.base + max(0.0, (now - state.anchor).total_seconds()) * state.speed


def paused(state: ClockState, now: datetime) -> ClockState:
    """Frozen at the exercise time it shows ``now`` (pausing a paused clock changes nothing)."""
    if state.anchor is None:
        return state
    return replace(state, base=elapsed(state, now), anchor=None)


def resumed(state: ClockState, now: datetime) -> ClockState:
    """Running again from where it stood."""
    if state.anchor is not None:
        return state
    return replace(state, anchor=now)


def due_at(state: ClockState, offset: float) -> datetime | None:
    """The real moment the clock shows ``offset`` exercise seconds; None while stopped. An
    offset already passed is due at once (at the anchor)."""
    if state.anchor is None:
        return None
    ahead = max(0.0, offset - state.base)
    return state.anchor + timedelta(seconds=ahead / state.speed)
