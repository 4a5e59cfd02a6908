"""After ``/me delete``, no post of the bot that anyone can still read ties anything to the member:
an exercise's decision posts (team thread and control thread), the weekly Q&A digest and the
moderators' escalation notice quoting an erased question (issue 13, item 5, the remaining paths)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Message
from tests.e2e.test_exercises import _injects, _posts, _setup, _threads
from tests.e2e.test_qa import register
from tests.e2e.test_trust import _holds, _message_text, _rows

DECIDED = "Zorblax cordon at lane two"
CLICKED = "Quimbleton sweep with the RIID"
HOTWASH = "Vexmoor debrief went well"
ADHOC = "ADHOC Brindlewick calls the minister"
QUESTION = "Who can explain a Glorptastic reading on a Yarrowfen cask?"


def _visible(sandbox: LiaisonSandbox) -> list[Message]:
    """Every post of the bot that someone can still read: not deleted, not ephemeral (an
    ephemeral answer was only ever the caller's, and Discord lets nobody edit it later)."""
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return [
        m
        for m in sandbox.world.messages.values()
        if m.author_id == sandbox.bot.user.id and not m.deleted and not m.ephemeral
    ]


def _tied(sandbox: LiaisonSandbox, user: Any, needles: list[str]) -> list[str]:
    found = []
    for message in _visible(sandbox):
        shown = _message_text(message)
        if str(user.id) in shown or any(n.lower() in shown.lower() for n in needles):
            found.append(shown)
    names = [c.name or "" for c in sandbox.world.channels.values()]
    return found + [n for n in names if any(needle.lower() in n.lower() for needle in needles)]


async def _delete(sandbox: LiaisonSandbox, user: Any, **options: Any) -> None:
    prompt = await sandbox.slash("me delete", user=user, **options)
    await sandbox.click(prompt, label="Confirm", user=user)
    await sandbox.wait_for(lambda: "erased" in (prompt.content or ""), timeout=20)


async def test_erasure_redraws_exercise_decision_posts(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    exercise = await _setup(sandbox)
    await sandbox.slash("exercise start", user=users.alice, exercise=exercise, speed=300)
    threads = _threads(sandbox)
    customs, control = threads["Customs"], threads["control"]
    await sandbox.wait_for(lambda: len(_injects(sandbox, customs)) >= 2, timeout=15)
    decided = await sandbox.slash("exercise decision", user=users.frank, channel=customs, text=DECIDED)
    assert not decided.ephemeral and users.frank.mention in (decided.content or ""), decided.content
    inject = [m for m in _posts(sandbox, customs) if "inject #" in m.content][1]
    form = await sandbox.click(inject, label="Log decision", user=users.frank)
    await sandbox.submit_modal(form, {"decision": CLICKED}, user=users.frank)
    await sandbox.slash("exercise inject", user=users.carol, exercise=exercise, text=ADHOC, team="Customs")
    await sandbox.wait_for(lambda: any("Brindlewick" in m for m in _injects(sandbox, customs)))
    mirrors = " ".join(m.content for m in _posts(sandbox, control))
    assert "Zorblax" in mirrors and "Quimbleton" in mirrors
    await sandbox.slash("exercise end", user=users.alice, exercise=exercise)
    call = [m for m in _posts(sandbox, customs) if "Hot wash" in m.content][-1]
    form = await sandbox.click(call, label="Answer the hot wash", user=users.frank)
    await sandbox.submit_modal(form, {"q1": HOTWASH}, user=users.frank)
    needles = [DECIDED, CLICKED, HOTWASH, "Zorblax", "Quimbleton", "Vexmoor", "frank"]
    assert _tied(sandbox, users.frank, needles), "the test must see the posts before the erasure"

    await _delete(sandbox, users.frank)  # qa_text: keep (default): decisions are not Q&A text
    assert _tied(sandbox, users.frank, needles) == []
    team_posts = [m.content for m in _posts(sandbox, customs) if "Decision logged" in m.content]
    assert len(team_posts) == 2 and all("former member" in text for text in team_posts), team_posts
    assert sum("erased by its author" in m.content for m in _posts(sandbox, control)) == 2
    assert [(t, v) for t, v in await _rows(sandbox) if _holds(v, needles, users.frank.id)] == []

    # the facilitator who sent an ad hoc inject: the inject stays, without their id
    await _delete(sandbox, users.carol)
    assert [(t, v) for t, v in await _rows(sandbox) if _holds(v, [], users.carol.id)] == []
    assert any("Brindlewick" in m for m in _injects(sandbox, customs))


async def _unanswered_question(sandbox: LiaisonSandbox) -> Any:
    """Eve's question, unanswered: the moderators are told after a day, the digest lists it."""
    users = sandbox.users
    for user in (users.carol, users.dmitri, users.alice, users.bruno):
        await register(sandbox, user, "Border monitoring", "en, fr")
    await sandbox.slash("ask", user=users.eve, question=QUESTION, topic="border monitoring")
    [thread] = sandbox.threads(sandbox.channels.qa)
    await sandbox.advance(timedelta(hours=25))
    await sandbox.advance(timedelta(days=7))
    digests = [t for t in sandbox.threads(sandbox.channels.qa) if t.id != thread.id]
    assert len(digests) == 1 and "Glorptastic" in str(sandbox.messages(digests[0])[0].embeds)
    review = [m for m in _visible(sandbox) if m.channel_id == sandbox.channels.review.id]
    assert any("Glorptastic" in m.content for m in review), [m.content for m in review]
    return thread, digests[0]


async def test_erasing_qa_text_takes_the_title_out_of_digest_and_escalation(
    sandbox: LiaisonSandbox,
) -> None:
    eve = sandbox.users.eve
    thread, digest = await _unanswered_question(sandbox)
    await _delete(sandbox, eve, qa_text="erase")
    assert _tied(sandbox, eve, [QUESTION, "Glorptastic", "Yarrowfen"]) == []
    listed = str(sandbox.messages(digest)[0].embeds)
    assert "Erased question" in listed and str(thread.id) in listed  # the link stays, the title goes


async def test_kept_qa_text_stays_in_the_digest(sandbox: LiaisonSandbox) -> None:
    eve = sandbox.users.eve
    _thread, digest = await _unanswered_question(sandbox)
    await _delete(sandbox, eve)
    assert "Glorptastic" in str(sandbox.messages(digest)[0].embeds)
    assert _tied(sandbox, eve, []) == []
