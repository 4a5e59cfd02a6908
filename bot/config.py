"""Typed settings, read once from the environment and ``.env``, then passed down.

Nothing here is read at import time: ``load_settings()`` is called by the CLI, and the resulting
``Settings`` object is handed to the bot and to every command that needs it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError

SUPPORTED_LOCALES = ("en", "fr")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/liaison.db"
ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# Three dot-separated base64url segments: user id, timestamp, HMAC.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{18,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{20,}$")


class Settings(BaseSettings):
    """Every operator setting of Liaison; documented one by one in ``config.example.env``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    liaison_dev_guild_id: int | None = None
    liaison_locale: str = "en"
    log_level: str = "INFO"
    discord_api_base: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    liaison_shard_count: int | None = None
    liaison_shard_ids: str | None = None
    liaison_claim_timeout_seconds: float = 120.0

    @field_validator("liaison_dev_guild_id", "liaison_shard_count", "liaison_shard_ids", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("liaison_shard_count")
    @classmethod
    def _positive_count(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(f"LIAISON_SHARD_COUNT must be at least 1, not {value}")
        return value

    @field_validator("liaison_claim_timeout_seconds")
    @classmethod
    def _sane_timeout(cls, value: float) -> float:
        if not 1 <= value <= 3600:
            raise ValueError(f"LIAISON_CLAIM_TIMEOUT_SECONDS must be between 1 and 3600, not {value}")
        return value

    @model_validator(mode="after")
    def _shards_in_range(self) -> Settings:
        ids = self.shard_ids
        if ids is None:
            return self
        if self.liaison_shard_count is None:
            raise ValueError("LIAISON_SHARD_IDS needs LIAISON_SHARD_COUNT")
        wrong = [i for i in ids if not 0 <= i < self.liaison_shard_count]
        if wrong or not ids:
            raise ValueError(
                f"LIAISON_SHARD_IDS must list shards between 0 and {self.liaison_shard_count - 1}: "
                f"{self.liaison_shard_ids!r}"
            )
        return self

    @property
    def shard_ids(self) -> list[int] | None:
        """This process's shards (``LIAISON_SHARD_IDS=0,2``), or None for all of them."""
        if self.liaison_shard_ids is None:
            return None
        try:
            return sorted({int(part) for part in self.liaison_shard_ids.split(",") if part.strip()})
        except ValueError:
            raise ValueError(
                f"LIAISON_SHARD_IDS is not a list of numbers: {self.liaison_shard_ids!r}"
            ) from None

    @property
    def sharded(self) -> bool:
        """Sharded operation: possibly several processes on one database, so scheduled work is
        claimed with timeouts rather than taken back wholesale at start."""
        return self.liaison_shard_count is not None

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("liaison_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        locale = value.strip().lower()
        if locale not in SUPPORTED_LOCALES:
            raise ValueError(f"LIAISON_LOCALE must be 'en' or 'fr', not {value!r}")
        return locale

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
        return level

    @field_validator("database_url")
    @classmethod
    def _readable_url(cls, value: str) -> str:
        try:
            url = make_url(value.strip())
        except ArgumentError:
            raise ValueError(f"DATABASE_URL is not a database URL: {value!r}") from None
        if url.drivername not in ASYNC_DRIVERS:
            raise ValueError(
                f"DATABASE_URL must use one of {', '.join(ASYNC_DRIVERS)}, not {url.drivername!r}"
            )
        return value.strip()

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not re.match(r"^(https?|wss?)://[^\s/]+", value.strip()):
            raise ValueError(f"not an http(s) or ws(s) URL: {value!r}")
        return value.strip()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        """The bot token, or a ConfigError naming what is wrong with it."""
        if not self.discord_token:
            raise ConfigError("DISCORD_TOKEN is not set (see config.example.env)")
        if not TOKEN_PATTERN.match(self.discord_token.strip()):
            raise ConfigError("DISCORD_TOKEN is malformed: expected the bot token from the Developer Portal")
        return self.discord_token.strip()

    def sqlite_path(self) -> Path | None:
        """The database file for SQLite URLs (None for in-memory or other engines)."""
        url = make_url(self.database_url)
        if not self.is_sqlite or not url.database or url.database == ":memory:":
            return None
        return Path(url.database)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]).upper() if error["loc"] else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if not field or field in message else f"{field}: {message}"


def load_settings(env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Read settings once; every problem becomes a one-line ConfigError."""
    try:
        settings = Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None
    path = settings.sqlite_path()
    if path is not None:
        _check_sqlite_path(path)
    return settings


def _check_sqlite_path(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"DATABASE_URL: cannot create folder {folder}: {exc.strerror}") from None
    if path.exists() and path.is_dir():
        raise ConfigError(f"DATABASE_URL: {path} is a folder, not a database file")
