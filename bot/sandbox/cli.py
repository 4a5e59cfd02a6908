"""``python -m bot sandbox [--db PATH] [--script FILE] [--no-seed]``: the real bot against a local
Discord-compatible server, with a console (or a scripted session whose transcript goes to stdout).

The sandbox's world (server, channels, members, messages) lives in memory and is new on every run;
the database is kept. So that a database kept between runs still points at the same server,
channels, roles and members, the seeded world gets the same ids on every run (``StableWorld``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import delete

from bot.config import Settings
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import DISCORD_EPOCH_MS, World

DEFAULT_DB = Path("data/sandbox.db")
STABLE_MS = 1_735_689_600_000 - DISCORD_EPOCH_MS  # 2025-01-01: ids of the seeded world
log = logging.getLogger("liaison.sandbox")


class StableWorld(World):
    """A world whose ids are the same on every run until ``settle()`` (then time-based, as
    Discord's, and always larger than the stable ones)."""

    def __init__(self) -> None:
        self.stable = True
        super().__init__()

    def snowflake(self) -> int:
        if self.stable:
            return (STABLE_MS << 22) | (next(self._counter) & 0x3FFFFF)
        return super().snowflake()

    def settle(self) -> None:
        self.stable = False


def database_url(db: str | Path) -> str:
    text = str(db)
    if "://" in text:
        return text
    path = Path(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def _prepare_database(url: str) -> None:
    """Migrate, and forget the last command sync: the world is new, so the bot must sync again."""
    from bot.db import Database, migrate
    from bot.db.models import BotState

    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        async with db.transaction() as session:
            await session.execute(delete(BotState).where(BotState.key.like("command_hash:%")))
    finally:
        await db.dispose()


async def open_sandbox(url: str, *, seed: bool = True) -> tuple[LiaisonSandbox, Counter[str] | None]:
    """The sandbox server (on 127.0.0.1, a free port), Liaison started against it, and the sample
    data written when the database is fresh. Returns the sandbox and what was seeded (or None)."""
    from bot.sandbox import seed as sample

    await _prepare_database(url)
    world = StableWorld()
    sandbox = LiaisonSandbox(world, SandboxServer(world))
    sandbox.users["bot"] = world.bot
    sandbox._seed()
    world.settle()
    await sandbox.server.start(0)
    try:
        await sandbox.start_bot(sandbox.bot_settings(url))
        seeded = await sample.seed(sandbox) if seed and await sample.needs_seed(sandbox) else None
    except BaseException:
        await sandbox.close()
        raise
    return sandbox, seeded


async def run_session(
    url: str,
    lines: Iterable[str] | AsyncIterator[str] | None,
    out: TextIO,
    *,
    seed: bool = True,
    interactive: bool = False,
    db_label: str | None = None,
) -> int:
    """Start everything, print the banner, run the console over ``lines`` (stdin when None)."""
    from bot.sandbox.console import Console, stdin_lines

    started = time.monotonic()
    sandbox, seeded = await open_sandbox(url, seed=seed)
    try:
        console = Console(sandbox, out)
        console.banner(db_label or url, seeded, time.monotonic() - started)
        source = lines if lines is not None else stdin_lines(console, interactive=interactive)
        await console.run(source, echo=not interactive)
    finally:
        await sandbox.close()
    return 0


def _logging() -> None:
    """Warnings and errors on stderr; the transcript on stdout stays readable."""
    from bot.cli import _no_voice_warnings

    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.getLogger("discord.client").addFilter(_no_voice_warnings)


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import UsageError

    lines: list[str] | None = None
    if args.script is not None:
        try:
            lines = Path(args.script).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read script {args.script}: {exc.strerror or exc}") from None
    try:
        url = database_url(args.db)
    except OSError as exc:
        raise UsageError(f"cannot use database {args.db}: {exc.strerror or exc}") from None
    _logging()
    interactive = lines is None and sys.stdin.isatty()
    return asyncio.run(
        run_session(
            url, lines, sys.stdout, seed=not args.no_seed, interactive=interactive, db_label=str(args.db)
        )
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="the bot against a local Discord-compatible server, with a console"
    )
    parser.add_argument(
        "--db",
        default=str(DEFAULT_DB),
        help=f"SQLite file (or a database URL) kept between runs; default {DEFAULT_DB}",
    )
    parser.add_argument(
        "--script", metavar="FILE", help="run the console commands of FILE and print the transcript"
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="do not write the sample data into a fresh database"
    )
    parser.set_defaults(handler=cmd_sandbox)
