"""The expert directory through the sandbox, in English and French."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox.harness import LiaisonSandbox
from bot.services import audit, experts, notices


def _text(result: Any) -> str:
    return f"{result.content or ''} {result.embeds}"


async def _register(sandbox: LiaisonSandbox, user: Any, *, confirm: str = "Confirm", **options: Any) -> Any:
    values: dict[str, Any] = {
        "agency": "Customs",
        "country": "Cambodia",
        "expertise": "RIID operation, Border monitoring",
        "languages": "en, km",
        "timezone": "Asia/Phnom_Penh",
    }
    values.update(options)
    prompt = await sandbox.slash("expert register", user=user, **values)
    assert prompt.ephemeral, prompt.content
    await sandbox.click(prompt, label=confirm, user=user)
    return prompt


async def test_register_asks_consent_then_shows_the_profile(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    prompt = await sandbox.slash(
        "expert register",
        user=carol,
        agency="Customs",
        country="KHM",
        expertise="RIID operation",
        languages="English, km",
    )
    assert prompt.ephemeral and "I agree that Liaison stores my expert profile" in (prompt.content or "")
    await sandbox.click(prompt, label="Confirm", user=carol)
    shown = _text(prompt)
    assert "Your expert profile is saved" in shown and "Cambodia (KH)" in shown and "Khmer" in shown
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        data = await experts.export_member(session, sandbox.guild.id, carol.id)
    assert data["profile"]["consent"]["text"].startswith("I agree")


async def test_register_refuses_bad_input_before_asking(sandbox: LiaisonSandbox) -> None:
    result = await sandbox.slash(
        "expert register",
        user=sandbox.users.carol,
        agency="X",
        country="Atlantis",
        expertise="a",
        languages="en",
    )
    assert result.ephemeral and "Atlantis" in (result.content or "") and not result.components
    french = await sandbox.slash(
        "expert register",
        user=sandbox.users.bruno,
        agency="X",
        country="FR",
        expertise="a",
        languages="klingon",
    )
    assert french.ephemeral and "Je ne connais pas la langue" in (french.content or "")


async def test_cancelled_consent_creates_nothing(sandbox: LiaisonSandbox) -> None:
    await _register(sandbox, sandbox.users.carol, confirm="Cancel")
    result = await sandbox.slash("expert profile", user=sandbox.users.carol)
    assert result.ephemeral and "You have no expert profile" in (result.content or "")


async def test_french_member_registers_updates_and_leaves(sandbox: LiaisonSandbox) -> None:
    bruno = sandbox.users.bruno
    prompt = await _register(sandbox, bruno, confirm="Confirmer", country="Allemagne", languages="français")
    assert "profil d'expert est enregistré" in _text(prompt) and "Allemagne (DE)" in _text(prompt)
    updated = await sandbox.slash(
        "expert update", user=bruno, bio="Douanier @everyone", visibility="verified"
    )
    assert updated.ephemeral and "mis à jour" in (updated.content or "")
    assert "@everyone" not in _text(updated).replace("@\u200beveryone", "")
    leave = await sandbox.slash("expert leave", user=bruno)
    await sandbox.click(leave, label="Confirmer", user=bruno)
    assert "retiré" in (leave.content or "")
    again = await sandbox.slash("expert profile", user=bruno)
    assert "pas de profil" in (again.content or "")


async def test_find_ranks_and_respects_visibility(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    await _register(sandbox, users.carol, expertise="RIID operation")
    await _register(sandbox, users.dmitri, expertise="RIID operation, Border monitoring")
    await _register(sandbox, users.eve, expertise="RIID operation", visibility="verified")
    found = await sandbox.slash("expert find", user=users.bruno, expertise="riid, border")
    assert found.ephemeral
    text = _text(found)
    assert text.index(f"<@{users.dmitri.id}>") < text.index(f"<@{users.carol.id}>")
    assert f"<@{users.eve.id}>" not in text
    as_moderator = await sandbox.slash("expert find", user=users.alice, country="Cambodge")
    assert f"<@{users.eve.id}>" in _text(as_moderator)
    hidden = await sandbox.slash("expert profile", user=users.bruno, member=users.eve)
    assert hidden.ephemeral and "que vous puissiez voir" in (hidden.content or "")
    nothing = await sandbox.slash("expert find", user=users.carol, agency="Interpol")
    assert nothing.ephemeral and "No expert matches" in (nothing.content or "")


async def test_verify_is_moderator_only_audited_and_expires(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    await _register(sandbox, users.carol)
    refused = await sandbox.slash("expert verify", user=users.carol, member=users.carol)
    assert refused.ephemeral and "moderators" in (refused.content or "").lower()
    done = await sandbox.slash("expert verify", user=users.alice, member=users.carol, months=1)
    assert done.ephemeral and "verified until" in (done.content or "")
    profile = await sandbox.slash("expert profile", user=users.bruno, member=users.carol)
    assert "Vérifié jusqu'au" in _text(profile)
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        lines = await audit.recent(session, sandbox.guild.id, actor_id=users.alice.id)
    assert [line.action for line in lines] == ["expert.verify"]
    await sandbox.advance(timedelta(days=25))
    await sandbox.wait_for(lambda: sandbox.dms(users.carol))
    assert "ends on" in sandbox.dms(users.carol)[-1].content
    await sandbox.advance(timedelta(days=1))
    assert len(sandbox.dms(users.carol)) == 1
    await sandbox.advance(timedelta(days=10))
    profile = await sandbox.slash("expert profile", user=users.carol)
    assert "Not verified" in _text(profile)


async def test_expiry_warning_falls_back_to_a_notice(sandbox: LiaisonSandbox) -> None:
    eve = sandbox.users.eve
    await _register(sandbox, eve)
    await sandbox.slash("expert verify", user=sandbox.users.alice, member=eve, months=1)
    await sandbox.advance(timedelta(days=25))
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        pending = await notices.take(session, sandbox.guild.id, eve.id)
    assert [key for key, _ in pending] == ["expert.expiry_warning"]


async def test_member_leaving_is_hidden_then_erased(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    await _register(sandbox, users.carol)
    await sandbox.remove_member(users.carol)
    await sandbox.quiet()
    found = await sandbox.slash("expert find", user=users.alice, expertise="riid")
    assert f"<@{users.carol.id}>" not in _text(found)
    await sandbox.advance(timedelta(days=31))
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        assert (await experts.export_member(session, sandbox.guild.id, users.carol.id))["profile"] is None


async def test_autocomplete(sandbox: LiaisonSandbox) -> None:
    carol, bruno = sandbox.users.carol, sandbox.users.bruno
    countries = await sandbox.autocomplete("expert register", "country", "camb", user=carol)
    assert countries[0]["value"] == "KH"
    french = await sandbox.autocomplete("expert register", "country", "allem", user=bruno)
    assert french[0]["name"].startswith("Allemagne")
    langs = await sandbox.autocomplete("expert register", "languages", "en, khm", user=carol)
    assert langs[0]["value"] == "en, km"
    areas = await sandbox.autocomplete("expert find", "expertise", "riid", user=carol)
    assert areas[0]["value"] == "RIID operation"
    zones = await sandbox.autocomplete("expert update", "timezone", "phnom", user=carol)
    assert [z["value"] for z in zones] == ["Asia/Phnom_Penh"]


async def test_verify_and_leave_in_the_other_language(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    chloe = sandbox.add_member("chloe", locale="fr", roles=[sandbox.roles.moderators])
    await _register(sandbox, carol)
    done = await sandbox.slash("expert verify", user=chloe, member=carol)
    assert done.ephemeral and "vérifié jusqu'au" in (done.content or "")
    missing = await sandbox.slash("expert verify", user=chloe, member=sandbox.users.bruno)
    assert missing.ephemeral and "pas de profil" in (missing.content or "")
    leave = await sandbox.slash("expert leave", user=carol)
    assert "cannot be undone" in (leave.content or "")
    await sandbox.click(leave, label="Confirm", user=carol)
    assert "has been removed" in (leave.content or "")
    nothing = await sandbox.slash("expert leave", user=carol)
    assert nothing.ephemeral and "You have no expert profile" in (nothing.content or "")


async def test_two_consent_prompts_create_one_profile(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    options: dict[str, Any] = {
        "agency": "Customs",
        "country": "FR",
        "expertise": "Dosimetry",
        "languages": "fr",
    }
    first = await sandbox.slash("expert register", user=carol, **options)
    second = await sandbox.slash("expert register", user=carol, **options)
    await sandbox.click(first, label="Confirm", user=carol)
    await sandbox.click(second, label="Confirm", user=carol)
    assert "already have an expert profile" in (second.content or "")
    assert "Your expert profile is saved" in (first.content or "")


async def test_moderators_curate_the_areas_offered(sandbox: LiaisonSandbox) -> None:
    alice, bruno = sandbox.users.alice, sandbox.users.bruno
    refused = await sandbox.slash("expert areas", user=bruno, add_areas="Anything")
    assert refused.ephemeral and "modérateurs" in (refused.content or "")
    shown = await sandbox.slash(
        "expert areas", user=alice, add_areas="Cargo scanning", remove_areas="Dosimetry"
    )
    assert shown.ephemeral and "updated" in (shown.content or "")
    assert "Cargo scanning" in str(shown.embeds) and "Dosimetry" not in str(shown.embeds)
    offered = await sandbox.autocomplete("expert register", "expertise", "cargo", user=bruno)
    assert [c["value"] for c in offered] == ["Cargo scanning"]
    assert await sandbox.autocomplete("expert register", "expertise", "dosim", user=bruno) == []
