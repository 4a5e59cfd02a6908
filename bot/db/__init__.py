"""Database layer: engine and sessions (``engine``), models (``models``), migrations (``migrate``)."""

from bot.db.engine import Database

__all__ = ["Database"]
