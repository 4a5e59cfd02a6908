"""/me settings, export and delete through the sandbox, in English and French."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.sandbox.harness import LiaisonSandbox
from bot.services import guild_settings


async def _register(sandbox: LiaisonSandbox, user: Any, confirm: str) -> None:
    prompt = await sandbox.slash(
        "expert register",
        user=user,
        agency="ASN",
        country="FR",
        expertise="Dosimetry",
        languages="fr",
        bio="Zorglub bio",
    )
    await sandbox.click(prompt, label=confirm, user=user)


async def test_settings_change_language_and_routing(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    shown = await sandbox.slash("me settings", user=carol)
    assert shown.ephemeral and "Nothing to change" in (shown.content or "") + str(shown.embeds)
    changed = await sandbox.slash(
        "me settings",
        user=carol,
        language="fr",
        timezone="asia/phnom_penh",
        dm_reminders=False,
        qa_routing=False,
    )
    text = str(changed.embeds)
    assert changed.ephemeral and "Enregistré" in text and "Asia/Phnom_Penh" in text
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        row = await guild_settings.member(session, sandbox.guild.id, carol.id)
    assert row is not None and (row.language, row.dm_reminders, row.qa_routing) == ("fr", False, False)
    bad = await sandbox.slash("me settings", user=carol, timezone="Mars/Base")
    assert bad.ephemeral and "Mars/Base" in (bad.content or "")


async def test_export_is_an_ephemeral_json_file_of_own_data(sandbox: LiaisonSandbox) -> None:
    bruno = sandbox.users.bruno
    await _register(sandbox, bruno, "Confirmer")
    await _register(sandbox, sandbox.users.carol, "Confirm")
    result = await sandbox.slash("me export", user=bruno)
    assert result.ephemeral and "Voici tout ce que Liaison" in (result.content or "")
    [(name, data)] = result.files
    exported = json.loads(data)
    assert name.endswith(".json") and exported["user_id"] == str(bruno.id)
    assert exported["experts"]["profile"]["bio"] == "Zorglub bio"
    assert str(sandbox.users.carol.id) not in data.decode()


async def test_delete_asks_then_erases(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    await _register(sandbox, carol, "Confirm")
    cancelled = await sandbox.slash("me delete", user=carol)
    await sandbox.click(cancelled, label="Cancel", user=carol)
    assert "nothing was changed" in (cancelled.content or "")
    prompt = await sandbox.slash("me delete", user=carol)
    assert prompt.ephemeral and "cannot be undone" in (prompt.content or "")
    await sandbox.click(prompt, label="Confirm", user=carol)
    assert "erased" in (prompt.content or "")
    profile = await sandbox.slash("expert profile", user=carol)
    assert "no expert profile" in (profile.content or "")
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "member.erased")))
    assert len(entries) == 1 and entries[0].actor_id is None and str(carol.id) not in str(entries[0].details)


async def test_delete_in_french(sandbox: LiaisonSandbox) -> None:
    bruno = sandbox.users.bruno
    prompt = await sandbox.slash("me delete", user=bruno)
    assert "C'est définitif" in (prompt.content or "")
    await sandbox.click(prompt, label="Confirmer", user=bruno)
    assert "effacées" in (prompt.content or "")
