"""The resource library through the sandbox: every /resource command, as members and moderators."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox.harness import LiaisonSandbox
from bot.services import notices
from bot.services.resources import searching

GUIDE = {
    "title": "Radiation portal monitor alarms",
    "url": "https://example.org/rpm-alarms",
    "description": "Adjudicating alarms of portal monitors at borders",
    "tags": "RPM, Border",
}


def _text(result: Any) -> str:
    return f"{result.content or ''} {result.embeds}"


async def _add(sandbox: LiaisonSandbox, **options: Any) -> Any:
    values = {**GUIDE, **options}
    result = await sandbox.slash("resource add", user=sandbox.users.alice, **values)
    assert "Added #" in (result.content or ""), result.content
    return result


async def test_moderator_adds_and_members_search_show_and_list_tags(sandbox: LiaisonSandbox) -> None:
    await _add(sandbox)
    carol = sandbox.users.carol
    found = await sandbox.slash("resource search", user=carol, query="portal monitr")
    assert not found.ephemeral
    assert "Did you mean **portal monitor**" in (found.content or "")
    assert "Radiation portal monitor alarms" in _text(found) and "TLP:GREEN" in _text(found)
    by_acronym = await sandbox.slash("resource search", user=carol, query="rpm", language="en", tag="border")
    assert "Radiation portal monitor alarms" in _text(by_acronym)
    choices = await sandbox.autocomplete("resource show", "resource", "porta", user=carol)
    assert len(choices) == 1 and choices[0]["name"].startswith("Radiation portal")
    shown = await sandbox.slash("resource show", user=carol, resource=choices[0]["value"])
    assert not shown.ephemeral and "https://example.org/rpm-alarms" in _text(shown)
    tags = await sandbox.slash("resource tags", user=carol)
    assert "`rpm`" in _text(tags) and "`border`" in _text(tags)
    tag_choices = await sandbox.autocomplete("resource search", "tag", "bor", user=carol, query="x")
    assert [c["value"] for c in tag_choices] == ["border"]


async def test_members_may_not_add_edit_or_remove(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    refused = await sandbox.slash("resource add", user=carol, **GUIDE)
    assert refused.ephemeral and "Only moderators" in (refused.content or "")
    await _add(sandbox)
    for command, options in (("resource edit", {"title": "Hacked"}), ("resource remove", {})):
        result = await sandbox.slash(command, user=carol, resource="1", **options)
        assert result.ephemeral and "Only moderators" in (result.content or "")


async def test_bad_input_is_refused_in_the_callers_language(sandbox: LiaisonSandbox) -> None:
    alice, bruno = sandbox.users.alice, sandbox.users.bruno
    bad_url = await sandbox.slash("resource add", user=alice, **{**GUIDE, "url": "ftp://example.org/x"})
    assert bad_url.ephemeral and "only http and https" in (bad_url.content or "")
    red = await sandbox.slash("resource add", user=alice, **GUIDE, label="tlp:red")
    assert red.ephemeral and "TLP:RED is refused" in (red.content or "")
    await _add(sandbox)
    duplicate = await sandbox.slash("resource suggest", user=bruno, **{**GUIDE, "title": "Encore"})
    assert duplicate.ephemeral and "déjà dans la bibliothèque : n° 1" in (duplicate.content or "")
    nothing = await sandbox.slash("resource search", user=bruno, query="zzqxv")
    assert nothing.ephemeral and "Aucune ressource" in (nothing.content or "")


async def test_amber_is_hidden_from_unverified_members_and_only_ever_ephemeral(
    sandbox: LiaisonSandbox,
) -> None:
    await _add(sandbox, label="TLP:AMBER", title="Sensitive portal deployment plan")
    carol, alice = sandbox.users.carol, sandbox.users.alice
    hidden = await sandbox.slash("resource search", user=carol, query="portal")
    assert hidden.ephemeral and "Sensitive" not in _text(hidden)
    assert await sandbox.autocomplete("resource show", "resource", "sens", user=carol) == []
    not_shown = await sandbox.slash("resource show", user=carol, resource="1")
    assert not_shown.ephemeral and "Sensitive" not in _text(not_shown)
    seen = await sandbox.slash("resource search", user=alice, query="portal")
    assert seen.ephemeral and "Sensitive portal deployment plan" in _text(seen) and "TLP:AMBER" in _text(seen)
    shown = await sandbox.slash("resource show", user=alice, resource="1")
    assert shown.ephemeral and "TLP:AMBER" in _text(shown)


async def test_everyone_in_a_description_does_not_ping(sandbox: LiaisonSandbox) -> None:
    await _add(sandbox, description="@everyone @here read this now <@&1>")
    found = await sandbox.slash("resource search", user=sandbox.users.carol, query="portal")
    assert not found.ephemeral and found.response is not None
    assert sandbox.world.mentions_that_would_ping(found.response) == set()
    assert "@everyone" not in _text(found)


async def test_review_flow_with_dm_and_notice_fallback(sandbox: LiaisonSandbox) -> None:
    carol, eve, alice = sandbox.users.carol, sandbox.users.eve, sandbox.users.alice
    thanks = await sandbox.slash("resource suggest", user=carol, **GUIDE)
    assert thanks.ephemeral and "waiting for a moderator" in (thanks.content or "")
    await sandbox.slash(
        "resource suggest",
        user=eve,
        title="Spam",
        url="https://spam.example",
        description="@everyone buy",
        tags="x",
    )
    posted = sandbox.world.channel_messages(sandbox.channels.review.id)
    assert any("New resource suggestion #1" in m.content for m in posted)
    assert all(sandbox.world.mentions_that_would_ping(m) == set() for m in posted)

    queue = await sandbox.slash("resource review", user=alice)
    assert queue.ephemeral and "Suggestion #1" in _text(queue)
    await sandbox.click(queue, label="Approve", user=alice)
    await sandbox.quiet()
    dms = sandbox.world.channel_messages(sandbox.world.dm_channel(carol).id)
    assert any("was approved" in m.content for m in dms)
    assert "Suggestion #2" in _text(queue)

    modal = await sandbox.click(queue, label="Reject", user=alice)
    await sandbox.submit_modal(modal, {"Reason (sent to the member)": "Off topic"}, user=alice)
    await sandbox.quiet()
    assert "No suggestions are waiting" in (queue.responses[-1].content or "") or "No suggestions" in _text(
        queue
    )
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        pending = await notices.take(session, sandbox.guild.id, eve.id)
    assert [key for key, _ in pending] == ["resource.outcome.rejected"]
    assert pending[0][1]["reason"] == "Off topic"
    found = await sandbox.slash("resource search", user=carol, query="portal")
    assert "Radiation portal monitor alarms" in _text(found)


async def test_edit_and_remove_with_confirmation(sandbox: LiaisonSandbox) -> None:
    await _add(sandbox)
    alice, carol = sandbox.users.alice, sandbox.users.carol
    edited = await sandbox.slash(
        "resource edit", user=alice, resource="1", title="RPM alarm adjudication", tags="rpm, alarms"
    )
    assert edited.ephemeral and "title" in (edited.content or "")
    prompt = await sandbox.slash("resource remove", user=alice, resource="RPM alarm adjudication")
    assert prompt.ephemeral
    await sandbox.click(prompt, label="Cancel", user=alice)
    assert "RPM alarm adjudication" in _text(
        await sandbox.slash("resource search", user=carol, query="alarm")
    )
    prompt = await sandbox.slash("resource remove", user=alice, resource="1")
    await sandbox.click(prompt, label="Confirm", user=alice)
    await sandbox.quiet()
    gone = await sandbox.slash("resource search", user=carol, query="alarm")
    assert gone.ephemeral and "No resource matches" in (gone.content or "")


async def test_glossary_is_editable_by_moderators(sandbox: LiaisonSandbox) -> None:
    alice, carol = sandbox.users.alice, sandbox.users.carol
    await _add(sandbox, title="ICSANT legislative assistance kit", url="https://example.org/lak", tags="law")
    listed = await sandbox.slash("resource glossary", user=alice)
    assert listed.ephemeral and "**RIID**" in _text(listed)
    refused = await sandbox.slash("resource glossary", user=carol, term="LAK", expansions="x")
    assert refused.ephemeral and "Only moderators" in (refused.content or "")
    defined = await sandbox.slash(
        "resource glossary", user=alice, term="lak", expansions="legislative assistance kit"
    )
    assert "**LAK**" in _text(defined)
    found = await sandbox.slash("resource search", user=carol, query="LAK")
    assert "ICSANT legislative assistance kit" in _text(found)
    by_expansion = await sandbox.slash(
        "resource search",
        user=carol,
        query="international convention for the suppression of acts of nuclear terrorism",
    )
    assert "ICSANT legislative assistance kit" in _text(by_expansion)


async def test_a_verified_expert_sees_amber_until_the_verification_expires(sandbox: LiaisonSandbox) -> None:
    from datetime import timedelta

    await _add(sandbox, label="TLP:AMBER", title="Sensitive portal deployment plan")
    carol, alice = sandbox.users.carol, sandbox.users.alice
    prompt = await sandbox.slash(
        "expert register",
        user=carol,
        agency="Customs",
        country="KHM",
        expertise="RIID operation",
        languages="en",
    )
    await sandbox.click(prompt, label="Confirm", user=carol)
    assert "Sensitive" not in _text(await sandbox.slash("resource search", user=carol, query="portal"))
    await sandbox.slash("expert verify", user=alice, member=carol, months=1)
    seen = await sandbox.slash("resource search", user=carol, query="portal")
    assert seen.ephemeral and "Sensitive portal deployment plan" in _text(seen)
    await sandbox.advance(timedelta(days=40))
    expired = await sandbox.slash("resource search", user=carol, query="portal")
    assert "Sensitive" not in _text(expired)


async def test_natural_questions_and_the_other_language_find_the_library(sandbox: LiaisonSandbox) -> None:
    """Several words rank every resource holding any of them, best first; a built-in term pair
    and a moderator's own pair (through /resource glossary) find the resource in the other language."""
    carol, alice = sandbox.users.carol, sandbox.users.alice
    await _add(sandbox)
    await _add(
        sandbox,
        title="Personal radiation detectors for front line officers",
        url="https://example.org/prd",
        description="Wearing a PRD and reading its alarms",
        tags="prd",
    )
    await _add(
        sandbox,
        title="Secondary inspection after a portal alarm",
        url="https://example.org/secondary",
        description="Localize the source with a handheld detector",
        tags="inspection",
    )
    question = await sandbox.slash(
        "resource search", user=carol, query="how to localize a source with a handheld after a portal alarm"
    )
    text = _text(question)
    assert "Secondary inspection after a portal alarm" in text
    assert text.index("Secondary inspection") < text.index("Radiation portal monitor alarms")
    french = await sandbox.slash("resource search", user=carol, query="détecteur personnel de rayonnement")
    assert "Personal radiation detectors for front line officers" in _text(french)
    before = await sandbox.slash("resource search", user=carol, query="contrôle de deuxième ligne")
    assert "Secondary inspection after a portal alarm" not in _text(before)
    added = await sandbox.slash(
        "resource glossary", user=alice, term="secondary inspection", expansions="contrôle de deuxième ligne"
    )
    assert added.ephemeral and "**secondary inspection**" in _text(added)
    after = await sandbox.slash("resource search", user=carol, query="contrôle de deuxième ligne")
    assert "Secondary inspection after a portal alarm" in _text(after)
    removed = await sandbox.slash("resource glossary", user=alice, term="Secondary Inspection", remove=True)
    assert removed.ephemeral
    again = await sandbox.slash("resource search", user=carol, query="contrôle de deuxième ligne")
    assert "Secondary inspection after a portal alarm" not in _text(again)


async def test_the_bots_own_changes_warm_search_memory_at_once(
    sandbox: LiaisonSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a moderator adds, edits or removes a resource, the common words are read into memory
    again right away (background work), not at the next minute's turn."""
    warmed = asyncio.Event()
    original = searching.warm

    async def warm(db: Any, guild_id: int) -> int:
        warmed.set()
        return await original(db, guild_id)

    await sandbox.quiet()  # the warming at start is done
    monkeypatch.setattr(searching, "warm", warm)
    await _add(sandbox)
    await asyncio.wait_for(warmed.wait(), 10)
    warmed.clear()
    await sandbox.slash("resource edit", user=sandbox.users.alice, resource="1", title="RPM alarms")
    await asyncio.wait_for(warmed.wait(), 10)
    warmed.clear()
    prompt = await sandbox.slash("resource remove", user=sandbox.users.alice, resource="1")
    await sandbox.click(prompt, label="Confirm", user=sandbox.users.alice)
    await asyncio.wait_for(warmed.wait(), 10)
