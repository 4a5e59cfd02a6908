"""Tabletop exercises: load, assign, run (clock, injects), record, report. No discord here.

- ``access``: loading a scenario file, listing, who may do what, assigning members;
- ``running``: start, pause, resume, an inject now, end;
- ``delivery``: the inject delivery engine (claimed rows, nonces), as reminders are delivered;
- ``records``: decisions, observations, hot-wash answers;
- ``reporting``: the after-action report's data.
"""

from bot.services.exercises import access, delivery, records, reporting, running
from bot.services.exercises.access import Caller
from bot.services.exercises.privacy import bot_messages, erase_member, export_member, stats

__all__ = [
    "Caller",
    "access",
    "bot_messages",
    "delivery",
    "erase_member",
    "export_member",
    "records",
    "reporting",
    "running",
    "stats",
]
