"""The benchmarks' engines: SQLite always, PostgreSQL beside it when one is at hand, figures side by side.

Where PostgreSQL comes from, the first that applies:

1. ``--postgres URL`` (``postgresql+asyncpg://user@host:port/db``; the user must be allowed to
   ``CREATE DATABASE``);
2. the environment variable ``LIAISON_BENCH_POSTGRES_URL``;
3. a throwaway cluster under a temporary folder, started with ``scripts/postgres start DIR`` when
   ``scripts/postgres find`` says PostgreSQL's server programs are installed, and stopped (folder
   removed) at the end.

Otherwise (or with ``--sqlite-only``) only SQLite is measured, and the reason is printed. The
throwaway cluster runs as ``scripts/postgres`` sets it up, with ``fsync=off`` and
``synchronous_commit=off``: its write figures are those of a server that does not wait for the disk
(SQLite runs as the bot runs it: WAL, ``synchronous=NORMAL``).

Each engine gets a fresh database migrated to head with ``bot.db.migrate.upgrade``: a file in a
temporary folder on SQLite (or the ``sqlite_path`` given), a new database created on the server on
PostgreSQL, dropped at the end. ``interleaved`` times the same call on every engine in turn (order
alternating), so that a burst of other work on a shared machine hits both engines alike, and
``Comparison`` prints p50/p95/p99 per engine and the ratio PostgreSQL/SQLite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bot.db import Database, migrate

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ENV = "LIAISON_BENCH_POSTGRES_URL"
SCRIPT = ROOT / "scripts" / "postgres"
SQLITE, POSTGRES = "SQLite", "PostgreSQL"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help=f"PostgreSQL server to compare with (default: ${POSTGRES_ENV}, else a throwaway cluster)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="measure SQLite only")


@dataclass
class Engine:
    """One engine under test: its name as printed and its fresh, migrated database."""

    name: str
    db: Database

    @property
    def postgres(self) -> bool:
        return self.db.dialect == "postgresql"

    async def settle(self) -> float:
        """After a bulk load: ``VACUUM ANALYZE`` on PostgreSQL (planner statistics, and the GIN
        pending list merged and visibility map set, as autovacuum would have done a minute after
        the load); nothing on SQLite (the bot never runs ANALYZE there). Returns the seconds it took."""
        if not self.postgres:
            return 0.0
        start = time.perf_counter()
        async with self.db.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))
        return time.perf_counter() - start


@dataclass
class Source:
    """Where PostgreSQL came from (``url`` None: not available, ``note`` says why)."""

    url: str | None
    note: str


@contextmanager
def postgres_server(option: str | None, wanted: bool = True) -> Iterator[Source]:
    """A PostgreSQL server URL for the run: given, from the environment, or a throwaway cluster."""
    if not wanted:
        yield Source(None, "--sqlite-only")
        return
    if option:
        yield Source(option, "--postgres")
        return
    if os.environ.get(POSTGRES_ENV):
        yield Source(os.environ[POSTGRES_ENV], f"${POSTGRES_ENV}")
        return
    if subprocess.run(["bash", str(SCRIPT), "find"], check=False, capture_output=True).returncode != 0:
        yield Source(None, f"no --postgres, no ${POSTGRES_ENV}, and PostgreSQL is not installed here")
        return
    folder = tempfile.mkdtemp(prefix="liaison-bench-pg.")
    try:
        started = subprocess.run(
            ["bash", str(SCRIPT), "start", folder], check=False, capture_output=True, text=True
        )
        if started.returncode != 0:
            reason = (started.stderr.strip().splitlines() or ["(no message)"])[-1]
            yield Source(None, f"scripts/postgres start failed: {reason}")
            return
        yield Source(started.stdout.strip().splitlines()[-1], f"throwaway cluster in {folder}")
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", folder], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def _postgres_database(server: str) -> AsyncIterator[Database]:
    name = f"liaison_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        db = Database(make_url(server).set(database=name).render_as_string(hide_password=False))
        try:
            await migrate.upgrade(db.engine)
            yield db
        finally:
            await db.dispose()
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def engines(args: argparse.Namespace, sqlite_path: Path | None = None) -> AsyncIterator[list[Engine]]:
    """Fresh migrated databases, SQLite first, then PostgreSQL when available (see the module).

    Prints one line saying which engines are measured (and why PostgreSQL is not, when it is not).
    """
    with tempfile.TemporaryDirectory() as folder, postgres_server(args.postgres, not args.sqlite_only) as pg:
        sqlite = Database(f"sqlite+aiosqlite:///{sqlite_path or Path(folder) / 'bench.db'}")
        try:
            await migrate.upgrade(sqlite.engine)
            found = [Engine(SQLITE, sqlite)]
            if pg.url is None:
                print(f"engines: SQLite only ({pg.note})")
                yield found
                return
            try:
                async with _postgres_database(pg.url) as db:
                    found.append(Engine(POSTGRES, db))
                    shown = make_url(pg.url).render_as_string(hide_password=True)
                    print(f"engines: SQLite, and PostgreSQL {await _version(db)} at {shown} ({pg.note})")
                    yield found
                    return
            except (OSError, sa.exc.SQLAlchemyError) as exc:
                if len(found) > 1:  # failed during the measurements: not a setup problem
                    raise
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                print(f"engines: SQLite only (PostgreSQL at {pg.url} unusable: {reason})")
            yield found
        finally:
            await sqlite.dispose()


async def _version(db: Database) -> str:
    async with db.engine.connect() as connection:
        version = await connection.scalar(sa.text("SHOW server_version"))
    return str(version).split()[0]


# -- timing ----------------------------------------------------------------------------------------
def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (nearest rank)."""
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return at(0.50), at(0.95), at(0.99)


@dataclass
class Samples:
    """Milliseconds per call: wall-clock, and CPU time of this process (the client: on SQLite that
    includes the engine itself, on PostgreSQL not the server's work)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


Work = Callable[[AsyncSession, int], Awaitable[object]]


async def interleaved(
    found: list[Engine],
    runs: int,
    work: Work,
    before: Callable[[Engine, int], Awaitable[object]] | None = None,
) -> dict[str, Samples]:
    """``work(session, i)`` for i in range(runs) on every engine, in one open session per engine;
    the engines take turns call by call (the order alternating). ``before(engine, i)``, if given,
    runs before each call, untimed (another transaction's change, say)."""
    samples = {engine.name: Samples() for engine in found}
    sessions = {engine.name: engine.db.sessions() for engine in found}
    try:
        for i in range(runs):
            for engine in found if i % 2 == 0 else reversed(found):
                if before is not None:
                    await before(engine, i)
                session = sessions[engine.name]
                wall, cpu = time.perf_counter(), time.process_time()
                await work(session, i)
                samples[engine.name].cpu.append((time.process_time() - cpu) * 1000)
                samples[engine.name].wall.append((time.perf_counter() - wall) * 1000)
    finally:
        for session in sessions.values():
            await session.close()
    return samples


async def agreement(
    found: list[Engine], runs: int, count: Callable[[AsyncSession, int], Awaitable[int]]
) -> str:
    """How many of ``runs`` calls return as many results on every engine (a check that both engines
    really search the same data; the order may differ: BM25 on SQLite, ts_rank on PostgreSQL)."""
    if len(found) < 2:
        return ""
    counts: dict[str, list[int]] = {engine.name: [] for engine in found}
    for engine in found:
        async with engine.db.sessions() as session:
            for i in range(runs):
                counts[engine.name].append(await count(session, i))
    first, *others = counts.values()
    same = sum(all(other[i] == first[i] for other in others) for i in range(runs))
    total = " / ".join(f"{name} {sum(values):,}" for name, values in counts.items())
    return f"same number of results on both engines for {same} of {runs} queries (results in all: {total})"


class Comparison:
    """Per operation, p50/p95/p99 per engine and the ratio PostgreSQL/SQLite (above 1: slower)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, dict[str, list[float]]]] = []
        self.totals: list[tuple[str, str, dict[str, float]]] = []

    def add(self, operation: str, samples: dict[str, list[float]] | dict[str, Samples]) -> None:
        self.rows.append(
            (operation, {k: v.wall if isinstance(v, Samples) else v for k, v in samples.items()})
        )

    def one_off(self, operation: str, unit: str, engine: str, value: float) -> None:
        """A one-off figure of an engine (a whole load, a first call); ``unit`` says what it is."""
        for name, _unit, values in self.totals:
            if name == operation:
                values[engine] = value
                return
        self.totals.append((operation, unit, {engine: value}))

    def get(self, operation: str, engine: str) -> list[float]:
        return next(found[engine] for name, found in self.rows if name == operation)

    def print(self) -> None:
        names = [SQLITE, POSTGRES] if any(POSTGRES in found for _, found in self.rows) else [SQLITE]
        print()
        print(f"{'operation':<42} {'engine':<12} {'p50 ms':>10} {'p95 ms':>10} {'p99 ms':>10} {'n':>6}")
        for operation, found in self.rows:
            label = operation
            for name in names:
                if name in found:
                    p = percentiles(found[name])
                    print(
                        f"{label:<42} {name:<12} {p[0]:10.3f} {p[1]:10.3f} {p[2]:10.3f} {len(found[name]):6}"
                    )
                    label = ""
            if SQLITE in found and POSTGRES in found:
                a, b = percentiles(found[SQLITE]), percentiles(found[POSTGRES])
                ratios = [f"{y / x:9.2f}x" if x > 0 else f"{'-':>10}" for x, y in zip(a, b, strict=True)]
                print(f"{'':<42} {'PG/SQLite':<12} {' '.join(ratios)}")
        if self.totals:
            print()
            header = "".join(f"{name:>14}" for name in names)
            ratio = f"{'PG/SQLite':>12}" if len(names) > 1 else ""
            print(f"{'one-off':<42} {'unit':<12}{header}{ratio}")
            for operation, unit, values in self.totals:
                cells = "".join(f"{values[name]:14.3f}" if name in values else f"{'-':>14}" for name in names)
                both = SQLITE in values and POSTGRES in values and values[SQLITE] > 0
                shown = f"{values[POSTGRES] / values[SQLITE]:11.2f}x" if both else ""
                print(f"{operation:<42} {unit:<12}{cells}{shown}")
        print()
