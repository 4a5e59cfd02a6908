"""Liaison's own permissions, as Discord computes them in each configured channel, read against
the one table of needs (``bot.permissions_needed``): ``/liaison check``, the end of ``/liaison
setup``, the checks before the bot posts, and the moderators told once per channel and
permission when something is refused at run time."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot import permissions_needed as table
from bot.errors import LiaisonError
from bot.services import notices, permission_notices
from bot.ui import limits
from bot.ui.respond import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import LiaisonBot

log = logging.getLogger("liaison.permissions")

MISSING_PERMISSIONS, MISSING_ACCESS = 50013, 50001


class BotLacksPermissions(LiaisonError):
    """Liaison may not do what was asked in ``channel_id``: ``permissions`` (discord.py names)
    are missing there. Rendered with the permission names in the reader's language."""

    default_key = "perms.runtime.member"

    def __init__(self, channel_id: int, permissions: tuple[str, ...]) -> None:
        super().__init__(self.default_key, channel=f"<#{channel_id}>", permissions=permissions)
        self.channel_id = channel_id
        self.permissions = permissions


def is_permission_refusal(error: BaseException) -> bool:
    """A Discord 403 for a missing permission or access (not closed DMs and the like)."""
    return isinstance(error, discord.Forbidden) and error.code in (MISSING_PERMISSIONS, MISSING_ACCESS)


def names(language: str, permissions: tuple[str, ...] | list[str]) -> str:
    """The permissions as Discord's settings name them, in ``language``, in Discord's order."""
    return ", ".join(f"**{i18n.t(language, f'perms.name.{p}')}**" for p in table.ordered(permissions))


def features(language: str, keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(i18n.t(language, f"perms.feature.{k}") for k in dict.fromkeys(keys))


def kind_of(channel: Any) -> str | None:
    if isinstance(channel, discord.ForumChannel):
        return table.FORUM
    if isinstance(channel, discord.TextChannel | discord.Thread):
        return table.TEXT
    return None


def granted(channel: Any, me: discord.Member) -> frozenset[str]:
    """The permissions (of the table's) Liaison has in ``channel``; none if it cannot see it."""
    perms = channel.permissions_for(me)
    if not perms.view_channel:
        return frozenset()
    return frozenset(name for name in table.PERMISSION_ORDER if getattr(perms, name, False))


def lacking(channel: Any, *features_: str) -> tuple[str, ...]:
    """The permissions ``features_`` need in ``channel`` that Liaison lacks (a thread: its
    parent's, as Discord reads them); empty when the channel is not in the cache."""
    guild = getattr(channel, "guild", None)
    kind = kind_of(channel.parent if isinstance(channel, discord.Thread) else channel)
    if guild is None or kind is None:
        return ()
    have = granted(channel, guild.me)
    needed = [p for f in features_ for p in table.feature_needs(f, kind)]
    if needed and "view_channel" not in have:
        return ("view_channel",)  # the one to give back first: nothing else counts without it
    return table.ordered(p for p in needed if p not in have)


def guild_channel(bot: LiaisonBot, guild_id: int, channel_id: int) -> Any:
    guild = bot.get_guild(guild_id)
    return guild.get_channel_or_thread(channel_id) if guild else None


# -- /liaison check ------------------------------------------------------------------------------


def inspect(guild: discord.Guild, settings: Any) -> table.Report:
    """What Liaison has in every configured channel and over every role it manages."""
    me = guild.me
    channels = []
    for setting, channel_id in table.configured_channels(settings):
        channel = guild.get_channel(channel_id)
        kind = kind_of(channel)
        have = granted(channel, me) if channel is not None and kind is not None else frozenset()
        if channel is not None and "view_channel" not in have:
            kind = None  # hidden from Liaison: as good as gone
        channels.append(table.ChannelSeen(setting, channel_id, kind, have))
    roles = [role_seen(guild, setting, role_id) for setting, role_id in table.configured_roles(settings)]
    return table.check(channels, roles)


def role_seen(guild: discord.Guild, setting: str, role_id: int) -> table.RoleSeen:
    me, role = guild.me, guild.get_role(role_id)
    perms = me.guild_permissions
    return table.RoleSeen(
        setting,
        role_id,
        exists=role is not None,
        below_bot=role is not None and me.top_role > role and not role.managed,
        can_manage_roles=perms.manage_roles or perms.administrator,
    )


def role_trouble(guild: discord.Guild, setting: str, role_id: int) -> table.RoleProblem | None:
    """Why Liaison cannot give or take the role of ``setting`` (None when it can): check before
    adding or removing it."""
    return table.role_problem(role_seen(guild, setting, role_id))


def render(language: str, guild: discord.Guild, report: table.Report) -> list[str]:
    """One paragraph per problem, in ``language``, each saying what to change; on a healthy
    server, what was checked."""

    def t(key: str, **params: Any) -> str:
        return i18n.t(language, key, **params)

    bot_role = guild.me.top_role.mention
    lines = []
    for problem in report.channel_problems:
        setting = t(f"perms.setting.{problem.setting}")
        if problem.gone:
            lines.append(t("perms.check.channel_gone", setting=setting, channel_id=problem.channel_id))
            continue
        lines.append(
            t(
                "perms.check.channel",
                channel=f"<#{problem.channel_id}>",
                setting=setting,
                permissions=names(language, problem.missing),
                features=features(language, problem.features),
            )
        )
    for role_problem in report.role_problems:
        lines.append(
            t(
                f"perms.check.role_{role_problem.reason}",
                role=f"<@&{role_problem.role_id}>",
                role_id=role_problem.role_id,
                setting=t(f"perms.setting.{role_problem.setting}"),
                feature=t(f"perms.feature.{role_problem.feature}"),
                bot_role=bot_role,
            )
        )
    if lines:
        return lines
    if not report.channels:
        return [t("perms.check.nothing_configured")]
    checked = ", ".join(f"<#{c.channel_id}> ({t(f'perms.setting.{c.setting}')})" for c in report.channels)
    healthy = [t("perms.check.healthy", channels=checked)]
    if report.roles:
        healthy.append(
            t("perms.check.healthy_roles", roles=", ".join(f"<@&{r.role_id}>" for r in report.roles))
        )
    return healthy


async def forget_fixed(bot: LiaisonBot, guild_id: int, report: table.Report) -> None:
    """Permissions back in a channel are forgotten, so that losing them again is told again."""
    troubled = {p.role_id for p in report.role_problems}
    back: list[tuple[int, Iterable[str]]] = [(seen.channel_id, seen.granted) for seen in report.channels]
    back += [
        (role.role_id, ROLE_PERMISSION.values()) for role in report.roles if role.role_id not in troubled
    ]
    await permission_notices.forget_back(bot.db, guild_id, back)


# -- at run time -----------------------------------------------------------------------------


async def refused(
    bot: LiaisonBot,
    guild_id: int,
    channel_id: int,
    missing: tuple[str, ...],
    feature: str,
    what: str | None = None,
    **what_params: Any,
) -> None:
    """Liaison was (or would be) refused in ``channel_id`` for lacking ``missing``: tell the
    moderators, once per channel and permission. ``what`` (``perms.runtime.what.<what>``) says
    what was not done."""
    if not missing:
        missing = ("view_channel",) if guild_channel(bot, guild_id, channel_id) is None else ()
    if not missing:
        log.warning(
            "refused in channel %s of guild %s for %s, no permission seen missing",
            channel_id,
            guild_id,
            feature,
        )
        return
    noted = await permission_notices.note(
        bot.db, guild_id, channel_id, dict.fromkeys(missing, feature), bot.clock.now()
    )
    new, settings = noted.new, noted.settings
    log.warning(
        "Liaison lacks %s in channel %s of guild %s (%s)", ",".join(missing), channel_id, guild_id, feature
    )
    if not new:
        return
    language = settings.language or bot.settings.liaison_locale
    text = i18n.t(
        language,
        "perms.runtime.moderators",
        permissions=names(language, new),
        channel=f"<#{channel_id}>",
        features=features(language, [feature]),
        what=i18n.t(language, f"perms.runtime.what.{what}", **what_params) if what else "",
    )
    await _tell_moderators(bot, guild_id, settings, channel_id, limits.clip(text, limits.MESSAGE))


async def _tell_moderators(bot: LiaisonBot, guild_id: int, settings: Any, failed_in: int, text: str) -> None:
    """In the review channel when Liaison can post there; else a notice for the server's owner,
    handed over the next time they use Liaison."""
    review = guild_channel(bot, guild_id, settings.review_channel_id) if settings.review_channel_id else None
    if review is not None and review.id != failed_in and not lacking(review, "review_notice"):
        try:
            await review.send(text, allowed_mentions=NO_MENTIONS)
            return
        except discord.HTTPException as exc:
            log.warning("could not tell the moderators in the review channel: %s", exc.status)
    guild = bot.get_guild(guild_id)
    if guild is None or guild.owner_id is None:
        return
    await notices.leave(bot.db, guild_id, guild.owner_id, "perms.notice", text=text)


ROLE_PERMISSION = {"gone": "role_gone", "no_manage_roles": "manage_roles", "above_bot": "role_order"}


async def role_refused(bot: LiaisonBot, guild: discord.Guild, problem: table.RoleProblem) -> None:
    """Liaison could not give or take a role it manages: tell the moderators, once per role and
    problem (kept like a channel's missing permission, under the role's id)."""
    noted = await permission_notices.note(
        bot.db, guild.id, problem.role_id, {ROLE_PERMISSION[problem.reason]: problem.feature}, bot.clock.now()
    )
    new, settings = noted.new, noted.settings
    log.warning("Liaison cannot manage role %s of guild %s: %s", problem.role_id, guild.id, problem.reason)
    if not new:
        return
    language = settings.language or bot.settings.liaison_locale
    report = table.Report((), (), (), (problem,))
    text = "\n".join(render(language, guild, report))
    await _tell_moderators(bot, guild.id, settings, 0, limits.clip(text, limits.MESSAGE))


async def ensure(
    bot: LiaisonBot, channel: Any, *features_: str, what: str | None = None, **what_params: Any
) -> None:
    """Before acting in ``channel``: raise ``BotLacksPermissions`` (the member gets the clear
    message) after telling the moderators, when Liaison lacks what ``features_`` need there."""
    missing = lacking(channel, *features_)
    if missing:
        feature = next(f for f in features_ if set(lacking(channel, f)) & set(missing))
        await refused(bot, channel.guild.id, channel.id, missing, feature, what, **what_params)
        raise BotLacksPermissions(channel.id, missing)


async def after_refusal(
    bot: LiaisonBot, guild_id: int, channel_id: int, feature: str, what: str | None = None, **what_params: Any
) -> tuple[str, ...]:
    """Discord refused (403) what no check foresaw: tell the moderators what Liaison lacks there
    (as far as its cache knows) and return it."""
    channel = guild_channel(bot, guild_id, channel_id)
    missing = lacking(channel, feature) if channel is not None else ("view_channel",)
    await refused(bot, guild_id, channel_id, missing, feature, what, **what_params)
    return missing
