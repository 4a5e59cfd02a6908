"""Q&A through the sandbox: ask in a forum and in a text channel, experts mentioned (and nobody
else pinged), answers, solve, search, the similar-questions check, unanswered list, escalation."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.mentions import would_ping
from bot.sandbox.world import Channel, Message, User
from bot.services import experts
from bot.services.experts import ProfileInput

PORTAL = "How do you adjudicate an innocent alarm at a border portal monitor?"


async def register(sandbox: LiaisonSandbox, user: User, expertise: str, languages: str = "en") -> None:
    assert sandbox.bot is not None and sandbox.guild is not None
    data = ProfileInput("Customs", "FR", expertise, languages, "UTC", None, "members")
    async with sandbox.bot.db.transaction() as session:
        await experts.register(
            session, sandbox.guild.id, user.id, data, consent_text="I agree", now=sandbox.bot.clock.now()
        )


def bot_messages(sandbox: LiaisonSandbox, channel: Channel) -> list[Message]:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return [m for m in sandbox.messages(channel) if m.author_id == sandbox.bot.user.id]


def pings(sandbox: LiaisonSandbox, channel: Channel) -> set[int | str]:
    found: set[int | str] = set()
    for message in bot_messages(sandbox, channel):
        found |= would_ping(sandbox.world, message)
    return found


async def test_ask_in_forum_routes_answer_solve_search(sandbox: LiaisonSandbox) -> None:
    users, qa_forum = sandbox.users, sandbox.channels.qa
    await register(sandbox, users.carol, "Border monitoring")
    await register(sandbox, users.dmitri, "Dosimetry")
    asked = await sandbox.slash(
        "ask",
        user=users.eve,
        question=PORTAL,
        topic="border monitoring",
        details="A truck of fertiliser, @everyone knows this one",
    )
    assert asked.ephemeral and asked.error is None
    [thread] = sandbox.threads(qa_forum)
    assert thread.applied_tags == [qa_forum.tag_id("border")]
    assert thread.mention in asked.responses[-1].content
    assert pings(sandbox, thread) == {users.carol.id}  # the matching expert, nobody else

    await sandbox.send_message(
        thread, "Secondary inspection with a RIID: potassium-40 in fertiliser.", user=users.carol
    )
    await sandbox.send_message(thread, "Thanks!", user=users.eve)
    solved = await sandbox.slash("qa solved", user=users.eve, channel=thread)
    assert not solved.ephemeral and "RIID" in str(solved.embeds)
    assert [b["label"] for b in solved.response.buttons()] == ["Promote to library"]
    assert qa_forum.tag_id("solved") in thread.applied_tags

    found = await sandbox.slash("qa search", user=users.bruno, query="innocent alarm")
    assert not found.ephemeral and "potassium" in str(found.embeds)
    nothing = await sandbox.slash("qa search", user=users.bruno, query="unicorn")
    assert nothing.ephemeral
    empty = await sandbox.slash("qa unanswered", user=users.carol)
    assert empty.ephemeral and empty.embeds == []


async def test_ask_in_text_channel_and_solve_with_a_given_answer(sandbox: LiaisonSandbox) -> None:
    users, text = sandbox.users, sandbox.channels["qa-text"]
    await sandbox.configure(qa_channel_id=text)
    await register(sandbox, users.carol, "Dosimetry")
    asked = await sandbox.slash(
        "ask", user=users.eve, question="Which dosimetry devices do responders carry?"
    )
    assert asked.error is None
    [thread] = sandbox.threads(text)
    [starter] = [m for m in sandbox.messages(text) if m.thread is not None]
    assert starter.thread is thread and "dosimetry devices" in str(starter.embeds)
    assert pings(sandbox, thread) == {users.carol.id} and pings(sandbox, text) == set()
    nobody_yet = await sandbox.slash("qa solved", user=users.eve, channel=thread)
    assert nobody_yet.ephemeral and "answer:" in (nobody_yet.content or "")
    first = await sandbox.send_message(thread, "Electronic personal dosimeters.", user=users.carol)
    await sandbox.send_message(thread, "Also a survey meter.", user=users.bruno)

    refused = await sandbox.slash("qa solved", user=users.bruno, channel=thread)
    assert refused.ephemeral and "posé cette question" in (refused.content or "")
    outside = await sandbox.slash("qa solved", user=users.eve, channel=text)
    assert outside.ephemeral
    for bad in ("not a link", "9" * 25, "1234567890123456789012"):
        refused = await sandbox.slash("qa solved", user=users.eve, channel=thread, answer=bad)
        assert refused.ephemeral and "answer" in (refused.content or "")
    solved = await sandbox.slash("qa solved", user=users.eve, channel=thread, answer=str(first.id))
    assert "Electronic personal dosimeters" in str(solved.embeds)
    assert thread.name.startswith("[Solved] ")

    reopened = await sandbox.slash("qa reopen", user=users.alice, channel=thread)
    assert not reopened.ephemeral and not thread.name.startswith("[Solved]")
    listed = await sandbox.slash("qa unanswered", user=users.carol)
    assert listed.ephemeral and "dosimetry devices" in str(listed.embeds)


async def test_similar_solved_questions_are_offered_first(sandbox: LiaisonSandbox) -> None:
    users, qa_forum = sandbox.users, sandbox.channels.qa
    await sandbox.slash("ask", user=users.eve, question=PORTAL)
    [thread] = sandbox.threads(qa_forum)
    await sandbox.send_message(thread, "Check the spectrum for NORM.", user=users.carol)
    await sandbox.slash("qa solved", user=users.eve, channel=thread)

    again = await sandbox.slash("ask", user=users.bruno, question="Innocent alarm at a portal: what next?")
    assert again.ephemeral and "NORM" in str(again.embeds)
    assert again.response is not None
    assert [b["label"] for b in again.response.buttons()] == ["Publier quand même", "Annuler"]
    cancelled = await sandbox.click(again, label="Annuler", user=users.bruno)
    assert cancelled.error is None and len(sandbox.threads(qa_forum)) == 1
    assert "Non publiée" in (again.content or "") and not again.embeds and not again.components
    again = await sandbox.slash("ask", user=users.carol, question="Innocent alarm at a portal: what next?")
    posted = await sandbox.click(again, label="Post anyway", user=users.carol)
    assert len(sandbox.threads(qa_forum)) == 2
    assert "Posting your question" in (again.content or "") and not again.embeds and not again.components
    assert any(m.ephemeral and "<#" in m.content for m in posted.responses + again.responses)


async def test_unanswered_then_escalation_and_digest(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    for user in (users.carol, users.dmitri, users.alice, users.bruno):
        await register(sandbox, user, "Border monitoring", "en, fr")
    await sandbox.slash("ask", user=users.eve, question=PORTAL, topic="border monitoring")
    [thread] = sandbox.threads(sandbox.channels.qa)
    first = pings(sandbox, thread)
    assert len(first) == 3 and users.eve.id not in first
    listed = await sandbox.slash("qa unanswered", user=users.carol)
    assert "no reply yet" in str(listed.embeds)

    await sandbox.advance(timedelta(hours=25))
    later = pings(sandbox, thread) - first
    assert len(later) == 1 and later <= {u.id for u in (users.carol, users.dmitri, users.alice, users.bruno)}
    [told] = bot_messages(sandbox, sandbox.channels.review)
    assert would_ping(sandbox.world, told) == {f"role:{sandbox.roles.moderators.id}"}
    assert thread.mention in told.content or str(thread.id) in told.content

    await sandbox.advance(timedelta(days=7))
    digests = [t for t in sandbox.threads(sandbox.channels.qa) if t.id != thread.id]
    assert len(digests) == 1 and "innocent alarm" in str(sandbox.messages(digests[0])[0].embeds)


async def test_ask_before_setup_tells_to_run_setup(bare_sandbox: LiaisonSandbox) -> None:
    result = await bare_sandbox.slash("ask", user=bare_sandbox.users.carol, question=PORTAL)
    assert result.ephemeral and "/liaison setup" in (result.content or "")
    french = await bare_sandbox.slash("ask", user=bare_sandbox.users.bruno, question=PORTAL)
    assert "/liaison configurer" in (french.content or "")


async def test_topic_autocomplete_and_promote_to_library(sandbox: LiaisonSandbox) -> None:
    from bot.services.resources import suggestions

    users = sandbox.users
    await register(sandbox, users.carol, "Border monitoring")
    choices = await sandbox.autocomplete("ask", "topic", "bor", user=users.eve, question=PORTAL)
    assert {"border", "Border monitoring"} <= {c["name"] for c in choices}
    await sandbox.slash("ask", user=users.eve, question=PORTAL, topic="border")
    [thread] = sandbox.threads(sandbox.channels.qa)
    await sandbox.send_message(thread, "Secondary inspection with a RIID.", user=users.carol)
    solved = await sandbox.slash("qa solved", user=users.eve, channel=thread)

    refused = await sandbox.click(solved, label="Promote to library", user=users.carol)
    assert refused.ephemeral and "moderators" in (refused.content or "").lower()
    promoted = await sandbox.click(solved, label="Promote to library", user=users.alice)
    assert promoted.ephemeral and promoted.error is None
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        queue = await suggestions.queue(session, sandbox.guild.id)
    assert [(s.title, s.description) for s in queue] == [(PORTAL, "Secondary inspection with a RIID.")]


async def test_solved_threads_are_archived_when_idle(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    await sandbox.slash("ask", user=users.eve, question=PORTAL)
    [thread] = sandbox.threads(sandbox.channels.qa)
    await sandbox.send_message(thread, "Secondary inspection with a RIID.", user=users.carol)
    await sandbox.slash("qa solved", user=users.eve, channel=thread)
    await sandbox.advance(timedelta(hours=71))
    assert not thread.archived
    await sandbox.advance(timedelta(hours=2))
    assert thread.archived
