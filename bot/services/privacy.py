"""``/me export`` and ``/me delete``: everything Liaison holds about a member, across features.

Each feature's service module may offer ``export_member(session, guild_id, user_id) -> dict``,
``erase_member(session, guild_id, user_id[, erase_text=])`` (which may return the texts it
erased) and ``bot_messages(session, guild_id, user_id, erase_text=)`` (the bot's own Discord posts
that name the member); this module gathers them (the same list as ``/liaison stats``) and adds the
core tables. Erasure runs in the caller's one transaction: either everything is erased, or nothing
is. After it nothing ties anything to the member: no id in any table, no text they typed (except
their Q&A questions and answers when they keep them, anonymised), in the audit log neither; the
questions' full-text index is merged (``_purge_search_indexes``) and SQLite overwrites what it
frees (``secure_delete``, ``bot/db/engine.py``; the caller then checkpoints the log). The caller
edits the posts ``Erasure.messages`` lists (``cogs/me_messages.py``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import String, cast, delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, MemberSettings, Notice
from bot.db.unit import unit_of_work
from bot.errors import NotFound
from bot.services import audit, callers, labels, qa
from bot.services.callers import Caller
from bot.services.features import FEATURES
from bot.services.resources import suggestions

ERASED_ACTION = "member.erased"
ERASED_TEXT = "…"
QaText = Literal["keep", "erase"]


@dataclass(frozen=True)
class BotMessage:
    """One of the bot's own posts that named the member: ``kind`` says how to redraw it
    (``qa.question``: a question's starter post; ``resources.suggestion``: a review-channel
    announcement; ``qa.thread``: the bot's posts in a question's thread that mention them, found
    by reading the thread, ``message_id`` 0; ``mentions``: one post whose mention is replaced;
    ``qa.quoted``: a digest or escalation notice whose link to the question loses its title;
    ``exercises.decision`` / ``exercises.decision_mirror``: a decision's posts), ``ref`` is the
    question, suggestion, reminder or decision id, ``erased`` whether its text went too, and
    ``params`` what the feature knows to redraw it (language, time, team...)."""

    kind: str
    channel_ids: tuple[int, ...]  # where the message may be, in the order to try
    message_id: int
    ref: int
    erased: bool
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Erasure:
    features: list[str]
    messages: list[BotMessage] = field(default_factory=list)


@dataclass(frozen=True)
class RedrawSources:
    """What the posts to edit after an erasure show now, read once for all of them: each
    question still there (by id) and each suggestion still there (by id)."""

    questions: dict[int, qa.CleanAsk]
    suggestions: dict[int, suggestions.Suggestion]


def feature_modules() -> list[tuple[str, ModuleType]]:
    """(short name, module) for every feature service, in a stable order."""
    return list(FEATURES)


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


@unit_of_work
async def export_for(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    """``export`` of the caller's own data, with what they may see (``bot.services.callers``)
    read in the same transaction."""
    verified = await callers.verified(session, caller)
    return await export(session, caller.guild_id, caller.user_id, now=caller.now, verified=verified)


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


async def _purge_search_indexes(session: AsyncSession) -> None:
    """SQLite's full-text index of questions keeps a deleted row's words in older segments until
    they are merged: merge them now, so that erased text leaves the index (and, with
    ``secure_delete``, the file). (The library's index holds no member's text: suggestions are not
    indexed, and library entries stay.) PostgreSQL's index rows go with the rows themselves; their
    dead versions until the next VACUUM."""
    if session.get_bind().dialect.name != "sqlite":
        return
    from bot.services.qa.fulltext import QA_INDEX

    for index in (QA_INDEX,):
        name = index.name  # a constant of the code, never user input
        await session.execute(text(f"INSERT INTO {name}({name}) VALUES ('optimize')"))  # noqa: S608


def _accepts(hook: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(hook).parameters


async def _scrub_texts(session: AsyncSession, guild_id: int, texts: Iterable[str]) -> None:
    """Audit entries quoting what the member typed (a rejected suggestion's title) lose it."""
    for typed in {t for t in texts if t and len(t.strip()) >= 3}:
        pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.guild_id == guild_id,
                or_(
                    AuditEntry.target.like(pattern, escape="\\"),
                    cast(AuditEntry.details, String).like(pattern, escape="\\"),
                ),
            )
        )
        for row in rows:
            if row.target and typed in row.target:
                row.target = row.target.replace(typed, ERASED_TEXT)
            if row.details is not None and typed in str(row.details):
                row.details = None


@unit_of_work
async def erase(session: AsyncSession, guild_id: int, user_id: int, *, qa_text: QaText = "keep") -> Erasure:
    """Erase the member's personal data in this server; returns the features that took part and
    the bot's posts to edit. ``qa_text="erase"`` erases their Q&A questions and answers too.

    The audit entry written afterwards says that an erasure happened, not whose."""
    erase_text = qa_text == "erase"
    messages: list[BotMessage] = []
    for _short, hook in _hooks("bot_messages"):
        messages += [
            BotMessage(*found) for found in await hook(session, guild_id, user_id, erase_text=erase_text)
        ]
    features: list[str] = []
    typed: list[str] = []
    for short, hook in _hooks("erase_member"):
        options = {"erase_text": erase_text} if _accepts(hook, "erase_text") else {}
        typed += await hook(session, guild_id, user_id, **options) or []
        features.append(short)
    await session.execute(
        delete(MemberSettings).where(MemberSettings.guild_id == guild_id, MemberSettings.user_id == user_id)
    )
    await session.execute(delete(Notice).where(Notice.guild_id == guild_id, Notice.user_id == user_id))
    await session.flush()
    await _scrub_audit(session, guild_id, user_id)
    await _scrub_texts(session, guild_id, typed)
    await audit.record(session, guild_id, None, ERASED_ACTION, details={"features": features})
    if erase_text:
        await _purge_search_indexes(session)
    return Erasure(features, messages)


@unit_of_work
async def redraw_sources(
    session: AsyncSession, guild_id: int, messages: Iterable[BotMessage]
) -> RedrawSources:
    """After an erasure: the questions and suggestions whose posts ``messages`` redraw with
    their text (those not erased), as they are now; one gone is left out."""
    questions: dict[int, qa.CleanAsk] = {}
    shown: dict[int, suggestions.Suggestion] = {}
    for message in messages:
        if message.erased:
            continue
        if message.kind == "qa.question" and message.ref not in questions:
            try:
                row = await qa.get(session, guild_id, message.ref)
            except NotFound:
                continue
            questions[message.ref] = qa.CleanAsk(row.title, row.topic, row.details, row.agencies, row.label)
        elif message.kind == "resources.suggestion" and message.ref not in shown:
            found = await suggestions.find(session, guild_id, message.ref)
            if found is not None:
                shown[message.ref] = found
    return RedrawSources(questions, shown)
