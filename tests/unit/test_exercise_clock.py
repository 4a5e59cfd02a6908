"""The exercise clock with a fake clock: speed, pause and resume, due moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.exercises import clock

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_speed_scales_exercise_time() -> None:
    fake = FrozenClock(T0)
    state = clock.started(fake.now(), speed=60)
    assert clock.elapsed(state, fake.now()) == 0
    fake.advance(timedelta(seconds=80))
    assert clock.elapsed(state, fake.now()) == 80 * 60  # T+01:20 after 80 real seconds
    assert clock.due_at(state, 3 * 3600) == T0 + timedelta(seconds=180)


def test_pause_freezes_and_resume_carries_on() -> None:
    fake = FrozenClock(T0)
    state = clock.started(fake.now(), speed=2)
    fake.advance(timedelta(minutes=10))
    state = clock.paused(state, fake.now())
    assert not state.running and clock.elapsed(state, fake.now()) == 20 * 60
    assert clock.due_at(state, 30 * 60) is None
    fake.advance(timedelta(hours=5))  # paused: nothing moves
    assert clock.elapsed(state, fake.now()) == 20 * 60
    assert clock.paused(state, fake.now()) == state
    state = clock.resumed(state, fake.now())
    assert clock.resumed(state, fake.now()) == state
    resumed_at = fake.now()
    fake.advance(timedelta(minutes=1))
    assert clock.elapsed(state, fake.now()) == 22 * 60
    assert clock.due_at(state, 30 * 60) == resumed_at + timedelta(minutes=5)
    assert clock.due_at(state, 60) == resumed_at  # already passed: due at once


def test_clock_before_its_anchor_and_speed_bounds() -> None:
    state = clock.started(T0, speed=1)
    assert clock.elapsed(state, T0 - timedelta(seconds=5)) == 0
    with pytest.raises(ValueError):
        clock.started(T0, speed=0)
    with pytest.raises(ValueError):
        clock.started(T0, speed=50000)
