"""Sharing labels (Traffic Light Protocol 2.0): the one place that says who may see what, and where.

``TLP:CLEAR`` and ``TLP:GREEN`` are for every member; ``TLP:AMBER`` and ``TLP:AMBER+STRICT`` only for
verified members (a moderator-verified, unexpired expert profile, or a moderator), and only in
ephemeral answers; ``TLP:RED`` is refused, since Liaison does not store material meant only for named
recipients. Every feature that stores labelled material filters with ``visible_to``/``sql_visible``
and asks ``must_be_ephemeral`` before answering in a channel.

Not only the material itself: a hint that it exists never reaches a member who may not see it.
A duplicate-URL refusal names only an entry the member may see (``may_see``; otherwise the link is
treated as unknown), "did you mean" reads only the vocabulary of what they may see in this server
(``resources.spelling.Visible``), counts and tag lists count only that, and structured outputs
(``/me export``) pass through ``redact``, which drops every object whose ``label`` is restricted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.errors import Invalid
from bot.services import experts

log = logging.getLogger(__name__)


class Label(StrEnum):
    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"


DEFAULT = Label.GREEN
LABELS: tuple[Label, ...] = tuple(Label)
OPEN: frozenset[Label] = frozenset({Label.CLEAR, Label.GREEN})
RESTRICTED: frozenset[Label] = frozenset({Label.AMBER, Label.AMBER_STRICT})
MAX_LENGTH = 16  # the longest label, "TLP:AMBER+STRICT"

_SHAPE = re.compile(r"^(?:tlp\s*:?\s*)?([a-z]+)(?:\s*\+\s*(strict))?$")
_BY_NAME = {"clear": Label.CLEAR, "white": Label.CLEAR, "green": Label.GREEN, "amber": Label.AMBER}


def parse(text: str | None, default: Label = DEFAULT) -> Label:
    """``amber``, ``tlp:amber+strict``, ``TLP:GREEN`` -> a Label; ``TLP:RED`` and the unknown refused.

    Empty input gives ``default``. ``TLP:WHITE`` (TLP 1.0) is read as its 2.0 name ``TLP:CLEAR``.
    """
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return default
    match = _SHAPE.match(cleaned)
    if match is None:
        raise Invalid("label.unknown", value=(text or "").strip()[:30])
    colour, strict = match.group(1), match.group(2)
    if colour == "red":
        raise Invalid("label.red_refused")
    if strict:
        if colour != "amber":
            raise Invalid("label.unknown", value=(text or "").strip()[:30])
        return Label.AMBER_STRICT
    label = _BY_NAME.get(colour)
    if label is None:
        raise Invalid("label.unknown", value=(text or "").strip()[:30])
    return label


def visible_labels(verified: bool) -> tuple[Label, ...]:
    """The labels a member may see: all of them when verified, CLEAR and GREEN otherwise."""
    return LABELS if verified else tuple(label for label in LABELS if label in OPEN)


def may_see(label: str, verified: bool) -> bool:
    return label in visible_labels(verified)


def sql_visible(column: Any, verified: bool) -> ColumnElement[bool]:
    """A WHERE clause keeping only the rows whose label ``column`` the member may see (one bound
    value per label: an expanding IN is rendered anew by SQLAlchemy at every execution)."""
    return column.in_([sa.literal(label.value) for label in visible_labels(verified)])  # type: ignore[no-any-return]


def must_be_ephemeral(labels: Iterable[str]) -> bool:
    """True when any of what is shown carries an AMBER label: it may never go in a channel."""
    return any(label in RESTRICTED for label in labels)


@unit_of_work
async def is_verified(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, *, is_moderator: bool = False
) -> bool:
    """Whether the member may see AMBER material: moderators, and verified unexpired experts.

    The expert rule belongs to ``bot.services.experts.is_verified``.
    """
    if is_moderator:
        return True
    return bool(await experts.is_verified(session, guild_id, user_id, now))


def redact(data: Any, verified: bool) -> Any:
    """Structured output (a file, an export) without what the member may not see: every object
    (dict) whose ``label`` is restricted is dropped, wherever it sits. Each feature that exports
    labelled material puts its ``label`` beside it, and the exporter passes everything here."""
    if verified:
        return data
    if isinstance(data, dict):
        return {key: redact(value, verified) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact(item, verified) for item in data if not _restricted(item)]
    return data


def _restricted(item: Any) -> bool:
    return isinstance(item, dict) and str(item.get("label", "")).upper() in RESTRICTED
