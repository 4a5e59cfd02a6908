"""``liaison backup PATH``: a consistent copy of a live SQLite database (SQLite's online backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config import Settings
from bot.errors import ConfigError


def backup_sqlite(settings: Settings, destination: str | Path) -> int:
    """Copy the database page by page while the bot may keep writing; returns the page count."""
    source_path = settings.sqlite_path()
    if not settings.is_sqlite:
        raise ConfigError("backup works on SQLite databases; for PostgreSQL use pg_dump")
    if source_path is None or not source_path.exists():
        raise ConfigError(f"no database file to back up at {source_path}")
    target = Path(destination)
    if target.exists() and target.resolve() == source_path.resolve():
        raise ConfigError("the backup cannot overwrite the database itself")
    if not target.parent.exists():
        raise ConfigError(f"folder {target.parent} does not exist")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=10)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=256)
            return int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
    finally:
        source.close()
