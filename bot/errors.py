"""Domain errors raised by services and rendered by the one error mapping in ``bot.ui.errors``.

Each error carries a message key (looked up in the i18n catalogs) and its parameters, so that a
service never decides the wording or the language of what the user reads.
"""

from __future__ import annotations

from typing import Any


class LiaisonError(Exception):
    """Base of every error a user may be shown. ``key`` names a catalog message."""

    default_key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.default_key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotFound(LiaisonError):
    default_key = "error.not_found"


class NotAllowed(LiaisonError):
    default_key = "error.not_allowed"


class Invalid(LiaisonError):
    default_key = "error.invalid"


class Conflict(LiaisonError):
    default_key = "error.conflict"


class ConfigError(Exception):
    """A setting is missing or malformed; the CLI prints it on one line and exits 2."""
