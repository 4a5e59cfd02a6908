"""Acknowledge first (BUG-4): every command is deferred before its database work, so a slow
database never makes an interaction miss Discord's window; and the answer keeps the visibility it
asks for whatever the deferral guessed (a refusal after a public "thinking" message is private,
a moderator's public answer after a private one is public).

The database is slowed down here (each transaction waits longer than the window, lowered for the
test); ``test_load`` does the same with 500 interactions at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.resources import ResourceSuggestion
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Interaction
from tests.e2e.robustness import CALLBACK_ROUTE

pytestmark = pytest.mark.serial  # acknowledgements timed against a 0.5 s window: alone

WINDOW = 0.5
SLOW = WINDOW + 0.1  # per transaction
GUIDE = {
    "title": "Portal monitor handbook",
    "url": "https://example.org/portal",
    "description": "Everything about portal monitors.",
    "tags": "portal",
}


def slow_database(sandbox: LiaisonSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sandbox.bot is not None
    db = sandbox.bot.db
    transaction = db.transaction

    @asynccontextmanager
    async def slow() -> AsyncIterator[AsyncSession]:
        await asyncio.sleep(SLOW)
        async with transaction() as session:
            yield session

    monkeypatch.setattr(db, "transaction", slow)
    sandbox.world.ack_window = WINDOW


def acknowledged_once_in_time(sandbox: LiaisonSandbox, inter: Interaction) -> None:
    callbacks = [r for r in sandbox.requests if r.route == CALLBACK_ROUTE and f"/{inter.id}/" in r.path]
    assert len(callbacks) == 1 and inter.ack_status == 200, (callbacks, inter.errors)
    assert inter.acked_in is not None and inter.acked_in < WINDOW, inter.acked_in
    assert not inter.thinking and not inter.updating and not inter.errors, inter.errors


async def test_slow_database_work_comes_after_the_acknowledgement(
    sandbox: LiaisonSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, carol, bruno = sandbox.users.alice, sandbox.users.carol, sandbox.users.bruno
    general = sandbox.channels.general
    await sandbox.slash("resource add", user=alice, **GUIDE)
    slow_database(sandbox, monkeypatch)

    found = await sandbox.slash("resource search", user=carol, query="portal", timeout=20)
    acknowledged_once_in_time(sandbox, found)
    assert found.ack_type == 5 and not found.ephemeral and "Portal monitor handbook" in str(found.embeds)

    settings = await sandbox.slash("me settings", user=carol, timeout=20)
    acknowledged_once_in_time(sandbox, settings)
    assert settings.ephemeral and settings.embeds

    # a private answer after a public deferral: the "thinking" message gone, the answer private
    nothing = await sandbox.slash("resource search", user=carol, query="zzqxv", timeout=20)
    acknowledged_once_in_time(sandbox, nothing)
    assert nothing.original is not None and nothing.original.deleted and not nothing.original.ephemeral
    assert nothing.ephemeral and "No resource" in (nothing.content or ""), nothing.content
    assert all(m.interaction_id != nothing.id for m in sandbox.messages(general, user=bruno))

    # an error after a public deferral: private as well
    missing = await sandbox.slash("resource show", user=carol, resource="999", timeout=20)
    acknowledged_once_in_time(sandbox, missing)
    assert missing.ephemeral and missing.content and all(m.ephemeral or m.deleted for m in missing.responses)

    # a moderator's refusal: private from the start, nothing ever shown to others
    refused = await sandbox.slash("resource add", user=carol, **{**GUIDE, "title": "Other"}, timeout=20)
    acknowledged_once_in_time(sandbox, refused)
    assert refused.ephemeral and "Only moderators" in (refused.content or "")
    assert all(m.ephemeral for m in refused.responses)

    # a public answer after a private deferral: public
    added = await sandbox.slash(
        "resource add",
        user=alice,
        **{**GUIDE, "title": "Open guide", "url": "https://example.org/open"},
        label="TLP:CLEAR",
        timeout=20,
    )
    acknowledged_once_in_time(sandbox, added)
    assert not added.ephemeral and "Added #" in (added.content or "")
    assert added.original is not None and added.original.deleted and added.original.ephemeral

    # a confirmation: the click is acknowledged at once, the prompt edited after the work
    prompt = await sandbox.slash("me delete", user=bruno, timeout=20)
    acknowledged_once_in_time(sandbox, prompt)
    assert prompt.ephemeral and prompt.components
    sandbox.deferred_update_wait = 20
    click = await sandbox.click(prompt, label="Confirmer", user=bruno, timeout=20)
    acknowledged_once_in_time(sandbox, click)
    assert click.ack_type == 6 and "effacées" in (prompt.content or "") and not prompt.components


async def test_an_interaction_acknowledged_too_late_does_not_run(
    sandbox: LiaisonSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord refusing the acknowledgement (the window passed): the command is not run, its
    write never made, and the bot logs a warning, not an error."""
    assert sandbox.bot is not None
    sandbox.world.ack_window = 0.0
    with caplog.at_level(logging.WARNING, logger="liaison.errors"):
        late = await sandbox.slash("resource suggest", user=sandbox.users.carol, **GUIDE)
        await sandbox.quiet(0.3)
    assert not late.acked and late.error is not None and late.error["code"] == 10062
    assert any("not answered" in r.getMessage() for r in caplog.records)
    async with sandbox.bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ResourceSuggestion)) == 0
