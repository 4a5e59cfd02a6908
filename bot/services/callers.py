"""Who runs a command, read in the command's own transaction (every feature's units of work).

A member's command used to open a transaction to learn whether they are a moderator (the server's
moderator role), another for what they may see, another for their language. The cog now hands
over what Discord already told it (``Caller``: plain values) and the command's one unit of work
reads the rest (``Seen``) next to its own work: one transaction per command (issue #16).

The rules stay where they are: who is a moderator is ``bot.ui.checks`` (Manage Server, or the
moderator role: Discord's side is decided by the cog, the role's id is read here), who may see
AMBER is ``labels.is_verified``, the language order is ``i18n.pick_language``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.db.models import GuildSettings
from bot.services import guild_settings, labels


@dataclass(frozen=True)
class Caller:
    """The member running a command, as Discord describes them."""

    guild_id: int
    user_id: int
    now: datetime
    # True or False when Discord's permissions decide (Manage Server, administrator, not a member);
    # None: the server's moderator role decides, among ``role_ids``
    moderator: bool | None
    role_ids: frozenset[int] = field(default_factory=frozenset)
    locale: str | None = None  # their Discord locale
    default_language: str = "en"  # LIAISON_LOCALE


@dataclass(frozen=True)
class Seen:
    """What the command's transaction read about its caller."""

    verified: bool  # may see TLP:AMBER here
    language: str  # to answer them in
    server_language: str  # what the server reads (posts for everyone there)
    review_channel_id: int | None


def moderator(caller: Caller, moderator_role_id: int | None) -> bool:
    if caller.moderator is not None:
        return caller.moderator
    return moderator_role_id is not None and moderator_role_id in caller.role_ids


async def verified(session: AsyncSession, caller: Caller, settings: GuildSettings | None = None) -> bool:
    """May the caller see TLP:AMBER material in this server (``labels.is_verified``)? The server's
    settings are read only when the moderator role decides."""
    if settings is None and caller.moderator is None:
        settings = await guild_settings.get(session, caller.guild_id)
    role = settings.moderator_role_id if settings is not None else None
    return await labels.is_verified(
        session, caller.guild_id, caller.user_id, caller.now, is_moderator=moderator(caller, role)
    )


async def seen(session: AsyncSession, caller: Caller) -> Seen:
    settings = await guild_settings.get(session, caller.guild_id)
    may_see_amber = await verified(session, caller, settings)
    member_choice = await guild_settings.member_language(session, caller.guild_id, caller.user_id)
    guild_language = settings.language if member_choice is None else None  # as bot.language_for
    language = i18n.pick_language(member_choice, caller.locale, guild_language, caller.default_language)
    server_language = i18n.choose_language(None, (), settings.language, caller.default_language)
    return Seen(may_see_amber, language, server_language, settings.review_channel_id)
