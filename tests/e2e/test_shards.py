"""Three `liaison run` processes, one shard each, on one PostgreSQL database and the sandbox:
1,000 reminders fall due within 15 seconds, one process is killed (SIGKILL) in the middle, and
every member still gets their reminder exactly once."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.db.models.events import CLAIMED, PENDING, SENT, Delivery, Reminder
from bot.sandbox.driver import Sandbox
from bot.sandbox.harness import spawn_liaison
from bot.sandbox.server_gateway import Session
from bot.sandbox.world import ChannelType, User
from bot.services import reminders
from tests.databases import PostgresDatabases

pytestmark = pytest.mark.serial  # three processes and a timed window: alone, not beside other tests

SHARDS = 3
REMINDERS = 1_000
CLAIM_TIMEOUT_SECONDS = 4
# When the reminders fall due, in seconds after they are planned: planned once every process is
# connected (the processes learn of them by polling the shared database, every third of the
# claim timeout), so the window needs no margin for the processes' start.
DUE_FROM, DUE_SPREAD = 3, 15


async def _spawn(sandbox: Sandbox, db_url: str, shard: int, log: Path) -> asyncio.subprocess.Process:
    return await spawn_liaison(
        sandbox,
        db_url,
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
        LIAISON_SHARD_COUNT=str(SHARDS),
        LIAISON_SHARD_IDS=str(shard),
        LIAISON_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS),
    )


async def _plan(db_url: str, guild_id: int, members: list[User]) -> None:
    """1,000 personal reminders (through the service), due 3 to 18 seconds from now."""
    database = Database(db_url)
    start = datetime.now(UTC)
    rng = random.Random(7)
    async with database.transaction() as session:
        for member in members:
            due_in = timedelta(seconds=DUE_FROM + DUE_SPREAD * rng.random())
            # "in 10m" said 10 minutes minus the delay ago: due at start + due_in.
            said_at = start + due_in - timedelta(minutes=10)
            await reminders.remind(session, guild_id, member.id, "10m", "Check the RPM log", said_at)
    await database.dispose()


async def _holding_claims(db_url: str, logs: Path) -> int:
    """The shard whose process holds claims right now (read from the database; each process logs
    the id it claims under)."""
    owners: dict[str, int] = {}
    for shard in range(SHARDS):
        match = re.search(
            r"claiming as ([0-9a-f]{32})", (logs / f"shard{shard}.log").read_text(errors="replace")
        )
        assert match, f"shard {shard} did not log its claim id"
        owners[match.group(1)] = shard
    database = Database(db_url)
    deadline = time.monotonic() + 30.0
    try:
        while time.monotonic() < deadline:
            async with database.transaction() as session:
                holders = set(
                    await session.scalars(select(Delivery.claimed_by).where(Delivery.state == CLAIMED))
                )
            for holder in holders:
                if holder in owners:
                    return owners[holder]
            await asyncio.sleep(0.01)
    finally:
        await database.dispose()
    raise TimeoutError("no process was holding claims")


async def _settled(db_url: str, within: float) -> None:
    """Wait until no reminder or delivery is pending or claimed."""
    database = Database(db_url)
    deadline = time.monotonic() + within
    try:
        while True:
            async with database.transaction() as session:
                open_deliveries = await session.scalar(
                    select(func.count()).where(Delivery.state.in_([PENDING, CLAIMED]))
                )
                open_reminders = await session.scalar(
                    select(func.count()).where(Reminder.state.in_([PENDING, CLAIMED]))
                )
            if not open_deliveries and not open_reminders:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"still open: {open_deliveries} deliveries, {open_reminders} reminders")
            await asyncio.sleep(0.25)
    finally:
        await database.dispose()


def _dms(sandbox: Sandbox) -> Counter[int]:
    """Reminder DMs received, per member."""
    world = sandbox.world
    received: Counter[int] = Counter()
    for message in world.messages.values():
        channel = world.channels[message.channel_id]
        if channel.type == ChannelType.DM and message.author_id == world.bot.id:
            received[channel.recipients[0]] += 1
    return received


async def test_three_processes_one_killed_every_reminder_once(
    postgres_databases: PostgresDatabases, tmp_path: Path
) -> None:
    db_url = await postgres_databases.fresh()
    sandbox = await Sandbox.start()
    sandbox.server.latency = 0.1  # sends take a while: the process killed has some in flight
    processes: list[asyncio.subprocess.Process] = []
    try:
        assert sandbox.guild is not None
        members = [sandbox.add_member(f"officer{i}") for i in range(REMINDERS)]
        for shard in range(SHARDS):
            processes.append(await _spawn(sandbox, db_url, shard, tmp_path / f"shard{shard}.log"))
        gateway = sandbox.server.gateway
        await sandbox.wait_for(lambda: len(gateway.live_sessions) >= SHARDS, timeout=60)
        assert sorted(s.shard for s in gateway.live_sessions) == [(i, SHARDS) for i in range(SHARDS)]
        await _plan(db_url, sandbox.guild.id, members)

        await sandbox.wait_for(lambda: sum(_dms(sandbox).values()) >= REMINDERS // 3, timeout=90)
        victim = processes[await _holding_claims(db_url, tmp_path)]
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        delivered_at_kill = sum(_dms(sandbox).values())

        await sandbox.wait_for(lambda: sum(_dms(sandbox).values()) >= REMINDERS, timeout=120)
        # The killed process's last claims (sent, never settled) are taken over once older than
        # the timeout, at a survivor's next poll: once every delivery is settled, nothing more
        # can be sent, so the count of DMs is final.
        all_shown = time.monotonic()
        await _settled(db_url, within=90)
        settle_seconds = time.monotonic() - all_shown
        received = _dms(sandbox)
        assert delivered_at_kill < REMINDERS, "the kill came after everything was delivered"
        assert set(received) == {member.id for member in members}
        assert set(received.values()) == {1}, "some member got a reminder twice"

        database = Database(db_url)
        async with database.transaction() as session:
            states = dict(
                (await session.execute(select(Reminder.state, func.count()).group_by(Reminder.state))).all()
            )
            delivery_states = dict(
                (await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))).all()
            )
            owners = await session.scalar(select(func.count(func.distinct(Delivery.claimed_by))))
            taken_over = await session.scalar(select(func.count()).where(Delivery.attempts > 1))
        await database.dispose()
        posts = Counter(r.path for r in sandbox.requests if r.method == "POST" and "/messages" in r.path)
        print(  # figures for the closing note, shown with -s
            f"delivered before the kill: {delivered_at_kill}; claimed again after it: {taken_over}; "
            f"DM posts {sum(posts.values())} for {REMINDERS} reminders; processes that sent: {owners}; "
            f"all settled {settle_seconds:.1f} s after the last DM was shown"
        )
        assert states == {SENT: REMINDERS}
        assert delivery_states == {SENT: REMINDERS}
        assert owners is not None and owners >= 2  # the work was shared
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
        await sandbox.close()
    logs = "\n".join((tmp_path / f"shard{i}.log").read_text(errors="replace") for i in range(SHARDS))
    assert "Traceback" not in logs.replace("KeyboardInterrupt", ""), logs[-4000:]


async def test_a_shard_sees_only_its_own_servers() -> None:
    """The sandbox follows Discord's rule, so that sharded tests mean something."""
    sandbox = await Sandbox.start()
    try:
        assert sandbox.guild is not None
        owner = (sandbox.guild.id >> 22) % 2
        mine = Session(id="a", intents=0, shard=(owner, 2))
        other = Session(id="b", intents=0, shard=(1 - owner, 2))
        assert mine.owns(sandbox.guild.id) and not other.owns(sandbox.guild.id)
        assert Session(id="c", intents=0, shard=(0, 2)).owns(None)  # DMs: shard 0
    finally:
        await sandbox.close()
