"""Liaison on a server where it lacks permissions: ``/liaison check`` and the end of ``/liaison
setup`` say what to change, in the caller's language; at run time a refusal gives the member a
clear message and the moderators one notice per channel and permission; given back, it works.
Moderator-only top-level commands are hidden from members' menus by default."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Perm
from bot.ui.checks import MODERATOR_DEFAULT_PERMISSIONS, is_moderator_only

REVIEW_NOTICE = "(Said once for this channel and permission.)"


def _bot_posts(sandbox: LiaisonSandbox, channel: Any) -> list[Any]:
    return [m for m in sandbox.messages(channel) if m.author_id == sandbox.world.bot.id]


def _notices(sandbox: LiaisonSandbox) -> list[str]:
    """What the moderators were told in the review channel about missing permissions."""
    return [m.content for m in _bot_posts(sandbox, sandbox.channels.review) if REVIEW_NOTICE in m.content]


def _text(inter: Any) -> str:
    return " ".join(
        [
            inter.content or "",
            *(str(e.get("title", "")) + str(e.get("description", "")) for e in inter.embeds),
        ]
    )


async def test_moderator_only_commands_are_hidden_from_members_menus(sandbox: LiaisonSandbox) -> None:
    assert sandbox.bot is not None
    synced = {c["name"]: c for c in sandbox.commands}
    expected = str(MODERATOR_DEFAULT_PERMISSIONS.value)
    for command in sandbox.bot.tree.get_commands():
        leaves = list(command.walk_commands()) if hasattr(command, "walk_commands") else [command]
        all_moderator = bool(leaves) and all(is_moderator_only(leaf) for leaf in leaves)  # type: ignore[arg-type]
        wanted = expected if all_moderator else None
        assert synced[command.name]["default_member_permissions"] == wanted, command.name
    assert synced["liaison"]["default_member_permissions"] == expected
    # the server-side check stays: a member who sees it anyway (admins may allow it) is refused
    refused = await sandbox.slash("liaison check", user=sandbox.users.carol)
    assert refused.ephemeral and "moderators" in (refused.content or "")


async def test_check_on_a_healthy_server(sandbox: LiaisonSandbox) -> None:
    inter = await sandbox.slash("liaison check", user=sandbox.users.alice)
    assert inter.ephemeral
    [embed] = inter.embeds
    assert embed["title"] == "Liaison has every permission it needs"
    for name in ("qa", "events", "review"):
        assert f"<#{sandbox.channels[name].id}>" in embed["description"]
    assert "Nothing to change." in embed["description"]


async def test_check_names_each_missing_permission_and_what_to_change(sandbox: LiaisonSandbox) -> None:
    channels = sandbox.channels
    sandbox.remove_bot_permission(channels.events, Perm.EMBED_LINKS)
    sandbox.remove_bot_permission(channels.qa, Perm.MANAGE_THREADS)
    sandbox.remove_bot_permission(channels.review, Perm.VIEW_CHANNEL)
    await sandbox.quiet()
    inter = await sandbox.slash("liaison check", user=sandbox.users.alice)
    [embed] = inter.embeds
    assert embed["title"] == "What Liaison may not do here"
    text = embed["description"]
    assert f"<#{channels.events.id}> (events channel) — missing: **Embed Links**." in text
    assert "Needed for announcing events." in text
    assert f"<#{channels.qa.id}> (Q&A channel) — missing: **Manage Threads and Posts**." in text
    assert "allow **Manage Threads and Posts**" in text
    assert f"The review channel (<#{channels.review.id}>) no longer exists or Liaison cannot see it" in text
    # in French for a French moderator
    sandbox.add_member("francoise", locale="fr", roles=[sandbox.roles.moderators])
    french = await sandbox.slash("liaison check", user=sandbox.users.francoise)
    [embed] = french.embeds
    assert embed["title"] == "Ce que Liaison ne peut pas faire ici"
    assert "manque : **Intégrer des liens**" in embed["description"]
    # given back, the check is clean again
    for channel, permission in (
        (channels.events, Perm.EMBED_LINKS),
        (channels.qa, Perm.MANAGE_THREADS),
        (channels.review, Perm.VIEW_CHANNEL),
    ):
        sandbox.give_bot_permission(channel, permission)
    await sandbox.quiet()
    again = await sandbox.slash("liaison check", user=sandbox.users.alice)
    assert again.embeds[0]["title"] == "Liaison has every permission it needs"


async def test_setup_ends_with_the_permission_check(sandbox: LiaisonSandbox) -> None:
    sandbox.remove_bot_permission(sandbox.channels.events, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    inter = await sandbox.slash(
        "liaison setup", user=sandbox.users.alice, events_channel=sandbox.channels.events
    )
    assert inter.ephemeral and len(inter.embeds) == 2
    assert inter.embeds[1]["title"] == "What Liaison may not do here"
    assert "**Send Messages (Create Posts in a forum)**" in inter.embeds[1]["description"]


async def test_ask_without_send_messages_in_the_forum(sandbox: LiaisonSandbox) -> None:
    qa, users = sandbox.channels.qa, sandbox.users
    sandbox.remove_bot_permission(qa, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    refused = await sandbox.slash("ask", user=users.carol, question="How do we calibrate a portal monitor?")
    assert refused.ephemeral
    assert (
        f"Liaison could not do this in <#{qa.id}>: it lacks **Send Messages (Create Posts in a forum)**"
        in (refused.content or "")
    )
    assert "The moderators have been told" in (refused.content or "")
    assert sandbox.threads(qa) == []
    [notice] = _notices(sandbox)
    assert f"in <#{qa.id}>, needed for posting questions (/ask)" in notice
    # in French, and told once only
    again = await sandbox.slash("ask", user=users.bruno, question="Comment étalonner un portique ?")
    assert "Liaison n'a pas pu le faire" in (again.content or "") and again.ephemeral
    assert len(_notices(sandbox)) == 1
    # given back, it works
    sandbox.give_bot_permission(qa, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    asked = await sandbox.slash("ask", user=users.carol, question="How do we calibrate a portal monitor?")
    assert "Liaison could not" not in (asked.content or "")
    assert len(sandbox.threads(qa)) == 1


async def test_event_announcement_without_embed_links(sandbox: LiaisonSandbox) -> None:
    events = sandbox.channels.events
    assert sandbox.bot is not None
    start = (sandbox.bot.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    sandbox.remove_bot_permission(events, Perm.EMBED_LINKS)
    await sandbox.quiet()
    created = await sandbox.slash(
        "event create", user=sandbox.users.alice, title="Border drill", start=start, timezone="UTC"
    )
    assert created.ephemeral and "created" in (created.content or "")
    assert f"its announcement was not posted in <#{events.id}>: Liaison lacks **Embed Links**" in (
        created.content or ""
    )
    assert _bot_posts(sandbox, events) == []  # not posted stripped of its card
    [notice] = _notices(sandbox)
    assert 'The announcement of "Border drill" was not posted there.' in notice
    sandbox.give_bot_permission(events, Perm.EMBED_LINKS)
    await sandbox.quiet()
    await sandbox.slash(
        "event create", user=sandbox.users.alice, title="Next drill", start=start, timezone="UTC"
    )
    [announcement] = _bot_posts(sandbox, events)
    assert "Next drill" in str(announcement.embeds)


async def test_reminder_without_send_messages_is_reported_not_lost_silently(sandbox: LiaisonSandbox) -> None:
    events = sandbox.channels.events
    assert sandbox.bot is not None
    start = (sandbox.bot.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    await sandbox.slash(
        "event create",
        user=sandbox.users.alice,
        title="Border drill",
        start=start,
        timezone="UTC",
        reminders="1d, 1h",
    )
    sandbox.remove_bot_permission(events, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    await sandbox.advance(timedelta(days=1, seconds=5))  # the 1d reminder falls due
    assert not [m for m in _bot_posts(sandbox, events) if "⏰" in m.content]
    [notice] = _notices(sandbox)
    assert 'A reminder of "Border drill" was not posted there.' in notice
    assert "**Send Messages (Create Posts in a forum)**" in notice
    sandbox.give_bot_permission(events, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    await sandbox.advance(timedelta(hours=23))  # the 1h reminder
    [reminder] = [m for m in _bot_posts(sandbox, events) if "⏰" in m.content]
    assert "Border drill" in reminder.content
    assert len(_notices(sandbox)) == 1


async def test_suggestion_when_the_review_channel_is_hidden(sandbox: LiaisonSandbox) -> None:
    """The moderators cannot be told in the review channel itself: the server's owner gets the
    notice the next time they use Liaison; the suggestion waits in the queue."""
    review, users = sandbox.channels.review, sandbox.users
    sandbox.remove_bot_permission(review, Perm.VIEW_CHANNEL)
    await sandbox.quiet()
    suggested = await sandbox.slash(
        "resource suggest",
        user=users.carol,
        title="Portal guide",
        url="https://example.org/portal",
        description="How to run a portal",
        tags="detection",
    )
    assert suggested.ephemeral
    assert _bot_posts(sandbox, review) == []
    told = await sandbox.slash("resource tags", user=users.owner)
    handed = " ".join(m.content for m in told.responses)
    assert f"Liaison lacks **View Channel** in <#{review.id}>" in handed
    assert "A new suggestion waits in `/resource review`." in handed
    queue = await sandbox.slash("resource review", user=users.alice)
    assert "Portal guide" in _text(queue)


async def test_ask_in_a_text_channel_without_create_public_threads(sandbox: LiaisonSandbox) -> None:
    text, users = sandbox.channels["qa-text"], sandbox.users
    await sandbox.configure(qa_channel_id=text)
    sandbox.remove_bot_permission(text, Perm.CREATE_PUBLIC_THREADS)
    await sandbox.quiet()
    refused = await sandbox.slash("ask", user=users.carol, question="Which dosimeter for a first responder?")
    assert "it lacks **Create Public Threads**" in (refused.content or "") and refused.ephemeral
    assert _bot_posts(sandbox, text) == []  # no starter message left without its thread
    [notice] = _notices(sandbox)
    assert "**Create Public Threads**" in notice
    sandbox.give_bot_permission(text, Perm.CREATE_PUBLIC_THREADS)
    await sandbox.quiet()
    await sandbox.slash("ask", user=users.carol, question="Which dosimeter for a first responder?")
    assert len(sandbox.threads(text)) == 1


async def test_ask_without_send_messages_in_threads(sandbox: LiaisonSandbox) -> None:
    """The experts could not be mentioned in the thread: the question is not posted half-way."""
    qa = sandbox.channels.qa
    sandbox.remove_bot_permission(qa, Perm.SEND_MESSAGES_IN_THREADS)
    await sandbox.quiet()
    refused = await sandbox.slash(
        "ask", user=sandbox.users.carol, question="Which dosimeter for a first responder?"
    )
    assert "**Send Messages in Threads and Posts**" in (refused.content or "") and refused.ephemeral
    assert sandbox.threads(qa) == []
    [notice] = _notices(sandbox)
    assert "mentioning the experts in a question's thread" in notice


async def test_solved_without_manage_threads_in_the_forum(sandbox: LiaisonSandbox) -> None:
    qa, users = sandbox.channels.qa, sandbox.users
    await sandbox.slash("ask", user=users.eve, question="Innocent alarm at a portal: what next?")
    [thread] = sandbox.threads(qa)
    await sandbox.send_message(thread, "Secondary inspection with a RIID.", user=users.carol)
    sandbox.remove_bot_permission(qa, Perm.MANAGE_THREADS)
    await sandbox.quiet()
    refused = await sandbox.slash("qa solved", user=users.eve, channel=thread)
    assert refused.ephemeral and "**Manage Threads and Posts**" in (refused.content or "")
    assert qa.tag_id("solved") not in thread.applied_tags
    [notice] = _notices(sandbox)
    assert "marking a question solved" in notice
    sandbox.give_bot_permission(qa, Perm.MANAGE_THREADS)
    await sandbox.quiet()
    solved = await sandbox.slash("qa solved", user=users.eve, channel=thread)
    assert not solved.ephemeral and "RIID" in str(solved.embeds)
    assert qa.tag_id("solved") in thread.applied_tags


async def test_escalation_and_digest_skip_what_they_may_not_post_and_say_so(sandbox: LiaisonSandbox) -> None:
    """The jobs of the Q&A sweep: the moderators' escalation (review channel) and the weekly
    digest (Q&A forum) are not attempted without the permissions; the owner is told once."""
    qa, review, users = sandbox.channels.qa, sandbox.channels.review, sandbox.users
    await sandbox.slash("ask", user=users.eve, question="Innocent alarm at a portal: what next?")
    sandbox.remove_bot_permission(review, Perm.SEND_MESSAGES)
    sandbox.remove_bot_permission(qa, Perm.SEND_MESSAGES)
    await sandbox.quiet()
    await sandbox.advance(timedelta(hours=25))
    await sandbox.advance(timedelta(days=7))
    assert _bot_posts(sandbox, review) == []
    assert len(sandbox.threads(qa)) == 1  # the question's; no digest
    told = await sandbox.slash("resource tags", user=users.owner)
    handed = " ".join(m.content for m in told.responses)
    assert f"in <#{review.id}>, needed for telling moderators of new suggestions" in handed
    assert f"in <#{qa.id}>, needed for posting questions (/ask)" in handed
    again = await sandbox.slash("resource tags", user=users.owner)
    assert "Liaison lacks" not in " ".join(m.content for m in again.responses)


async def test_a_role_above_liaisons_is_reported_once(sandbox: LiaisonSandbox) -> None:
    """What the verified role's feature calls before giving or taking the role."""
    from bot.ui import bot_permissions

    assert sandbox.bot is not None and sandbox.guild is not None
    verified = sandbox.create_role("Verified")
    await sandbox.quiet()
    guild = sandbox.bot.get_guild(sandbox.guild.id)
    assert guild is not None
    assert bot_permissions.role_trouble(guild, "verified_role", verified.id) is None
    sandbox.move_role(verified, len(sandbox.guild.roles) - 1)
    await sandbox.wait_for(lambda: guild.me.top_role < guild.get_role(verified.id))  # type: ignore[operator]
    problem = bot_permissions.role_trouble(guild, "verified_role", verified.id)
    assert problem is not None and problem.reason == "above_bot"
    for _ in range(2):
        await bot_permissions.role_refused(sandbox.bot, guild, problem)
    await sandbox.quiet()
    [told] = [m.content for m in _bot_posts(sandbox, sandbox.channels.review)]
    assert f"<@&{verified.id}> (verified role) sits above Liaison's highest role" in told
    assert "drag" in told
