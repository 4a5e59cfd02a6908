"""``liaison backup PATH``: a consistent copy of the live database, whichever the engine.

SQLite: SQLite's online backup, page by page, while the bot keeps writing. PostgreSQL: ``pg_dump``
in its custom format (one consistent snapshot; restore with ``pg_restore``).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.errors import ConfigError


def backup(settings: Settings, destination: str | Path) -> str:
    """Back up to ``destination``; returns a short description of what was written."""
    if settings.is_sqlite:
        return f"{backup_sqlite(settings, destination)} pages"
    return f"{backup_postgresql(settings, destination):,} bytes, pg_dump custom format"


def _pg_dump() -> str:
    found = shutil.which("pg_dump") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)), None
    )
    if found is None:
        raise ConfigError("backup of PostgreSQL needs pg_dump (Debian: apt install postgresql-client)")
    return found


def backup_postgresql(settings: Settings, destination: str | Path) -> int:
    """``pg_dump -Fc`` of the database; returns the size of the file written."""
    url = make_url(settings.database_url)
    target = Path(destination)
    if not target.parent.exists():
        raise ConfigError(f"folder {target.parent} does not exist")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    command = [_pg_dump(), "--format=custom", f"--file={target}", f"--dbname={url.database}"]
    command += [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        command.append(f"--username={url.username}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise ConfigError(f"pg_dump failed: {reason}")
    return target.stat().st_size


def backup_sqlite(settings: Settings, destination: str | Path) -> int:
    """Copy the database page by page while the bot may keep writing; returns the page count."""
    source_path = settings.sqlite_path()
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
