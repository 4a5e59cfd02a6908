"""The layers stay visible: an import that crosses a boundary the wrong way fails the suite.

- services, the database layer and the core's plain modules never import discord;
- the product (``bot/`` outside ``bot/sandbox/``, and ``cogs/``) never imports the sandbox, except
  the command line's lazily loaded ``sandbox`` command;
- cogs never import APScheduler (background work goes through ``bot.runtime``);
- cogs never import SQLAlchemy or the ORM models: they call services with plain values (issue #16);
- cogs never open a transaction: a service owns its unit of work (``bot.db.unit.unit_of_work``), and
  a cog calls it with ``bot.db``.

Imports are read from the source (``ast``), including imports inside functions, so a lazy import
cannot slip past.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

NO_DISCORD = (
    "bot/services",
    "bot/db",
    "bot/clock.py",
    "bot/errors.py",
    "bot/timeutil.py",
    "bot/delivery.py",
    "bot/runtime.py",
    "bot/ics.py",
    "bot/backup.py",
    "bot/documents",
)
NO_DATABASE_IN_COGS = ("sqlalchemy", "bot.db.models")
SANDBOX_ALLOWED = {"bot/cli.py"}


def imported_modules(source: str) -> set[str]:
    """Every module named by an import statement anywhere in ``source``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def crosses(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


def violations() -> list[str]:
    """Each wrong import as ``path: module``, for the whole tree."""
    found: list[str] = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("cogs/**/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        modules = imported_modules(path.read_text(encoding="utf-8"))
        found.extend(f"{rel}: {m}" for m in layer_violations(rel, modules))
    return found


def layer_violations(rel: str, modules: set[str]) -> list[str]:
    """The modules that ``rel`` may not import."""
    wrong: list[str] = []
    if rel.startswith(NO_DISCORD):
        wrong += crosses(modules, ("discord",))
    if not rel.startswith("bot/sandbox/") and rel not in SANDBOX_ALLOWED:
        wrong += crosses(modules, ("bot.sandbox",))
    if rel.startswith("cogs/"):
        wrong += crosses(modules, ("apscheduler",))  # background work goes through bot.runtime
        wrong += crosses(modules, NO_DATABASE_IN_COGS)
    return wrong


def test_no_import_crosses_a_layer() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("bot/services/x.py", "import discord\n", ["discord"]),
        ("bot/db/x.py", "def f():\n    from discord import ui\n", ["discord", "discord.ui"]),
        ("cogs/new.py", "from bot.db.models import Resource\n", ["bot.db.models", "bot.db.models.Resource"]),
        ("cogs/new.py", "from sqlalchemy import select\n", ["sqlalchemy", "sqlalchemy.select"]),
        ("bot/ui/x.py", "from bot.sandbox import world\n", ["bot.sandbox", "bot.sandbox.world"]),
        ("cogs/events/_announce.py", "import apscheduler\n", ["apscheduler"]),
        ("bot/services/x.py", "from bot.errors import Invalid\n", []),
    ],
)
def test_a_deliberately_wrong_import_is_caught(rel: str, source: str, expected: list[str]) -> None:
    assert layer_violations(rel, imported_modules(source)) == expected


def opened_transactions(source: str) -> list[int]:
    """Lines where ``source`` calls something's ``transaction()`` (``db.transaction()``)."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"transaction", "sessions"}
    )


def test_no_cog_opens_a_transaction() -> None:
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in sorted(ROOT.glob("cogs/**/*.py"))
        for line in opened_transactions(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("async def f(bot):\n    async with bot.db.transaction() as session:\n        pass\n", [2]),
        ("async def f(bot):\n    async with self.bot.db.sessions() as s:\n        pass\n", [2]),
        ("async def f(bot):\n    return await search(bot.db, 'x')\n", []),
    ],
)
def test_a_transaction_opened_in_a_cog_is_caught(source: str, expected: list[int]) -> None:
    assert opened_transactions(source) == expected
