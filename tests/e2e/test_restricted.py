"""Sharing labels around the library, through the sandbox: who may ask a TLP:AMBER question and
where it lives, the verified role following verification, and the setup that protects both.

Each test asserts on what a member can observe (replies, roles, threads, messages, pings)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox import payloads
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.mentions import would_ping
from bot.sandbox.world import Channel, ChannelType, Perm, Role, User
from bot.services import guild_settings

AMBER_QUESTION = "Which seized-source storage site do you use for orphan sources found at the border?"
AMBER_DETAILS = "Our interim site is at capacity; sharing the address of ours privately."


def roles_of(sandbox: LiaisonSandbox, user: User) -> list[int]:
    assert sandbox.guild is not None
    member = sandbox.world.member(sandbox.guild.id, user.id)
    assert member is not None
    return member.roles


async def register(sandbox: LiaisonSandbox, user: User, **options: Any) -> None:
    values: dict[str, Any] = {
        "agency": "Customs",
        "country": "Cambodia",
        "expertise": "Border monitoring",
        "languages": "en",
        "timezone": "UTC",
    }
    values.update(options)
    prompt = await sandbox.slash("expert register", user=user, **values)
    confirmed = await sandbox.click(prompt, index=0, user=user)
    assert confirmed.error is None


async def new_role(sandbox: LiaisonSandbox, name: str = "Verified experts") -> Role:
    """A role created in the server's settings (the bot is told, as Discord does)."""
    assert sandbox.guild is not None
    role = sandbox.world.create_role(sandbox.guild, name)
    # as Discord tells the bot of a role created in the server's settings
    sandbox.server.gateway.dispatch(
        "GUILD_ROLE_CREATE", {"guild_id": str(sandbox.guild.id), "role": payloads.role_json(role)}
    )
    await sandbox.wait_for(lambda: sandbox.bot is not None and _bot_knows(sandbox, role))
    return role


async def verified_role(sandbox: LiaisonSandbox) -> Role:
    role = await new_role(sandbox)
    done = await sandbox.slash("liaison setup", user=sandbox.users.alice, verified_role=role)
    assert done.ephemeral and done.error is None and "Verified experts" not in (done.content or "")
    return role


def _bot_knows(sandbox: LiaisonSandbox, role: Role) -> bool:
    assert sandbox.bot is not None and sandbox.guild is not None
    guild = sandbox.bot.get_guild(sandbox.guild.id)
    return guild is not None and guild.get_role(role.id) is not None


def bot_texts(sandbox: LiaisonSandbox, channel: Channel) -> str:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return "\n".join(
        f"{m.content} {m.embeds}" for m in sandbox.messages(channel) if m.author_id == sandbox.bot.user.id
    )


async def settings(sandbox: LiaisonSandbox) -> Any:
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        return await guild_settings.get(session, sandbox.guild.id)


# -- /liaison setup --------------------------------------------------------------------------------
async def test_everyone_is_refused_as_moderator_or_verified_role(sandbox: LiaisonSandbox) -> None:
    users, everyone = sandbox.users, sandbox.roles.everyone
    before = (await settings(sandbox)).moderator_role_id
    refused = await sandbox.slash("liaison setup", user=users.alice, moderator_role=everyone)
    assert refused.ephemeral and "cannot be @everyone" in (refused.content or "")
    dmitri = await sandbox.slash("liaison setup", user=users.dmitri, verified_role=everyone, language="fr")
    assert dmitri.ephemeral and "verified role cannot be @everyone" in (dmitri.content or "")
    benoit = sandbox.add_member("benoit", locale="fr", roles=[sandbox.roles.moderators])
    french = await sandbox.slash("liaison setup", user=benoit, moderator_role=everyone)
    assert french.ephemeral and "ne peut pas être @everyone" in (french.content or "")
    after = await settings(sandbox)
    assert (after.moderator_role_id, after.verified_role_id, after.language) == (before, None, None)
    # Members still are not moderators: a member's moderator command is still refused.
    still = await sandbox.slash("liaison stats", user=users.eve)
    assert still.ephemeral and still.embeds == []


async def test_a_restricted_channel_everyone_can_view_is_refused(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    refused = await sandbox.slash(
        "liaison setup", user=users.alice, restricted_channel=sandbox.channels.general
    )
    assert refused.ephemeral and "@everyone can view it" in (refused.content or "")
    french = sandbox.add_member("chloe", locale="fr", roles=[sandbox.roles.moderators])
    again = await sandbox.slash("liaison setup", user=french, restricted_channel=sandbox.channels.qa)
    assert again.ephemeral and "@everyone peut le voir" in (again.content or "")
    assert (await settings(sandbox)).restricted_channel_id is None


# -- verified_role ---------------------------------------------------------------------------------
async def test_verified_role_is_given_and_taken_back_as_verification_starts_and_ends(
    sandbox: LiaisonSandbox,
) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    for user in (users.carol, users.bruno, users.eve):
        await register(sandbox, user)
    await sandbox.slash("expert verify", user=alice, member=users.carol, months=1)
    role = await verified_role(sandbox)  # chosen after carol's verification: she gets it too
    assert role.id in roles_of(sandbox, users.carol)
    assert role.id not in roles_of(sandbox, users.bruno)

    done = await sandbox.slash("expert verify", user=alice, member=users.bruno, months=12)
    assert done.error is None and "Manage Roles" not in (done.content or "")
    assert role.id in roles_of(sandbox, users.bruno)
    await sandbox.slash("expert verify", user=alice, member=users.eve, months=12)
    assert role.id in roles_of(sandbox, users.eve)

    # a moderator's revocation
    revoked = await sandbox.slash("expert revoke", user=alice, member=users.eve)
    assert revoked.ephemeral and "no longer verified" in (revoked.content or "")
    assert role.id not in roles_of(sandbox, users.eve)
    twice = await sandbox.slash("expert revoke", user=alice, member=users.eve)
    assert twice.ephemeral and "not verified" in (twice.content or "")
    not_mod = await sandbox.slash("expert revoke", user=users.carol, member=users.bruno)
    assert not_mod.ephemeral and role.id in roles_of(sandbox, users.bruno)

    # a new agency ends the verification, and the member is told why (in French for bruno)
    changed = await sandbox.slash("expert update", user=users.bruno, agency="IRSN")
    assert changed.ephemeral and "/expert verifier" in (changed.content or "")
    assert role.id not in roles_of(sandbox, users.bruno)
    searched = await sandbox.slash("expert profile", user=users.bruno)
    assert "IRSN" in str(searched.embeds)

    # expiry: carol's month runs out
    assert role.id in roles_of(sandbox, users.carol)
    await sandbox.advance(timedelta(days=32))
    await sandbox.wait_for(lambda: role.id not in roles_of(sandbox, users.carol))


async def test_a_new_verified_role_moves_to_the_verified_members(sandbox: LiaisonSandbox) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    await register(sandbox, users.carol)
    await register(sandbox, users.eve)
    first = await verified_role(sandbox)
    await sandbox.slash("expert verify", user=alice, member=users.carol)
    assert first.id in roles_of(sandbox, users.carol)
    second = await verified_role(sandbox)
    assert second.id in roles_of(sandbox, users.carol) and first.id not in roles_of(sandbox, users.carol)
    assert second.id not in roles_of(sandbox, users.eve)


async def test_a_new_country_ends_verification_but_a_new_bio_does_not(sandbox: LiaisonSandbox) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    await register(sandbox, users.carol)
    role = await verified_role(sandbox)
    await sandbox.slash("expert verify", user=alice, member=users.carol)
    kept = await sandbox.slash("expert update", user=users.carol, bio="Ten years at the border", country="KH")
    assert kept.error is None and "verify" not in (kept.content or "")
    assert role.id in roles_of(sandbox, users.carol)
    moved = await sandbox.slash("expert update", user=users.carol, country="Thailand")
    assert moved.ephemeral and "new `/expert verify`" in (moved.content or "")
    assert role.id not in roles_of(sandbox, users.carol)
    # no longer verified: an AMBER question is now refused to her
    asked = await sandbox.slash("ask", user=users.carol, question=AMBER_QUESTION, label="TLP:AMBER")
    assert asked.ephemeral and "Only verified members" in (asked.content or "")


async def test_leaving_or_erasing_ends_verification(sandbox: LiaisonSandbox) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    await register(sandbox, users.carol)
    await register(sandbox, users.bruno)
    role = await verified_role(sandbox)
    await sandbox.slash("expert verify", user=alice, member=users.carol)
    await sandbox.slash("expert verify", user=alice, member=users.bruno)
    prompt = await sandbox.slash("expert leave", user=users.carol)
    await sandbox.click(prompt, index=0, user=users.carol)
    assert role.id not in roles_of(sandbox, users.carol)
    prompt = await sandbox.slash("me delete", user=users.bruno)
    await sandbox.click(prompt, index=0, user=users.bruno)
    await sandbox.wait_for(lambda: role.id not in roles_of(sandbox, users.bruno))

    await register(sandbox, users.eve)
    await sandbox.slash("expert verify", user=alice, member=users.eve)
    await sandbox.remove_member(users.eve)
    await sandbox.quiet()
    assert sandbox.bot is not None and sandbox.guild is not None
    from bot.services import experts

    async with sandbox.bot.db.transaction() as session:
        assert not await experts.is_verified(session, sandbox.guild.id, users.eve.id, sandbox.bot.clock.now())


async def test_a_verified_role_above_liaison_is_noted_and_refused_calls_are_told(
    sandbox: LiaisonSandbox,
) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    assert sandbox.guild is not None
    await register(sandbox, users.carol)
    role = await new_role(sandbox, "Senior experts")
    sandbox.move_role(role, len(sandbox.guild.roles))  # above Liaison's own role
    await sandbox.quiet()
    noted = await sandbox.slash("liaison setup", user=alice, verified_role=role)
    assert noted.ephemeral and "sits above Liaison's highest role" in str(noted.embeds)
    assert (await settings(sandbox)).verified_role_id == role.id  # saved all the same
    done = await sandbox.slash("expert verify", user=alice, member=users.carol)
    assert (
        done.ephemeral
        and "is verified until" in (done.content or "")
        and "Manage Roles" in (done.content or "")
    )
    assert role.id not in roles_of(sandbox, users.carol)


async def test_a_refused_role_change_is_told_to_the_moderator_and_logs_no_error(
    sandbox: LiaisonSandbox,
) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    await register(sandbox, users.carol)
    role = await verified_role(sandbox)
    sandbox.fail_next(f"/roles/{role.id}", status=403, method="PUT")
    done = await sandbox.slash("expert verify", user=alice, member=users.carol)
    assert done.ephemeral and "is verified until" in (done.content or "")
    assert "Manage Roles" in (done.content or "")
    assert role.id not in roles_of(sandbox, users.carol)  # the verification itself stands
    assert sandbox.bot is not None and sandbox.guild is not None
    from bot.services import experts

    async with sandbox.bot.db.transaction() as session:
        assert await experts.is_verified(session, sandbox.guild.id, users.carol.id, sandbox.bot.clock.now())


# -- restricted Q&A --------------------------------------------------------------------------------
async def test_an_unverified_member_cannot_ask_an_amber_question(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    for label in ("TLP:AMBER", "amber+strict"):
        refused = await sandbox.slash(
            "ask", user=users.eve, question=AMBER_QUESTION, details=AMBER_DETAILS, label=label
        )
        assert refused.ephemeral and "Only verified members" in (refused.content or "")
    french = await sandbox.slash("ask", user=users.bruno, question=AMBER_QUESTION, label="TLP:AMBER")
    assert french.ephemeral and "Seuls les membres vérifiés" in (french.content or "")
    assert sandbox.threads() == []
    for channel in sandbox.channels.values():
        assert "seized-source" not in bot_texts(sandbox, channel)


async def test_amber_question_refused_when_no_restricted_place_exists(sandbox: LiaisonSandbox) -> None:
    """A forum Q&A channel cannot hold a private thread: without a restricted channel the
    member is told what a moderator must set up, and nothing is posted."""
    refused = await sandbox.slash("ask", user=sandbox.users.alice, question=AMBER_QUESTION, label="TLP:AMBER")
    assert refused.ephemeral and "restricted_channel" in (refused.content or "")
    assert sandbox.threads() == []
    open_question = await sandbox.slash(
        "ask", user=sandbox.users.eve, question="Which RIID do you carry on patrol?"
    )
    assert open_question.error is None and len(sandbox.threads(sandbox.channels.qa)) == 1


async def test_amber_question_in_a_private_thread_pings_only_verified_experts(
    sandbox: LiaisonSandbox,
) -> None:
    users, text = sandbox.users, sandbox.channels["qa-text"]
    await sandbox.configure(qa_channel_id=text)
    await register(sandbox, users.carol, languages="en, fr")
    await register(sandbox, users.dmitri, languages="en, fr")  # same expertise, not verified
    await register(sandbox, users.bruno, languages="en, fr")
    await sandbox.slash("expert verify", user=users.alice, member=users.carol)
    await sandbox.slash("expert verify", user=users.alice, member=users.bruno)
    asked = await sandbox.slash(
        "ask",
        user=users.bruno,
        question=AMBER_QUESTION,
        topic="border monitoring",
        details=AMBER_DETAILS,
        label="TLP:AMBER",
    )
    assert asked.error is None and asked.ephemeral
    [thread] = sandbox.threads(text)
    assert thread.type == ChannelType.PRIVATE_THREAD
    # nothing of the question in the public channel itself
    assert "seized-source" not in bot_texts(sandbox, text)
    assert [m for m in sandbox.messages(text) if m.thread is thread] == []
    assert "seized-source" in bot_texts(sandbox, thread) and "TLP:AMBER" in bot_texts(sandbox, thread)
    pinged: set[int | str] = set()
    for message in sandbox.messages(thread):
        pinged |= would_ping(sandbox.world, message)
    assert pinged == {users.carol.id}


async def test_an_amber_question_and_its_answer_never_reach_unverified_members(
    sandbox: LiaisonSandbox,
) -> None:
    """Search, the unanswered list, the similar-questions check, the escalation notice in the
    review channel and the library (after promotion) keep an AMBER question from eve."""
    users, text, alice = sandbox.users, sandbox.channels["qa-text"], sandbox.users.alice
    await sandbox.configure(qa_channel_id=text)
    await register(sandbox, users.carol)
    await sandbox.slash("expert verify", user=alice, member=users.carol)
    asked = await sandbox.slash(
        "ask", user=alice, question=AMBER_QUESTION, topic="border monitoring", label="TLP:AMBER"
    )
    assert asked.error is None
    [thread] = sandbox.threads(text)

    listed = await sandbox.slash("qa unanswered", user=users.eve)
    assert "seized-source" not in str(listed.embeds) + (listed.content or "")
    assert "seized-source" in str((await sandbox.slash("qa unanswered", user=users.carol)).embeds)

    # a day without an answer: the moderators are told, without the question's title
    await sandbox.advance(timedelta(hours=25))
    review = bot_texts(sandbox, sandbox.channels.review)
    assert "TLP:AMBER question" in review and "seized-source" not in review

    await sandbox.send_message(
        thread, "We use the national interim store; ask me for the address.", user=users.carol
    )
    solved = await sandbox.slash("qa solved", user=alice, channel=thread)
    assert solved.error is None and "national interim store" in str(solved.embeds)

    hidden = await sandbox.slash("qa search", user=users.eve, query="seized-source storage")
    assert hidden.ephemeral and "national interim" not in str(hidden.embeds) + (hidden.content or "")
    found = await sandbox.slash("qa search", user=users.carol, query="seized-source storage")
    assert found.ephemeral and "national interim" in str(found.embeds)

    similar = await sandbox.slash(
        "ask", user=users.eve, question="Where do you store a seized-source found at the border?"
    )
    assert similar.error is None and "national interim" not in str(similar.embeds)
    assert len(sandbox.threads(text)) == 2  # posted at once: nothing similar was offered to eve

    # promoted, the answer keeps its label in the library
    promoted = await sandbox.click(solved, label="Promote to library", user=alice)
    assert promoted.ephemeral and promoted.error is None
    queue = await sandbox.slash("resource review", user=alice)
    assert queue.ephemeral and "TLP:AMBER" in str(queue.embeds)
    await sandbox.click(queue, label="Approve", user=alice)
    await sandbox.quiet()
    nothing = await sandbox.slash("resource search", user=users.eve, query="seized-source storage")
    assert "site do you use" not in str(nothing.embeds) + (nothing.content or "")
    shown = await sandbox.slash("resource search", user=users.carol, query="seized-source storage")
    assert shown.ephemeral and "site do you use" in str(shown.embeds)


# -- what each member can see (the sandbox's permission model) -------------------------------------
def seen_by(sandbox: LiaisonSandbox, user: User, channel: Channel) -> str:
    """Everything ``user`` can read in ``channel``: its name when visible, and its messages."""
    if not sandbox.can_view(channel, user):
        return ""
    return (
        channel.name
        + "\n"
        + "\n".join(f"{m.content} {m.embeds}" for m in sandbox.messages(channel, user=user))
    )


def visible_threads(sandbox: LiaisonSandbox, user: User) -> list[str]:
    return [t.name for t in sandbox.threads() if sandbox.can_view(t, user)]


async def test_a_private_amber_thread_is_seen_only_by_its_members_and_moderators(
    sandbox: LiaisonSandbox,
) -> None:
    users, text, alice = sandbox.users, sandbox.channels["qa-text"], sandbox.users.alice
    await sandbox.configure(qa_channel_id=text)
    for user in (users.carol, users.dmitri, users.bruno):
        await register(sandbox, user, languages="en, fr")
    await sandbox.slash("expert verify", user=alice, member=users.carol)
    await sandbox.slash("expert verify", user=alice, member=users.bruno)
    asked = await sandbox.slash(
        "ask",
        user=users.bruno,
        question=AMBER_QUESTION,
        topic="border monitoring",
        details=AMBER_DETAILS,
        label="TLP:AMBER",
    )
    assert asked.error is None
    [thread] = sandbox.threads(text)
    for reader in (users.bruno, users.carol, alice):  # asker, expert asked, moderator
        assert "seized-source" in seen_by(sandbox, reader, thread), reader.name
    for outsider in (users.eve, users.dmitri):  # unverified: not even the thread's name
        assert seen_by(sandbox, outsider, thread) == ""
        assert not any("seized-source" in name for name in visible_threads(sandbox, outsider))
        assert "seized-source" not in seen_by(sandbox, outsider, text)
        assert "Our interim site" not in seen_by(sandbox, outsider, text)

    await sandbox.send_message(thread, "We use the national interim store.", user=users.carol)
    solved = await sandbox.slash("qa solved", user=users.bruno, channel=thread)
    assert solved.error is None and not solved.ephemeral
    assert "national interim store" in seen_by(sandbox, users.bruno, thread)
    for outsider in (users.eve, users.dmitri):
        assert "national interim store" not in seen_by(sandbox, outsider, thread) + seen_by(
            sandbox, outsider, text
        )
    with pytest.raises(ValueError):  # Discord would not let her post there either
        await sandbox.send_message(thread, "what is this?", user=users.eve)

    # carol's verification ends: she leaves the thread; the moderator still sees it
    await sandbox.slash("expert revoke", user=alice, member=users.carol)
    await sandbox.wait_for(lambda: not sandbox.can_view(thread, users.carol))
    assert seen_by(sandbox, users.carol, thread) == ""
    assert "national interim store" in seen_by(sandbox, alice, thread)


async def test_the_restricted_channel_holds_amber_questions_for_the_verified_role(
    sandbox: LiaisonSandbox,
) -> None:
    users, alice = sandbox.users, sandbox.users.alice
    for user in (users.carol, users.dmitri):
        await register(sandbox, user)
    role = await verified_role(sandbox)
    view = Perm.VIEW_CHANNEL
    amber = sandbox.create_channel(
        "amber-qa",
        ChannelType.FORUM,
        overwrites={
            sandbox.roles.everyone: (0, view),
            role: (view, 0),
            sandbox.roles.moderators: (view, 0),
            sandbox.roles.bot: (view, 0),
        },
    )
    hidden = sandbox.create_channel("hidden-qa", overwrites={sandbox.roles.everyone: (0, view)})
    noted = await sandbox.slash("liaison setup", user=alice, restricted_channel=hidden)
    # saved, with notes: verified members and Liaison itself cannot read it
    assert noted.ephemeral and f"<@&{role.id}> cannot view" in (noted.content or "")
    assert "Liaison cannot see it" in str(noted.embeds)
    done = await sandbox.slash("liaison setup", user=alice, restricted_channel=amber)
    assert done.error is None and "cannot view" not in (done.content or "")
    assert (await settings(sandbox)).restricted_channel_id == amber.id

    await sandbox.slash("expert verify", user=alice, member=users.carol)
    asked = await sandbox.slash(
        "ask", user=users.carol, question=AMBER_QUESTION, topic="border monitoring", label="TLP:AMBER+STRICT"
    )
    assert asked.error is None
    [thread] = sandbox.threads(amber)
    assert sandbox.threads(sandbox.channels.qa) == []
    for reader in (users.carol, alice):
        assert "seized-source" in seen_by(sandbox, reader, thread)
    for outsider in (users.eve, users.dmitri, users.bruno):
        assert seen_by(sandbox, outsider, thread) == "" and seen_by(sandbox, outsider, amber) == ""
        assert not any("seized-source" in name for name in visible_threads(sandbox, outsider))
    # verified later, dmitri reads it through the role; his change of agency takes it away again
    await sandbox.slash("expert verify", user=alice, member=users.dmitri)
    assert "seized-source" in seen_by(sandbox, users.dmitri, thread)
    await sandbox.slash("expert update", user=users.dmitri, agency="Border Police")
    assert seen_by(sandbox, users.dmitri, thread) == ""


async def test_a_private_thread_liaison_may_not_open_is_a_clear_refusal(sandbox: LiaisonSandbox) -> None:
    users, text = sandbox.users, sandbox.channels["qa-text"]
    await sandbox.configure(qa_channel_id=text)
    sandbox.remove_bot_permission(text, Perm.CREATE_PRIVATE_THREADS)
    await sandbox.quiet()
    refused = await sandbox.slash("ask", user=users.alice, question=AMBER_QUESTION, label="TLP:AMBER")
    assert refused.ephemeral and "Create Private Threads" in (refused.content or "")
    assert sandbox.threads(text) == []
    sandbox.give_bot_permission(text, Perm.CREATE_PRIVATE_THREADS)
    sandbox.remove_bot_permission(text, Perm.SEND_MESSAGES_IN_THREADS)
    await sandbox.quiet()
    again = await sandbox.slash("ask", user=users.alice, question=AMBER_QUESTION, label="TLP:AMBER")
    assert again.ephemeral and "Send Messages in Threads" in (again.content or "")
    assert sandbox.threads(text) == []  # the empty thread was deleted


async def test_a_restricted_channel_opened_to_everyone_later_takes_no_amber_question(
    sandbox: LiaisonSandbox,
) -> None:
    alice, view = sandbox.users.alice, Perm.VIEW_CHANNEL
    amber = sandbox.create_channel(
        "amber-room", overwrites={sandbox.roles.everyone: (0, view), sandbox.roles.bot: (view, 0)}
    )
    done = await sandbox.slash("liaison setup", user=alice, restricted_channel=amber)
    assert done.error is None and (await settings(sandbox)).restricted_channel_id == amber.id
    sandbox.set_permissions(amber, sandbox.roles.everyone, allow=view)  # an admin opens it
    await sandbox.quiet()
    refused = await sandbox.slash("ask", user=alice, question=AMBER_QUESTION, label="TLP:AMBER")
    assert refused.ephemeral and "@everyone can view the restricted channel" in (refused.content or "")
    assert sandbox.threads(amber) == [] and sandbox.messages(amber) == []
