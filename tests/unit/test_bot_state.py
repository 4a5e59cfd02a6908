"""``bot_state``: the bot's own small facts (the last command sync's hash), each read or write a
unit of work."""

from __future__ import annotations

from bot.db import Database
from bot.services import bot_state, notices


async def test_a_value_put_is_read_back_and_replaced(db: Database) -> None:
    assert await bot_state.get(db, "command_hash:global") is None
    await bot_state.put(db, "command_hash:global", "abc")
    await bot_state.put(db, "command_hash:1", "other")
    assert await bot_state.get(db, "command_hash:global") == "abc"
    await bot_state.put(db, "command_hash:global", "def")
    assert await bot_state.get(db, "command_hash:global") == "def"


async def test_notices_taken_and_left_again_come_back_in_order(db: Database) -> None:
    await notices.leave(db, 1, 7, "a.key", n="1")
    await notices.leave(db, 1, 7, "b.key")
    taken = await notices.take(db, 1, 7)
    assert taken == [("a.key", {"n": "1"}), ("b.key", {})]
    assert await notices.take(db, 1, 7) == []
    await notices.leave_all(db, 1, 7, taken)
    assert await notices.take(db, 1, 7) == taken
