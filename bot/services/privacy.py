"""``/me export`` and ``/me delete``: everything Liaison holds about a member, across features.

Each feature's service module may offer ``export_member(session, guild_id, user_id) -> dict`` and
``erase_member(session, guild_id, user_id)``; this module gathers them (the same list as
``/liaison stats``) and adds the core tables. Erasure runs in the caller's one transaction: either
everything is erased, or nothing is.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, MemberSettings, Notice
from bot.services import audit, labels
from bot.services.stats import FEATURE_SERVICES

ERASED_ACTION = "member.erased"


def feature_modules() -> list[tuple[str, ModuleType]]:
    """(short name, module) for every feature service that exists, in a stable order."""
    found = []
    for name in FEATURE_SERVICES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        found.append((name.rsplit(".", 1)[-1], module))
    return found


def _hooks(hook: str) -> list[tuple[str, Callable[..., Awaitable[Any]]]]:
    return [(short, getattr(m, hook)) for short, m in feature_modules() if hasattr(m, hook)]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _core_export(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    settings = await session.get(MemberSettings, (guild_id, user_id))
    notices = await session.scalars(
        select(Notice).where(Notice.guild_id == guild_id, Notice.user_id == user_id).order_by(Notice.id)
    )
    actions = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.guild_id == guild_id, AuditEntry.actor_id == user_id)
        .order_by(AuditEntry.id)
    )
    return {
        "member_settings": None
        if settings is None
        else {
            "language": settings.language,
            "timezone": settings.timezone,
            "dm_reminders": settings.dm_reminders,
            "qa_routing": settings.qa_routing,
            "updated_at": _iso(settings.updated_at),
        },
        "notices": [{"key": n.key, "params": n.params, "created_at": _iso(n.created_at)} for n in notices],
        # What the member did as a moderator; targets may name other members, so they stay out.
        "moderator_actions": [{"action": a.action, "at": _iso(a.created_at)} for a in actions],
    }


async def export(
    session: AsyncSession, guild_id: int, user_id: int, *, now: Any = None, verified: bool = False
) -> dict[str, Any]:
    """Everything held about the member in this server, as JSON-serialisable data, without what
    the member may no longer see (``labels.redact``: AMBER entries they added as a moderator, say)."""
    data: dict[str, Any] = {
        "format": "liaison-export/1",
        "guild_id": str(guild_id),
        "user_id": str(user_id),
        "exported_at": _iso(now),
    }
    data.update(await _core_export(session, guild_id, user_id))
    for short, hook in _hooks("export_member"):
        data[short] = await hook(session, guild_id, user_id)
    return dict(labels.redact(data, verified))


async def _scrub_audit(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """The member's own actions stay in the log without their id, and any entry naming them
    loses the target or details that did."""
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.guild_id == guild_id, AuditEntry.actor_id == user_id)
        .values(actor_id=None)
    )
    marker = f"%{user_id}%"
    rows = await session.scalars(
        select(AuditEntry).where(
            AuditEntry.guild_id == guild_id,
            or_(AuditEntry.target.like(marker), cast(AuditEntry.details, String).like(marker)),
        )
    )
    for row in rows:
        if row.target and str(user_id) in row.target:
            row.target = None
        if row.details is not None and str(user_id) in str(row.details):
            row.details = None


async def erase(session: AsyncSession, guild_id: int, user_id: int) -> list[str]:
    """Erase the member's personal data in this server; returns the features that took part.

    The audit entry written afterwards says that an erasure happened, not whose."""
    features = []
    for short, hook in _hooks("erase_member"):
        await hook(session, guild_id, user_id)
        features.append(short)
    await session.execute(
        delete(MemberSettings).where(MemberSettings.guild_id == guild_id, MemberSettings.user_id == user_id)
    )
    await session.execute(delete(Notice).where(Notice.guild_id == guild_id, Notice.user_id == user_id))
    await session.flush()
    await _scrub_audit(session, guild_id, user_id)
    await audit.record(session, guild_id, None, ERASED_ACTION, details={"features": features})
    return features
