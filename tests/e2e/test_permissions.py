"""The permission matrix: every moderator-only command, called by a plain member (in English and
in French) with every option filled, is refused ephemerally in the member's language and changes
nothing at all in the database (every table dumped before and after, full-text tables included).

The list comes from the contract (commands marked (M) in /work/shared/interface.md, or the copy
beside this repository) and from the bot's own tree (every command guarded by
``moderator_only``), so a moderator command added later is covered too.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import i18n
from bot.sandbox.commands import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    USER,
)
from bot.sandbox.harness import LiaisonSandbox
from tests.e2e.robustness import Leaf, diff_dumps, dump_database, leaves
from tests.e2e.test_hostile import GOOD

CONTRACT_PATHS = (Path("/work/shared/interface.md"), Path(__file__).parents[2] / "docs" / "interface.md")
# Kept in step with the contract, for a checkout where the shared file is not present.
FALLBACK = [
    "resource add", "resource review", "resource edit", "resource remove", "expert verify",
    "event create", "event edit", "event cancel", "liaison setup", "liaison stats", "liaison audit",
]  # fmt: skip


def contract_moderator_commands() -> list[str]:
    for path in CONTRACT_PATHS:
        if path.exists():
            rows = re.findall(r"^\| `/([a-z ]+)` \(M\)", path.read_text(encoding="utf-8"), re.M)
            if rows:
                return rows
    return FALLBACK


def guarded_by_moderator_only(sandbox: LiaisonSandbox) -> set[str]:
    """Commands of the bot's tree whose checks include ``bot.ui.checks.moderator_only``."""
    assert sandbox.bot is not None
    found = set()
    for command in sandbox.bot.tree.walk_commands():
        checks = getattr(command, "checks", [])
        if any(check.__qualname__.startswith("moderator_only.") for check in checks):
            found.add(command.qualified_name)
    return found


async def seed_targets(sandbox: LiaisonSandbox) -> None:
    """A resource, a suggestion and an event for the refused commands to aim at."""
    users = sandbox.users
    await sandbox.slash(
        "resource add",
        user=users.alice,
        title="Portal guide",
        url="https://example.org/portal",
        description="Steps.",
        tags="border",
    )
    await sandbox.slash(
        "resource suggest",
        user=users.carol,
        title="Dosimetry primer",
        url="https://example.org/dose",
        description="Basics.",
        tags="dosimetry",
    )
    names = {leaf.name for leaf in leaves(sandbox.commands)}
    if "event create" in names:
        assert sandbox.bot is not None
        start = (sandbox.bot.clock.now() + timedelta(days=10)).strftime("%Y-%m-%d 09:00")
        await sandbox.slash(
            "event create", user=users.alice, title="Workshop", start=start, timezone="UTC", capacity=5
        )


async def full_options(sandbox: LiaisonSandbox, leaf: Leaf) -> dict[str, Any]:
    """A value for every option, real targets where autocomplete offers them."""
    values: dict[str, Any] = {}
    for option in leaf.options:
        name, kind = option["name"], option["type"]
        if option.get("choices"):
            values[name] = option["choices"][-1]["value"]
        elif option.get("autocomplete"):
            offered = await sandbox.autocomplete(leaf.name, name, "", user=sandbox.users.alice)
            values[name] = str(offered[0]["value"]) if offered else GOOD.get(name, "1")
        elif kind == STRING:
            values[name] = GOOD.get(name, "something")
        elif kind in (INTEGER, NUMBER):
            values[name] = option.get("min_value", 1)
        elif kind == BOOLEAN:
            values[name] = True
        elif kind == ATTACHMENT:
            values[name] = ("file.yaml", b"title: T\n")
        elif kind in (USER, MENTIONABLE):
            values[name] = sandbox.users.dmitri
        elif kind == ROLE:
            values[name] = sandbox.roles.everyone
        elif kind == CHANNEL:
            values[name] = (
                sandbox.channels.general if 0 in option.get("channel_types", [0]) else (sandbox.channels.qa)
            )
    return values


async def assert_refused_and_unchanged(sandbox: LiaisonSandbox, name: str) -> None:
    leaf = next(leaf for leaf in leaves(sandbox.commands) if leaf.name == name)
    options = await full_options(sandbox, leaf)
    for member, language in ((sandbox.users.carol, "en"), (sandbox.users.bruno, "fr")):
        before = await dump_database(sandbox)
        result = await sandbox.slash(name, user=member, values=options)
        after = await dump_database(sandbox)
        where = f"/{name} as {member.name}"
        assert result.error is None, where
        assert result.ephemeral, f"{where}: refusal shown to everyone: {result.content!r}"
        assert result.content == i18n.t(language, "error.moderators_only"), where
        assert all(m.ephemeral for m in result.responses), where
        assert diff_dumps(before, after) == {}, f"{where} changed the database"


@pytest.mark.parametrize("name", contract_moderator_commands())
async def test_contract_moderator_command_refuses_members(sandbox: LiaisonSandbox, name: str) -> None:
    synced = {leaf.name for leaf in leaves(sandbox.commands)}
    if name not in synced:
        pytest.skip(f"/{name} is not synced yet")
    assert name in guarded_by_moderator_only(sandbox), f"/{name} is not guarded by moderator_only"
    await seed_targets(sandbox)
    await assert_refused_and_unchanged(sandbox, name)


async def test_every_guarded_command_refuses_members(sandbox: LiaisonSandbox) -> None:
    """Moderator commands outside the contract's list (e.g. the glossary) are refused too."""
    extra = sorted(guarded_by_moderator_only(sandbox) - set(contract_moderator_commands()))
    await seed_targets(sandbox)
    for name in extra:
        await assert_refused_and_unchanged(sandbox, name)


async def test_a_moderator_passes_the_same_check(sandbox: LiaisonSandbox) -> None:
    """The matrix can fail: the same call by a moderator is not refused (and changes things)."""
    before = await dump_database(sandbox)
    result = await sandbox.slash("liaison setup", user=sandbox.users.alice, timezone="Asia/Phnom_Penh")
    assert result.content != i18n.t("en", "error.moderators_only")
    assert "guild_settings" in diff_dumps(before, await dump_database(sandbox))
