"""``python -m bot …`` / ``liaison …``: run, sandbox, db, sync, resources, backup.

Exit codes: 0 success; 2 bad usage or bad input, with a one-line message and no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bot.config import Settings, load_settings
from bot.errors import ConfigError, LiaisonError

USAGE_ERROR = 2
Handler = Callable[[argparse.Namespace, Settings], int]


class UsageError(Exception):
    """Bad usage or bad input: printed on one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse prints usage and exits 2 itself; keep 1 line
        raise UsageError(message)


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet = max(logging.WARNING, logging.getLevelName(settings.log_level))
    logging.getLogger("alembic").setLevel(quiet)
    logging.getLogger("discord.client").addFilter(_no_voice_warnings)


def _no_voice_warnings(record: logging.LogRecord) -> bool:
    """Liaison has no voice features: discord.py's warnings about voice libraries are noise."""
    return "voice will NOT be supported" not in record.getMessage()


# -- run / sync ----------------------------------------------------------------------------------
async def _serve(
    settings: Settings,
    token: str,
    *,
    force_sync: bool = False,
    sync_only: bool = False,
    stop_asked: Callable[[], bool] = lambda: False,
) -> None:
    """Run the bot until SIGINT/SIGTERM (or ``stop_asked()``, a signal that came before the loop
    took them over). A stop while logging in cancels the login; one during ``setup_hook``
    (migrations, cogs) lets it finish first; then ``close()`` shuts down in order. So a stop in
    the middle of a start ends as cleanly as a later one."""
    from bot.client import make_bot

    bot = make_bot(settings, force_sync=force_sync)
    loop = asyncio.get_running_loop()
    serving = asyncio.current_task()
    assert serving is not None
    stopping: list[asyncio.Task[None]] = []

    async def stop_serving() -> None:
        if not bot.setup_started:
            serving.cancel()  # logging in: nothing to finish
            return
        await bot.setup_finished()
        await bot.close()  # discord.py then ends ``start`` itself

    def stop() -> None:
        if not stopping:
            stopping.append(loop.create_task(stop_serving(), name="liaison-stop"))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    if stop_asked():
        stop()
    try:
        async with bot:
            if sync_only:
                await bot.login(token)  # login runs setup_hook, which syncs
                return
            await bot.start(token)
    except asyncio.CancelledError:
        if not stopping:
            raise
        serving.uncancel()
    finally:
        await bot.close()  # waits for the whole shutdown, whoever started it


@contextlib.contextmanager
def _signals_remembered() -> Iterator[Callable[[], bool]]:
    """Until the event loop takes SIGINT/SIGTERM over, remember them instead of dying (SIGTERM)
    or raising KeyboardInterrupt wherever the process is (some imports swallow it): the bot then
    stops as soon as it can, cleanly, with exit 0. The previous handlers come back afterwards."""
    asked: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda signum, _frame: asked.append(signum))
    try:
        yield lambda: bool(asked)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_even_with_stuck_threads(code: int) -> int:
    """Once the bot has shut down, make sure the process ends. A database connection whose
    opening was cancelled leaves a worker thread (not a daemon) that would keep the process
    alive for ever; it is named in a warning, and the process exits anyway."""
    stuck = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in stuck:
        thread.join(timeout=1.0)
    stuck = [t for t in stuck if t.is_alive()]
    if not stuck:
        return code
    logging.getLogger("liaison").warning(
        "exiting with %d thread(s) still open: %s", len(stuck), ", ".join(t.name for t in stuck)
    )
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    token = settings.require_token()
    setup_logging(settings)
    if hasattr(signal, "SIGUSR1"):
        # ``kill -USR1 <pid>`` prints every thread's stack to the log, without stopping the bot:
        # how an operator (or a test) sees where a process that stopped answering waits.
        faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    with _signals_remembered() as stop_asked:
        asyncio.run(_serve(settings, token, stop_asked=stop_asked))
    return _exit_even_with_stuck_threads(0)


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    token = settings.require_token()
    setup_logging(settings)
    asyncio.run(_serve(settings, token, force_sync=True, sync_only=True))
    print("slash commands synced")
    return 0


# -- db ------------------------------------------------------------------------------------------
async def _db(settings: Settings, action: str, revision: str | None) -> str | None:
    from bot.db import Database, migrate

    db = Database(settings.database_url)
    try:
        if action == "upgrade":
            return await migrate.upgrade(db.engine, revision or "head")
        if action == "downgrade":
            assert revision is not None
            known = migrate.known_revisions() | {"base"}
            if revision not in known and not revision.startswith("-"):
                raise UsageError(f"unknown revision {revision!r} (known: {', '.join(sorted(known))})")
            return await migrate.downgrade(db.engine, revision)
        return await migrate.current(db.engine)
    finally:
        await db.dispose()


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    revision = asyncio.run(_db(settings, args.action, getattr(args, "revision", None)))
    print(f"database at revision {revision or 'base (empty)'}")
    return 0


# -- backup --------------------------------------------------------------------------------------
def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backup import backup

    written = backup(settings, args.path)
    print(f"backup written to {args.path} ({written})")
    return 0


# -- parser --------------------------------------------------------------------------------------
CORE_COMMANDS = ("run", "sync", "db", "backup")
FEATURE_COMMANDS = {
    "sandbox": "bot.sandbox.cli",
    "resources": "bot.cli_resources",
    "transfer": "bot.cli_transfer",
    "exercise": "bot.cli_exercises",
    "course": "bot.cli_course",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; feature commands are imported only when asked for (or for help)."""
    parser = _Parser(prog="liaison", description="Liaison, the R/N practitioners' Discord bot")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.add_parser("run", help="connect to Discord and serve (default)").set_defaults(handler=cmd_run)
    sub.add_parser("sync", help="push slash-command definitions now").set_defaults(handler=cmd_sync)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="action", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="upgrade to the latest revision").set_defaults(handler=cmd_db)
    down = db_sub.add_parser("downgrade", help="downgrade to REV (or 'base')")
    down.add_argument("revision")
    down.set_defaults(handler=cmd_db)
    db_sub.add_parser("current", help="show the current revision").set_defaults(handler=cmd_db)

    backup = sub.add_parser("backup", help="consistent copy of the database (SQLite backup or pg_dump)")
    backup.add_argument("path")
    backup.set_defaults(handler=cmd_backup)

    wanted = argv[0] if argv else "run"
    for register in _feature_commands(None if wanted not in CORE_COMMANDS else wanted):
        register(sub)
    return parser


def _feature_commands(wanted: str | None) -> list[Callable[[Any], None]]:
    """CLI commands that live with their feature (sandbox, resources), when present.

    Importing them is not free (the sandbox pulls in its server): a core command skips them.
    """
    found = []
    for name, module_name in FEATURE_COMMANDS.items():
        if wanted is not None and wanted != name:
            continue
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        found.append(module.register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(arguments)
        args = parser.parse_args(arguments)
        handler: Handler = getattr(args, "handler", cmd_run)
        settings = load_settings()
        return handler(args, settings)
    except (UsageError, ConfigError, LiaisonError) as exc:
        print(f"liaison: {_one_line(exc)}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 0


def _one_line(exc: Exception) -> str:
    if isinstance(exc, LiaisonError):
        from bot import i18n

        return i18n.t("en", exc.key, **exc.params).replace("`", "")
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
