"""The features whose data Liaison keeps, in a stable order: ``/liaison stats``, ``/me export`` and
``/me delete`` go through each of them (its service offers ``stats``, ``export_member``,
``erase_member`` and ``bot_messages`` as far as it keeps such data).

Imported directly, so that the import graph and the type checker see every link, and a feature
that is missing or misspelt fails at import rather than being skipped.
"""

from __future__ import annotations

from types import ModuleType

from bot.services import events, exercises, experts, learn, qa, reminders, resources

FEATURES: tuple[tuple[str, ModuleType], ...] = (
    ("resources", resources),
    ("experts", experts),
    ("events", events),
    ("reminders", reminders),
    ("qa", qa),
    ("exercises", exercises),
    ("learn", learn),
)
