"""The bot through the sandbox: start, sync once, settings, moderator checks, errors, shutdown."""

from __future__ import annotations

from bot.db.models import BotState
from bot.sandbox.harness import LiaisonSandbox
from bot.services import audit, guild_settings


def _syncs(sandbox: LiaisonSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "PUT" and "/commands" in r.path)


async def test_starts_syncs_once_and_not_again_on_restart(sandbox: LiaisonSandbox) -> None:
    assert sandbox.bot is not None and sandbox.bot.is_ready()
    assert _syncs(sandbox) == 1
    names = {c["name"] for c in sandbox.commands}
    assert "liaison" in names
    await sandbox.restart_bot()
    assert _syncs(sandbox) == 1
    assert sandbox.bot.synced is False
    async with sandbox.bot.db.transaction() as session:
        assert await session.get(BotState, "command_hash:global") is not None


async def test_setup_as_moderator_saves_and_audits(sandbox: LiaisonSandbox) -> None:
    result = await sandbox.slash(
        "liaison setup", user=sandbox.users.alice, language="fr", timezone="Europe/Paris", reminders="2h, 1d"
    )
    assert result.ephemeral
    assert result.embeds and "Europe/Paris" in str(result.embeds[0])
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        row = await guild_settings.get(session, sandbox.guild.id)
        lines = await audit.recent(session, sandbox.guild.id, actor_id=sandbox.users.alice.id)
    assert (row.language, row.timezone, row.reminder_offsets) == ("fr", "Europe/Paris", "1d, 2h")
    assert [line.action for line in lines] == ["settings.update"]


async def test_member_is_refused_and_nothing_changes(sandbox: LiaisonSandbox) -> None:
    for command, options in (
        ("liaison setup", {"language": "fr"}),
        ("liaison stats", {}),
        ("liaison audit", {}),
    ):
        result = await sandbox.slash(command, user=sandbox.users.carol, **options)
        assert result.ephemeral and "moderators" in result.content.lower()
    french = await sandbox.slash("liaison stats", user=sandbox.users.bruno)
    assert french.ephemeral and "modérateurs" in french.content
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        assert (await guild_settings.get(session, sandbox.guild.id)).language is None


async def test_manage_server_counts_as_moderator(sandbox: LiaisonSandbox) -> None:
    result = await sandbox.slash("liaison stats", user=sandbox.users.dmitri)
    assert result.ephemeral and result.embeds


async def test_bad_input_gets_a_localized_ephemeral_answer(sandbox: LiaisonSandbox) -> None:
    result = await sandbox.slash("liaison setup", user=sandbox.users.alice, timezone="Mars/Olympus")
    assert result.ephemeral and "Mars/Olympus" in result.content
    await sandbox.configure(language="fr")
    kenji = sandbox.add_member("kenji", locale="ja", roles=[sandbox.roles.moderators])
    french = await sandbox.slash("liaison setup", user=kenji, reminders="bientôt")
    assert french.ephemeral and "délai" in french.content


async def test_audit_lists_moderator_actions(sandbox: LiaisonSandbox) -> None:
    await sandbox.slash("liaison setup", user=sandbox.users.alice, timezone="Asia/Phnom_Penh")
    result = await sandbox.slash("liaison audit", user=sandbox.users.alice, member=sandbox.users.alice)
    assert result.ephemeral and "settings.update" in str(result.embeds)


async def test_timezone_autocomplete(sandbox: LiaisonSandbox) -> None:
    choices = await sandbox.autocomplete("liaison setup", "timezone", "phnom", user=sandbox.users.alice)
    assert [c["value"] for c in choices] == ["Asia/Phnom_Penh"]
    assert len(await sandbox.autocomplete("liaison setup", "timezone", "", user=sandbox.users.alice)) == 25


async def test_dev_guild_setting_syncs_to_that_server_only(sandbox: LiaisonSandbox) -> None:
    assert sandbox.guild is not None
    await sandbox.stop_bot()
    settings = sandbox.settings.model_copy(update={"liaison_dev_guild_id": sandbox.guild.id})
    await sandbox.start_bot(settings)
    guild_syncs = [
        r for r in sandbox.requests if r.method == "PUT" and f"/guilds/{sandbox.guild.id}/commands" in r.path
    ]
    assert len(guild_syncs) == 1
    assert any(c["name"] == "liaison" for c in sandbox.world.commands_for(sandbox.guild.id))


async def test_notices_are_handed_over_after_the_next_command(sandbox: LiaisonSandbox) -> None:
    from bot.services import notices

    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        await notices.leave(session, sandbox.guild.id, sandbox.users.dmitri.id, "audit.by", actor="Alice")
    result = await sandbox.slash("liaison stats", user=sandbox.users.dmitri)
    handed = [m for m in result.responses if "by Alice" in m.content]
    assert len(handed) == 1 and handed[0].ephemeral
    again = await sandbox.slash("liaison stats", user=sandbox.users.dmitri)
    assert not any("by Alice" in m.content for m in again.responses)
