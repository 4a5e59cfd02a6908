"""Reminders, one package: what is planned and when (``planning``), the database work of a
delivery pass a batch at a time (``batches``), the engine that sends each due reminder once
(``delivery``), and what wakes the engine up (``runner``).

The planning functions are the package's own (``reminders.remind(...)``, ``reminders.stats``)."""

from __future__ import annotations

from bot.services.reminders.planning import (
    MAX_PENDING_PER_MEMBER,
    NONCE_PREFIX,
    WHAT_LIMIT,
    PersonalReminder,
    Planned,
    bot_messages,
    cancel_personal,
    erase_member,
    export_member,
    next_due,
    nonce_for,
    plan_event,
    remind,
    remind_member,
    replan_event,
    roll_forward,
    stats,
    withdraw_event,
    zone_for,
)

__all__ = [
    "MAX_PENDING_PER_MEMBER",
    "NONCE_PREFIX",
    "WHAT_LIMIT",
    "PersonalReminder",
    "Planned",
    "bot_messages",
    "cancel_personal",
    "erase_member",
    "export_member",
    "next_due",
    "nonce_for",
    "plan_event",
    "remind",
    "remind_member",
    "replan_event",
    "roll_forward",
    "stats",
    "withdraw_event",
    "zone_for",
]
