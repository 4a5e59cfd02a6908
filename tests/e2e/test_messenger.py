"""What Liaison sends on its own (``bot/ui/messenger.py``), seen by members: a DM in the member's
language; with their DMs closed, a notice handed over in that language at their next command;
``/ask``'s confirmation says whether experts were invited."""

from __future__ import annotations

from typing import Any

from bot.sandbox.harness import LiaisonSandbox
from bot.services import notices
from bot.ui import messenger
from tests.e2e.test_qa import PORTAL, register

REJECTED = "resource.outcome.rejected"
PARAMS = {"title": "Portal guide", "reason": "Off topic", "id": ""}


def _handed(result: Any) -> str:
    return " ".join(m.content or "" for m in result.responses)


async def test_a_dm_goes_out_in_the_members_language(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    await sandbox.slash("me settings", user=carol, language="fr")
    assert sandbox.bot is not None and sandbox.guild is not None
    sent = await messenger.dm_or_notice(sandbox.bot, sandbox.guild.id, carol.id, REJECTED, **PARAMS)
    assert sent
    [dm] = sandbox.dms(carol)
    assert "n'a pas été ajoutée" in dm.content and "Off topic" in dm.content
    async with sandbox.bot.db.transaction() as session:
        assert await notices.take(session, sandbox.guild.id, carol.id) == []


async def test_a_dm_to_closed_dms_becomes_a_notice_in_the_members_language(sandbox: LiaisonSandbox) -> None:
    eve = sandbox.users.eve  # DMs closed
    await sandbox.slash("me settings", user=eve, language="fr")
    assert sandbox.bot is not None and sandbox.guild is not None
    sent = await messenger.dm_or_notice(sandbox.bot, sandbox.guild.id, eve.id, REJECTED, **PARAMS)
    assert not sent
    assert sandbox.dms(eve) == []
    told = await sandbox.slash("resource tags", user=eve)
    handed = _handed(told)
    assert "n'a pas été ajoutée" in handed and "Motif du modérateur : Off topic" in handed
    again = await sandbox.slash("resource tags", user=eve)
    assert "Off topic" not in _handed(again)  # handed over once


async def test_the_language_known_by_the_caller_comes_after_the_members_setting(
    sandbox: LiaisonSandbox,
) -> None:
    carol, bruno = sandbox.users.carol, sandbox.users.bruno
    assert sandbox.bot is not None and sandbox.guild is not None
    guild_id = sandbox.guild.id
    assert await messenger.language(sandbox.bot, guild_id, carol.id, "fr-FR") == "fr"
    assert await messenger.language(sandbox.bot, guild_id, carol.id, "de", None, "fr") == "fr"
    await sandbox.slash("me settings", user=carol, language="en")
    assert await messenger.language(sandbox.bot, guild_id, carol.id, "fr") == "en"
    server = await messenger.server_language(sandbox.bot, guild_id)
    assert await messenger.language(sandbox.bot, guild_id, bruno.id, "de") == server


async def test_ask_says_experts_were_invited_only_when_some_were(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    alone = await sandbox.slash("ask", user=users.eve, question=PORTAL, topic="border monitoring")
    confirmation = alone.responses[-1].content or ""
    assert "No registered expert matches it yet" in confirmation
    assert "were invited" not in confirmation

    await register(sandbox, users.carol, "Dosimetry")
    routed = await sandbox.slash(
        "ask", user=users.eve, question="Which dosimeter for a first responder?", topic="dosimetry"
    )
    assert "Experts who may know were invited" in (routed.responses[-1].content or "")
