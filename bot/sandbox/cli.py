"""``python -m bot sandbox [--db PATH] [--script FILE] [--no-seed]``: the real bot against a local
Discord-compatible server, with a console (or a scripted session whose transcript goes to stdout).

The sandbox's world (server, channels, members, messages) lives in memory and is new on every run;
the database is kept. So that a database kept between runs still points at the same server,
channels, roles and members, the seeded world gets the same ids on every run (``StableWorld``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.sandbox.world import DISCORD_EPOCH_MS, World

if TYPE_CHECKING:  # imported when the command runs: `python -m bot …` discovers this module
    from bot.config import Settings
    from bot.sandbox.console import Console
    from bot.sandbox.harness import LiaisonSandbox

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


async def _forget_command_sync(url: str) -> None:
    """The world is new on every run, so the bot must sync its commands again: forget the hash
    of the last sync. (A fresh database has none; the bot migrates it when it starts.)"""
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1]) if ":///" in url else None
        if path is None or not path.exists():
            return
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bot_state'").fetchone():
                conn.execute("DELETE FROM bot_state WHERE key LIKE 'command_hash:%'")
        return
    from sqlalchemy import delete
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import Database
    from bot.db.models import BotState

    db = Database(url)
    try:
        async with db.transaction() as session:
            await session.execute(delete(BotState).where(BotState.key.like("command_hash:%")))
    except SQLAlchemyError:
        log.debug("no bot_state table yet: nothing to forget")
    finally:
        await db.dispose()


async def open_sandbox(url: str, *, seed: bool = True) -> tuple[LiaisonSandbox, Counter[str] | None]:
    """The sandbox server (on 127.0.0.1, a free port), Liaison started against it, and the sample
    data written when the database is fresh. Returns the sandbox and what was seeded (or None)."""
    from bot.sandbox import seed as sample
    from bot.sandbox.harness import LiaisonSandbox
    from bot.sandbox.server import SandboxServer

    await _forget_command_sync(url)
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
    from discord.ext.commands import ExtensionError

    from bot.sandbox.console import Console

    started = time.monotonic()
    try:
        sandbox, seeded = await open_sandbox(url, seed=seed)
    except (TimeoutError, OSError, ExtensionError) as exc:
        log.error("the sandbox could not start", exc_info=exc)
        print(f"liaison: the sandbox could not start: {exc}", file=sys.stderr)
        return 1
    try:
        console = Console(sandbox, out)
        if seeded is None:  # what the bot posted as it started (late reminders…), not the samples
            console.seen = 0
        console.banner(db_label or url, seeded, time.monotonic() - started)
        source = lines if lines is not None else stdin_lines(console, interactive=interactive)
        await console.run(source, echo=not interactive)
    finally:
        await sandbox.close()
    if lines is not None and console.failures:
        print(
            f"liaison: {console.failures} script lines could not be run (see the transcript)", file=sys.stderr
        )
        return 1
    return 0


async def stdin_lines(console: Console, *, interactive: bool) -> AsyncIterator[str]:
    """Lines typed in a terminal (with a prompt) or piped in; end of input ends the session.

    Each line is read by a daemon thread, so that a session ended otherwise (Ctrl-C, the bot
    failing) never waits for a line that will not come.
    """
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    loop = asyncio.get_running_loop()
    while True:
        line: asyncio.Future[str | None] = loop.create_future()
        threading.Thread(
            target=_read_line,
            args=(loop, line, console.prompt, interactive),
            daemon=True,
            name="console-input",
        ).start()
        text = await line
        if text is None:
            if interactive:
                console.print("")
            return
        yield text


def _read_line(
    loop: asyncio.AbstractEventLoop, line: asyncio.Future[str | None], prompt: str, interactive: bool
) -> None:
    text: str | None
    try:
        text = input(prompt) if interactive else (sys.stdin.readline() or None)
    except EOFError:
        text = None
    with contextlib.suppress(RuntimeError):  # the loop may be gone already
        loop.call_soon_threadsafe(_deliver, line, text)


def _deliver(line: asyncio.Future[str | None], text: str | None) -> None:
    if not line.done():
        line.set_result(text)


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
    try:
        return asyncio.run(
            run_session(
                url, lines, sys.stdout, seed=not args.no_seed, interactive=interactive, db_label=str(args.db)
            )
        )
    except BrokenPipeError:  # the reader of the transcript went away (`| head`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (nothing more to write; exit quietly)
        return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="the bot against a local Discord-compatible server, with a console",
        description="Start a local Discord-compatible server on 127.0.0.1 and the real bot against "
        "it, then type slash commands as members (`help` in the console lists its commands). "
        "Example: liaison sandbox --script bot/sandbox/demo.txt",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
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
