"""Discord's limits, and the one way to make text fit them."""

from __future__ import annotations

MESSAGE = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_LABEL = 100
MODAL_TITLE = 45
THREAD_NAME = 100

ELLIPSIS = "…"


def clip(text: str | None, limit: int) -> str:
    """Text shortened to ``limit`` characters, ending with an ellipsis when cut."""
    value = text or ""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + ELLIPSIS
