"""Sharing labels, escaping and erasure hold on every path (issue 13, items 2, 3, 5, 6, 7, 8, 10
and 11), through the sandbox, asserting on what a member who is not verified can observe."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.db.models import Base
from bot.sandbox.harness import LiaisonSandbox
from bot.services import events, experts
from bot.services.experts import ProfileInput
from bot.services.resources import transfer

AMBER_TITLE = "Sensitive portal deployment plan"
AMBER_URL = "https://example.org/amber-plan"
DISGUISED = "[Official IAEA login](https://evil.example)"


def _seen(result: Any) -> str:
    """Everything a member reads in an answer: its text, its embeds, its files."""
    parts = [result.content or "", json.dumps(result.embeds, ensure_ascii=False)]
    parts += [data.decode("utf-8", "replace") for _name, data in getattr(result, "files", [])]
    return " ".join(parts)


def _message_text(message: Any) -> str:
    return f"{message.content} {json.dumps(message.embeds, ensure_ascii=False)}"


async def _add(sandbox: LiaisonSandbox, user: Any = None, **options: Any) -> Any:
    values = {
        "title": "Radiation portal monitor alarms",
        "url": "https://example.org/rpm",
        "description": "Adjudicating alarms of portal monitors",
        "tags": "rpm",
        **options,
    }
    result = await sandbox.slash("resource add", user=user or sandbox.users.alice, **values)
    assert "Added #" in (result.content or ""), result.content
    return result


def _suggestion(title: str, url: str) -> dict[str, str]:
    return {"title": title, "url": url, "description": "Found it useful", "tags": "misc"}


# -- item 2: a duplicate-URL refusal does not reveal an AMBER entry ------------------------------
async def test_suggesting_the_url_of_an_amber_entry_reveals_nothing(sandbox: LiaisonSandbox) -> None:
    await _add(sandbox, title=AMBER_TITLE, url=AMBER_URL, label="TLP:AMBER")
    eve = sandbox.users.eve
    known = await sandbox.slash("resource suggest", user=eve, **_suggestion("Deployment notes", AMBER_URL))
    unknown = await sandbox.slash(
        "resource suggest", user=eve, **_suggestion("Other notes", "https://example.org/never-seen")
    )
    assert known.ephemeral and unknown.ephemeral
    assert AMBER_TITLE not in _seen(known) and "already" not in (known.content or "")
    # The same answer as for a link the library does not have (only the suggestion's own number differs).
    assert re.sub(r"#\d+ “[^”]*”", "#N", known.content or "") == re.sub(
        r"#\d+ “[^”]*”", "#N", unknown.content or ""
    )


# -- item 3: did-you-mean reads only what the member may see ------------------------------------
@pytest.mark.engines  # did-you-mean reads each engine's own vocabulary
async def test_did_you_mean_does_not_reveal_words_of_amber_material(sandbox: LiaisonSandbox) -> None:
    await _add(sandbox)
    await _add(sandbox, title="Monitar deployment plan", url=AMBER_URL, label="TLP:AMBER")
    eve = sandbox.users.eve
    hidden = await sandbox.slash("resource search", user=eve, query="monitar")
    nonsense = await sandbox.slash("resource search", user=eve, query="monitxr")
    for answer in (hidden, nonsense):
        assert "Did you mean **monitor**" in (answer.content or ""), answer.content
        assert "Radiation portal monitor alarms" in _seen(answer) and "Monitar" not in _seen(answer)


# -- item 6: user text never renders as a masked link -------------------------------------------
def _no_disguised_link(seen: str) -> None:
    assert DISGUISED not in seen, seen
    assert r"\\[Official IAEA login\\]" in seen  # shown as typed (JSON doubles the backslash)


async def test_a_markdown_link_in_a_title_shows_as_text_in_search_show_and_review(
    sandbox: LiaisonSandbox,
) -> None:
    await _add(sandbox, title=DISGUISED, description=f"Log in: {DISGUISED}", url="https://example.org/login")
    eve, alice = sandbox.users.eve, sandbox.users.alice
    found = await sandbox.slash("resource search", user=eve, query="official login")
    assert not found.ephemeral
    _no_disguised_link(_seen(found))
    shown = await sandbox.slash("resource show", user=eve, resource="1")
    assert not shown.ephemeral
    _no_disguised_link(_seen(shown))
    await sandbox.slash(
        "resource suggest", user=eve, **_suggestion(DISGUISED, "https://example.org/suggested-login")
    )
    review = await sandbox.slash("resource review", user=alice)
    _no_disguised_link(_seen(review))
    for message in sandbox.messages(sandbox.channels.review):
        assert DISGUISED not in message.content


# -- item 7: URL rules, and the right-to-left override in text ----------------------------------
BAD_URLS = (
    "http://localhost:8080/admin",
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data",
    "https://iaea.org@evil.example/",
    "https://good.example/>[x](https://evil.example)",
    "https://good.example/\u202egnp.exe",
    "http://[::1]/",
    "http://2130706433/",
    "http://10.1.2.3/intranet",
)


async def test_urls_to_private_hosts_with_userinfo_or_breaking_characters_are_refused(
    sandbox: LiaisonSandbox,
) -> None:
    alice, eve = sandbox.users.alice, sandbox.users.eve
    for url in BAD_URLS:
        added = await sandbox.slash("resource add", user=alice, title="x", url=url, description="", tags="")
        assert added.ephemeral and "Added #" not in (added.content or ""), (url, added.content)
        suggested = await sandbox.slash("resource suggest", user=eve, **_suggestion("x", url))
        assert suggested.ephemeral and "waiting for a moderator" not in (suggested.content or ""), url
    assert sandbox.messages(sandbox.channels.review) == []
    await _add(sandbox, title="Guide \u202eelif-lanif.exe", url="https://bücher.example/guide")
    found = await sandbox.slash("resource search", user=eve, query="guide")
    assert "\u202e" not in _seen(found) and "xn--bcher-kva.example" in _seen(found)


# -- item 8: CSV export runs no formula; import gives the titles back ---------------------------
async def test_an_approved_formula_title_is_exported_as_text_and_imported_back(
    sandbox: LiaisonSandbox,
) -> None:
    formula = '=HYPERLINK("https://evil.example","Click")'
    eve, alice = sandbox.users.eve, sandbox.users.alice
    await sandbox.slash("resource suggest", user=eve, **_suggestion(formula, "https://example.org/f"))
    await sandbox.slash("resource suggest", user=eve, **_suggestion("@SUM(1+1)", "https://example.org/g"))
    queue = await sandbox.slash("resource review", user=alice)
    await sandbox.click(queue, label="Approve", user=alice)
    await sandbox.click(queue, label="Approve", user=alice)
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        exported = transfer.render(await transfer.export_rows(session, sandbox.guild.id), ".csv")
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert [c for c in cells if c[:1] in "=+-@\t\r"] == []
    async with sandbox.bot.db.transaction() as session:
        records = transfer.read_records(exported, ".csv")
        report = await transfer.import_records(
            session, sandbox.guild.id + 1, records, now=sandbox.bot.clock.now()
        )
    assert report.added == 2
    titles = sorted(values["title"] for _, values in transfer.read_records(exported, ".csv"))
    assert titles == sorted([formula, "@SUM(1+1)"])


# -- item 10: a click on a cancelled event's button is answered -----------------------------------
async def test_rsvp_button_of_an_event_cancelled_meanwhile_is_answered(sandbox: LiaisonSandbox) -> None:
    assert sandbox.bot is not None and sandbox.guild is not None
    start = (sandbox.bot.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    created = await sandbox.slash(
        "event create", user=sandbox.users.alice, title="Border drill", start=start, timezone="UTC"
    )
    assert "created" in (created.content or "")
    [card] = [m for m in sandbox.messages(sandbox.channels.events) if m.author_id == sandbox.bot.user.id]
    event_id = int(card.buttons()[0]["custom_id"].split(":")[2])
    async with sandbox.bot.db.transaction() as session:  # cancelled by another process: card unchanged
        await events.cancel(session, sandbox.guild.id, None, event_id, sandbox.bot.clock.now())
    clicked = await sandbox.click(card, index=0, user=sandbox.users.eve)
    answer = clicked.responses[-1]
    assert answer.ephemeral and "has been cancelled" in answer.content, answer.content
    # (the fixture fails the test if the bot logged an ERROR)


# -- item 11: /me export after losing the moderator role ---------------------------------------
async def test_export_after_losing_the_moderator_role_lists_no_amber(sandbox: LiaisonSandbox) -> None:
    frida = sandbox.add_member("frida", roles=[sandbox.roles.moderators])
    await _add(sandbox, user=frida, title=AMBER_TITLE, url=AMBER_URL, label="TLP:AMBER")
    await _add(sandbox, user=frida, title="Open guide", url="https://example.org/open")
    before = await sandbox.slash("me export", user=frida)
    assert AMBER_TITLE in _seen(before)
    assert sandbox.guild is not None
    sandbox.guild.members[frida.id].roles.clear()
    after = await sandbox.slash("me export", user=frida)
    assert after.ephemeral and "Open guide" in _seen(after)
    assert AMBER_TITLE not in _seen(after) and AMBER_URL not in _seen(after)


# -- item 5: erasure ----------------------------------------------------------------------------
QUESTION = "Who calibrated the Quixotrelle spectrometer?"
DETAILS = "Our Zanzibrook lab keeps drifting"
REJECTED = "Flumberwick field manual"


async def _rows(sandbox: LiaisonSandbox) -> list[tuple[str, Any]]:
    """Every value of every table: the models' and, on SQLite, every other table too (the
    full-text indexes' shadow tables)."""
    assert sandbox.bot is not None
    found: list[tuple[str, Any]] = []
    async with sandbox.bot.db.transaction() as session:
        names = {table.name for table in Base.metadata.sorted_tables}
        if sandbox.bot.db.dialect == "sqlite":
            listed = await session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
            names |= {name for (name,) in listed}
        for name in sorted(names):
            for row in await session.execute(text(f'SELECT * FROM "{name}"')):  # noqa: S608
                found.extend((name, value) for value in row)
    return found


def _holds(value: Any, needles: list[str], user_id: int) -> bool:
    if value is None:
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return value == user_id
    if isinstance(value, bytes):
        return (
            any(n.encode().lower() in value.lower() for n in needles) or user_id.to_bytes(8, "big") in value
        )
    shown = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    return any(needle.lower() in shown.lower() for needle in [*needles, str(user_id)])


def _file_bytes(sandbox: LiaisonSandbox) -> bytes:
    assert sandbox.bot is not None
    path = Path(sandbox.bot.db.url.split(":///", 1)[1])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


async def _ask_suggest_and_get_rejected(sandbox: LiaisonSandbox) -> Any:
    carol, alice = sandbox.users.carol, sandbox.users.alice
    asked = await sandbox.slash("ask", user=carol, question=QUESTION, details=DETAILS)
    assert asked.ephemeral and asked.error is None
    await sandbox.slash(
        "resource suggest", user=carol, **_suggestion(REJECTED, "https://example.org/flumber")
    )
    queue = await sandbox.slash("resource review", user=alice)
    modal = await sandbox.click(queue, label="Reject", user=alice)
    await sandbox.submit_modal(modal, {"Reason (sent to the member)": "Out of scope"}, user=alice)
    await sandbox.quiet()
    [thread] = [t for t in sandbox.threads(sandbox.channels.qa) if "Quixotrelle" in (t.name or "")]
    return thread


async def _delete(sandbox: LiaisonSandbox, **options: Any) -> None:
    carol = sandbox.users.carol
    prompt = await sandbox.slash("me delete", user=carol, **options)
    await sandbox.click(prompt, label="Confirm", user=carol)
    # "Done" comes once the data is erased and the bot's posts are edited.
    await sandbox.wait_for(lambda: "erased" in (prompt.content or ""), timeout=20)


def _bot_posts(sandbox: LiaisonSandbox, channel: Any) -> list[Any]:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return [m for m in sandbox.messages(channel) if m.author_id == sandbox.bot.user.id]


ANSWER = "Use the Plimsoqua method with a second detector"


async def _answer_as_expert(sandbox: LiaisonSandbox) -> Any:
    """Carol, an expert, is pinged on Eve's question; her answer is accepted."""
    assert sandbox.bot is not None and sandbox.guild is not None
    carol, eve = sandbox.users.carol, sandbox.users.eve
    data = ProfileInput("Customs", "FR", "Border monitoring", "en", "UTC", None, "members")
    async with sandbox.bot.db.transaction() as session:
        await experts.register(
            session, sandbox.guild.id, carol.id, data, consent_text="ok", now=sandbox.bot.clock.now()
        )
    await sandbox.slash(
        "ask", user=eve, question="How to adjudicate a portal alarm?", topic="border monitoring"
    )
    [thread] = [t for t in sandbox.threads(sandbox.channels.qa) if "portal alarm" in (t.name or "")]
    await sandbox.send_message(thread, ANSWER, user=carol)
    solved = await sandbox.slash("qa solved", user=eve, channel=thread)
    assert "Plimsoqua" in _seen(solved)
    assert any(str(carol.id) in _message_text(m) for m in _bot_posts(sandbox, thread))
    return thread


@pytest.mark.engines  # erasure down to what each engine stores
async def test_erase_leaves_nothing_tied_to_the_member(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    thread = await _ask_suggest_and_get_rejected(sandbox)
    answered = await _answer_as_expert(sandbox)
    review_posts = _bot_posts(sandbox, sandbox.channels.review)
    assert any(str(carol.id) in m.content and REJECTED in m.content for m in review_posts)
    await _delete(sandbox, qa_text="erase")

    needles = [QUESTION, DETAILS, REJECTED, "Quixotrelle", "Zanzibrook", "Flumberwick", "Plimsoqua"]
    posts = [*_bot_posts(sandbox, sandbox.channels.review), *_bot_posts(sandbox, thread)]
    for message in [*posts, *_bot_posts(sandbox, answered)]:
        shown = _message_text(message)
        assert str(carol.id) not in shown and not any(n in shown for n in needles), shown
    assert "Quixotrelle" not in (sandbox.world.channels[thread.id].name or "")
    left = [(table, value) for table, value in await _rows(sandbox) if _holds(value, needles, carol.id)]
    assert left == []
    assert sandbox.bot is not None
    if sandbox.bot.db.dialect == "sqlite":
        raw = _file_bytes(sandbox).lower()
        assert [n for n in needles if n.lower().encode() in raw] == []
        assert str(carol.id).encode() not in raw and carol.id.to_bytes(8, "big") not in raw


@pytest.mark.engines  # erasure down to what each engine stores
async def test_keep_leaves_the_question_as_from_a_former_member(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    thread = await _ask_suggest_and_get_rejected(sandbox)
    await _delete(sandbox)
    [starter, *_] = _bot_posts(sandbox, thread)
    shown = _message_text(starter)
    assert str(carol.id) not in shown and "former member" in shown and "Quixotrelle" in shown
    for message in _bot_posts(sandbox, sandbox.channels.review):
        assert str(carol.id) not in message.content and REJECTED not in message.content
    needles = [REJECTED, "Flumberwick"]
    assert [(t, v) for t, v in await _rows(sandbox) if _holds(v, needles, carol.id)] == []
    searched = await sandbox.slash("qa search", user=sandbox.users.eve, query="Quixotrelle")
    assert str(carol.id) not in _seen(searched)


async def test_erasure_edits_reminder_posts_that_mentioned_the_member(sandbox: LiaisonSandbox) -> None:
    """Eve's DMs are closed: the reminder in the events channel mentions her, until she erases."""
    assert sandbox.bot is not None
    eve = sandbox.users.eve
    start = (sandbox.bot.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    await sandbox.slash(
        "event create",
        user=sandbox.users.alice,
        title="Border drill",
        start=start,
        timezone="UTC",
        reminders="1h",
    )
    [card] = _bot_posts(sandbox, sandbox.channels.events)
    await sandbox.click(card, index=0, user=eve)
    await sandbox.advance(timedelta(days=2) - timedelta(hours=1) + timedelta(seconds=5))
    [reminder] = [m for m in _bot_posts(sandbox, sandbox.channels.events) if "⏰" in m.content]
    assert f"<@{eve.id}>" in reminder.content
    prompt = await sandbox.slash("me delete", user=eve)
    await sandbox.click(prompt, label="Confirm", user=eve)
    await sandbox.wait_for(lambda: "erased" in (prompt.content or ""), timeout=20)
    assert str(eve.id) not in reminder.content and "Border drill" in reminder.content
