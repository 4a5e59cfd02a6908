"""The ``/learn`` commands' units of work: each one reads who asks (``bot.services.callers``: are
they a moderator, may they see TLP:AMBER courses, their language) and does the command's reads and
writes in ONE transaction, returning plain values. The cog calls them with the database
(``bot.db.unit.unit_of_work``); the functions they compose stay callable on a session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.unit import unit_of_work
from bot.errors import NotAllowed
from bot.services import callers, events, guild_settings
from bot.services.callers import Caller
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


@unit_of_work
async def course_choices(session: AsyncSession, caller: Caller, typed: str) -> list[tuple[int, str]]:
    """(id, title) of the courses the member may see whose title has what they typed."""
    verified = await callers.verified(session, caller)
    return await courses.autocomplete(session, caller.guild_id, typed, verified=verified)


@unit_of_work
async def event_choices(session: AsyncSession, caller: Caller, typed: str) -> list[tuple[int, str]]:
    """(id, title) of the upcoming events matching what was typed (``events.autocomplete``)."""
    return await events.autocomplete(session, caller.guild_id, typed, caller.now)


@unit_of_work
async def listing(session: AsyncSession, caller: Caller) -> list[Listed]:
    """``/learn courses``: the courses the member may see, with where they stand in each."""
    verified = await callers.verified(session, caller)
    return await courses.listing(session, caller.guild_id, caller.user_id, verified=verified)


@unit_of_work
async def start(session: AsyncSession, caller: Caller, text: str) -> Shown:
    """``/learn start``: the member's current step of the course (``walk.start``)."""
    seen = await callers.seen(session, caller)
    view = await walk.start(
        session, caller.guild_id, caller.user_id, text, seen.language, caller.now, verified=seen.verified
    )
    links = await lesson_resources(session, caller.guild_id, view.resources, verified=seen.verified)
    return Shown(seen.language, view, tuple(links))


@unit_of_work
async def click(
    session: AsyncSession,
    caller: Caller,
    course_id: int,
    action: str,
    position: int,
    *,
    choices: list[int] | None = None,
) -> Shown:
    """A button or the menu of a step (``walk.act``), then the step the member is now on.

    A step's click is the hot path (a whole cohort at once): who clicks (language, moderator,
    verified) is read in this same transaction."""
    seen = await callers.seen(session, caller)
    view = await walk.act(
        session,
        caller.guild_id,
        caller.user_id,
        course_id,
        action,
        position,
        seen.language,
        caller.now,
        verified=seen.verified,
        choices=choices,
    )
    links = await lesson_resources(session, caller.guild_id, view.resources, verified=seen.verified)
    return Shown(seen.language, view, tuple(links))


@unit_of_work
async def progress(session: AsyncSession, caller: Caller, user_id: int) -> list[MemberProgress]:
    """``/learn progress``: where ``user_id`` stands in each course the asker may see; another
    member's progress is for moderators only."""
    settings = await guild_settings.get(session, caller.guild_id)
    if user_id != caller.user_id and not callers.moderator(caller, settings.moderator_role_id):
        raise NotAllowed("learn.progress.moderators_only")
    verified = await callers.verified(session, caller, settings)
    return await progress_of(session, caller.guild_id, user_id, verified=verified)


@unit_of_work
async def certificate(session: AsyncSession, caller: Caller, text: str, member_name: str) -> Issued:
    """``/learn certificate``: the member's certificate of a completed course (``certificates.issue``)."""
    verified = await callers.verified(session, caller)
    return await certificates.issue(
        session, caller.guild_id, caller.user_id, text, member_name, caller.now, verified=verified
    )


@unit_of_work
async def verify(session: AsyncSession, caller: Caller, code: str) -> Verification:
    """``/learn verify``: whether a code is a certificate's, for this asker (``certificates.verify``)."""
    verified = await callers.verified(session, caller)
    return await certificates.verify(session, caller.guild_id, code, verified=verified)
