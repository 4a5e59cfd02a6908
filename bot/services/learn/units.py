"""The ``/learn`` commands' units of work: each one reads who asks (may they see TLP:AMBER
courses, ``labels.is_verified``) and does the command's reads and writes in ONE transaction,
returning plain values. The cog calls them with the database (``bot.db.unit.unit_of_work``); the
functions they compose stay callable on a session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.services import events, guild_settings, labels
from bot.services.learn import MemberProgress, certificates, courses, lesson_resources, progress_of, walk
from bot.services.learn.certificates import Issued, Verification
from bot.services.learn.courses import Listed


@dataclass(frozen=True)
class Shown:
    """A step to show: in which language, the step, and its lesson's resources the member may see
    as (id, title)."""

    language: str
    view: walk.StepView
    links: tuple[tuple[int, str], ...]


async def _verified(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, moderator: bool
) -> bool:
    return await labels.is_verified(session, guild_id, user_id, now, is_moderator=moderator)


@unit_of_work
async def course_choices(
    session: AsyncSession, guild_id: int, user_id: int, typed: str, now: datetime, *, moderator: bool
) -> list[tuple[int, str]]:
    """(id, title) of the courses the member may see whose title has what they typed."""
    verified = await _verified(session, guild_id, user_id, now, moderator)
    return await courses.autocomplete(session, guild_id, typed, verified=verified)


@unit_of_work
async def event_choices(
    session: AsyncSession, guild_id: int, typed: str, now: datetime
) -> list[tuple[int, str]]:
    """(id, title) of the upcoming events matching what was typed (``events.autocomplete``)."""
    return await events.autocomplete(session, guild_id, typed, now)


@unit_of_work
async def listing(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime, *, moderator: bool
) -> list[Listed]:
    """``/learn courses``: the courses the member may see, with where they stand in each."""
    verified = await _verified(session, guild_id, user_id, now, moderator)
    return await courses.listing(session, guild_id, user_id, verified=verified)


@unit_of_work
async def start(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    text: str,
    language: str,
    now: datetime,
    *,
    moderator: bool,
) -> Shown:
    """``/learn start``: the member's current step of the course (``walk.start``)."""
    verified = await _verified(session, guild_id, user_id, now, moderator)
    view = await walk.start(session, guild_id, user_id, text, language, now, verified=verified)
    links = await lesson_resources(session, guild_id, view.resources, verified=verified)
    return Shown(language, view, tuple(links))


@unit_of_work
async def click(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    course_id: int,
    action: str,
    position: int,
    now: datetime,
    *,
    language_of: Callable[[str | None, str | None], str],
    moderator_with: Callable[[int | None], bool],
    choices: list[int] | None = None,
) -> Shown:
    """A button or the menu of a step (``walk.act``), then the step the member is now on.

    A step's click is the hot path (a whole cohort at once), so who clicks is read in this same
    transaction: their language is ``language_of(their choice, the server's language)`` and they
    are a moderator when ``moderator_with(the server's moderator role)`` says so (the cog's rules,
    which need what Discord tells about the member)."""
    settings = await guild_settings.get(session, guild_id)
    chosen = await guild_settings.member_language(session, guild_id, user_id)
    language = language_of(chosen, settings.language)
    moderator = moderator_with(settings.moderator_role_id)
    verified = await _verified(session, guild_id, user_id, now, moderator)
    view = await walk.act(
        session,
        guild_id,
        user_id,
        course_id,
        action,
        position,
        language,
        now,
        verified=verified,
        choices=choices,
    )
    links = await lesson_resources(session, guild_id, view.resources, verified=verified)
    return Shown(language, view, tuple(links))


@unit_of_work
async def progress(
    session: AsyncSession, guild_id: int, asker_id: int, user_id: int, now: datetime, *, moderator: bool
) -> list[MemberProgress]:
    """``/learn progress``: where ``user_id`` stands in each course the asker may see."""
    verified = await _verified(session, guild_id, asker_id, now, moderator)
    return await progress_of(session, guild_id, user_id, verified=verified)


@unit_of_work
async def certificate(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    text: str,
    member_name: str,
    now: datetime,
    *,
    moderator: bool,
) -> Issued:
    """``/learn certificate``: the member's certificate of a completed course (``certificates.issue``)."""
    verified = await _verified(session, guild_id, user_id, now, moderator)
    return await certificates.issue(session, guild_id, user_id, text, member_name, now, verified=verified)


@unit_of_work
async def verify(
    session: AsyncSession, guild_id: int, user_id: int, code: str, now: datetime, *, moderator: bool
) -> Verification:
    """``/learn verify``: whether a code is a certificate's, for this asker (``certificates.verify``)."""
    verified = await _verified(session, guild_id, user_id, now, moderator)
    return await certificates.verify(session, guild_id, code, verified=verified)
