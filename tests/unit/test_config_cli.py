"""Settings and CLI: each bad input gives its one-line message and exit 2, never a traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.db import migrate
from bot.errors import ConfigError
from tests.databases import PostgresDatabases

GOOD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789AB"
ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "LIAISON_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_match_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "LIAISON_LOCALE", "LOG_LEVEL", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///data/liaison.db"
    assert settings.liaison_locale == "en"
    assert settings.log_level == "INFO"
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.discord.gg/"
    assert settings.liaison_dev_guild_id is None


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIAISON_LOCALE", raising=False)
    env = tmp_path / ".env"
    env.write_text("LIAISON_LOCALE=fr\nLIAISON_DEV_GUILD_ID=123\n")
    settings = load_settings(env_file=str(env))
    assert (settings.liaison_locale, settings.liaison_dev_guild_id) == ("fr", 123)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN is malformed"),
        ({"DISCORD_TOKEN": GOOD_TOKEN, "DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"DISCORD_TOKEN": GOOD_TOKEN, "DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL must use"),
        ({"DISCORD_TOKEN": GOOD_TOKEN, "DATABASE_URL": "::::"}, "DATABASE_URL"),
        ({"DISCORD_TOKEN": GOOD_TOKEN, "LIAISON_LOCALE": "de"}, "LIAISON_LOCALE must be 'en' or 'fr'"),
        ({"DISCORD_TOKEN": GOOD_TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = run_cli("run", cwd=tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_unreadable_sqlite_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot create folder"):
        load_settings(env_file=None, database_url=f"sqlite+aiosqlite:///{blocker}/sub/db.sqlite")


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_db_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    upgraded = run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run_cli("db", "current", cwd=tmp_path, DATABASE_URL=url)
    assert f"revision {migrate.head()}" in current.stdout
    down = run_cli("db", "downgrade", "base", cwd=tmp_path, DATABASE_URL=url)
    assert down.returncode == 0 and "base" in down.stdout
    unknown = run_cli("db", "downgrade", "zzzz", cwd=tmp_path, DATABASE_URL=url)
    assert unknown.returncode == 2 and "unknown revision" in unknown.stderr


def test_backup_copies_a_live_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/live.db"
    assert run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url).returncode == 0
    import sqlite3

    live = sqlite3.connect(tmp_path / "live.db")
    live.execute("INSERT INTO audit_log (guild_id, action, created_at) VALUES (1, 'x', '2026-01-01')")
    live.commit()
    result = run_cli("backup", str(tmp_path / "copy.db"), cwd=tmp_path, DATABASE_URL=url)
    live.close()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT action FROM audit_log").fetchall() == [("x",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_of_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    result = run_cli("backup", "x.dump", cwd=tmp_path, DATABASE_URL="postgresql+asyncpg://u:p@127.0.0.1:1/db")
    assert result.returncode == 2 and "pg_dump" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


async def test_backup_of_postgresql_is_a_pg_dump(
    postgres_databases: PostgresDatabases, tmp_path: Path
) -> None:
    url = await postgres_databases.fresh()
    target = tmp_path / "liaison.dump"
    result = await asyncio.to_thread(run_cli, "backup", str(target), cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "pg_dump custom format" in result.stdout
    assert target.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    await postgres_databases.drop(url)
