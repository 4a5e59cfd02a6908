"""Hostile input, generated: every slash command the bot synced, driven through the sandbox with
what people paste (empty, 6,000 characters, zero-width and right-to-left text, markdown, mention
injection, quotes and SQL, emoji, invalid dates and zones, URLs of other schemes) and with optional
options left out, as a member, a moderator and a French-speaking member.

Each Hypothesis example is a round: every synced command once, with drawn options (so a command
added later is covered without editing this file). Every interaction must get exactly one
acknowledgement within 3 s, log no error, answer refusals ephemerally in the member's language,
let no mention through that the command did not intend, and break no Discord limit.

``LIAISON_HOSTILE_EXAMPLES=N`` sets the rounds per persona (default 20: about 2,000 commands and
1,000 autocompletions on SQLite, and the moderator's third of that again on PostgreSQL);
``bench/hostile.sh`` runs a long one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import traceback
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from bot import i18n
from bot.client import EVENT_TASK_PREFIX
from bot.db.models import GuildSettings
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
from bot.sandbox.world import User
from bot.services import experts, guild_settings
from bot.services.experts import ProfileInput
from bot.ui.errors import message_for
from bot.ui.limits import MESSAGE, clip
from tests.e2e.conftest import ErrorLog
from tests.e2e.robustness import (
    Leaf,
    acknowledgement_problems,
    failed_requests,
    leaves,
    new_bot_messages,
    open_window,
    pieces,
    pings,
    texts_of,
    wrong_language,
)

pytestmark = pytest.mark.serial  # every answer timed against the 3 s window: alone

ROUNDS = int(os.environ.get("LIAISON_HOSTILE_EXAMPLES", "20"))
LONG_RUN = ROUNDS > 40
MAX_STRING = 6000
# Commands whose purpose is to ping people: Q&A routing mentions the chosen experts.
PINGING = {"ask": "experts"}
# Valid values, so that hostile text also reaches the code behind validation.
GOOD = {
    "title": "Portal monitor guide",
    "url": "https://example.org/guide",
    "description": "A guide.",
    "tags": "border, detection",
    "query": "portal",
    "agency": "Customs",
    "country": "FR",
    "expertise": "RIID operation",
    "languages": "en, fr",
    "timezone": "Europe/Paris",
    "bio": "Border monitoring.",
    "question": "How do you adjudicate an innocent alarm?",
    "topic": "border",
    "details": "At a border portal.",
    "agencies": "Customs",
    "start": "2026-12-01 09:00",
    "when": "in 2h",
    "what": "check the portal",
    "duration": "90m",
    "reminders": "1d, 1h",
    "location": "Phnom Penh",
    "label": "TLP:GREEN",
    "language": "en",
    "term": "RPM",
    "expansions": "radiation portal monitor",
    "repeat": "none",
    "status": "going",
}


def text_values(sandbox: LiaisonSandbox, name: str, pool: list[str]) -> st.SearchStrategy[str]:
    fragments = pieces(sandbox)
    fragment = st.sampled_from(fragments)
    mixed = st.lists(st.one_of(fragment, st.text(max_size=12)), min_size=1, max_size=6).map("".join)
    huge = st.sampled_from([f for f in fragments if f]).map(
        lambda f: (f * (MAX_STRING // len(f) + 1))[:MAX_STRING]
    )
    good = [v for v in (GOOD.get(name), *pool) if v]
    options = [fragment, mixed, huge, st.text(max_size=300)]
    if good:
        base = st.sampled_from(good)
        options += [base, st.tuples(base, mixed).map(" ".join), st.tuples(mixed, base).map(" ".join)]
    return st.one_of(options).map(lambda v: v[:MAX_STRING])


def value_strategy(
    sandbox: LiaisonSandbox, defn: dict[str, Any], pool: list[str], thread: Any
) -> st.SearchStrategy[Any]:
    kind = defn["type"]
    if defn.get("choices"):
        return st.sampled_from([c["value"] for c in defn["choices"]])
    if kind == STRING:
        return text_values(sandbox, defn["name"], pool).filter(
            lambda v: defn.get("min_length", 0) <= len(v) <= defn.get("max_length", MAX_STRING)
        )
    if kind == INTEGER:
        lo, hi = defn.get("min_value", -(2**53)), defn.get("max_value", 2**53)
        return st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))
    if kind == NUMBER:
        return st.floats(defn.get("min_value", -1e15), defn.get("max_value", 1e15))
    if kind == BOOLEAN:
        return st.booleans()
    assert sandbox.guild is not None
    users = [m.user for m in sandbox.guild.members.values()]
    roles = list(sandbox.guild.roles.values())
    if kind == USER:
        return st.sampled_from(users)
    if kind == ROLE:
        return st.sampled_from(roles)
    if kind == MENTIONABLE:
        return st.sampled_from([*users, *roles])
    if kind == CHANNEL:
        allowed = defn.get("channel_types")
        channels = [
            c
            for c in sandbox.world.channels.values()
            if c.guild_id == sandbox.guild.id and (not allowed or c.type in allowed)
        ]
        return st.sampled_from(channels)
    if kind == ATTACHMENT:  # a file of hostile text (course and scenario files are YAML)
        return text_values(sandbox, defn["name"], pool).map(
            lambda v: ("file.yaml", v.encode("utf-8", "replace"))
        )
    return st.nothing()


def options_strategy(
    sandbox: LiaisonSandbox, leaf: Leaf, pools: dict[tuple[str, str], list[str]], thread: Any
) -> st.SearchStrategy[dict[str, Any]]:
    def strategy(defn: dict[str, Any]) -> st.SearchStrategy[Any]:
        return value_strategy(sandbox, defn, pools.get((leaf.name, defn["name"]), []), thread)

    return st.fixed_dictionaries(
        {o["name"]: strategy(o) for o in leaf.required},
        optional={o["name"]: strategy(o) for o in leaf.optional},
    )


async def seed(sandbox: LiaisonSandbox) -> Any:
    """Something to find, show, answer and route to: resources, an expert, a question thread."""
    assert sandbox.bot is not None and sandbox.guild is not None
    users = sandbox.users
    for n, label in enumerate(("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER")):
        await sandbox.slash(
            "resource add",
            user=users.alice,
            title=f"Portal guide {n}",
            url=f"https://example.org/r{n}",
            description="Adjudication steps.",
            tags="border, detection",
            label=label,
        )
    data = ProfileInput(
        "Customs", "FR", "Border monitoring, RIID operation", "en, fr", "UTC", None, "members"
    )
    async with sandbox.bot.db.transaction() as session:
        await experts.register(
            session,
            sandbox.guild.id,
            users.dmitri.id,
            data,
            consent_text="I agree",
            now=sandbox.bot.clock.now(),
        )
    await sandbox.slash("ask", user=users.eve, question="Innocent alarm at a border portal?", topic="border")
    threads = sandbox.threads(sandbox.channels.qa)
    return threads[0] if threads else sandbox.channels.general


async def autocomplete_pools(
    sandbox: LiaisonSandbox, commands: list[Leaf]
) -> dict[tuple[str, str], list[str]]:
    """What autocomplete offers for an empty field: real ids and names to mix with hostility."""
    pools: dict[tuple[str, str], list[str]] = {}
    for leaf in commands:
        for option in leaf.options:
            if option.get("autocomplete"):
                choices = await sandbox.autocomplete(leaf.name, option["name"], "", user=sandbox.users.alice)
                pools[(leaf.name, option["name"])] = [str(c["value"]) for c in choices][:10]
    return pools


class Driver:
    """One persona's run: runs a command, checks everything the issue asks of the answer."""

    def __init__(self, sandbox: LiaisonSandbox, user: User, error_log: ErrorLog) -> None:
        assert sandbox.bot is not None and sandbox.guild is not None
        self.sandbox, self.user, self.error_log = sandbox, user, error_log
        self.bot, self.guild = sandbox.bot, sandbox.guild
        self.refusals: dict[int, list[BaseException]] = {}
        original = self.bot.tree.on_error

        async def spy(interaction: Any, error: BaseException) -> None:
            self.refusals.setdefault(interaction.id, []).append(error)
            await original(interaction, cast(Any, error))

        self.bot.tree.on_error = spy  # type: ignore[method-assign]
        self.cases = 0

    async def language(self) -> str:
        async with self.bot.db.transaction() as session:
            choice = await guild_settings.member_language(session, self.guild.id, self.user.id)
            server = (await guild_settings.get(session, self.guild.id)).language
        return i18n.pick_language(choice, self.user.locale, server, self.bot.settings.liaison_locale)

    async def expert_ids(self) -> set[int | str]:
        async with self.bot.db.engine.connect() as conn:
            rows = (await conn.execute(sql("SELECT user_id FROM expert_profiles"))).scalars()
            return {int(r) for r in rows if r is not None}

    async def run(self, leaf: Leaf, options: dict[str, Any], channel: Any) -> None:
        self.cases += 1
        where = f"/{leaf.name} {options!r:.600} as {self.user.name}"
        language = await self.language()
        errors_before = len(self.error_log.records)
        window = open_window(self.sandbox)
        running = handlers()
        inter = await self.sandbox.slash(leaf.name, user=self.user, channel=channel, values=options)
        await handlers_finished(self.sandbox, running)
        problems = acknowledgement_problems(self.sandbox, inter)
        problems += failed_requests(self.sandbox, window)
        new_errors = [_described(r) for r in self.error_log.records[errors_before:]]
        if new_errors:
            problems.append(f"logged errors {new_errors}")
        for error in self.refusals.pop(inter.id, []):
            text, reference = message_for(cast(Any, error), language)
            if reference is not None:
                continue  # an unexpected error: already reported through the error log
            expected = clip(text, MESSAGE)
            shown = [m for m in inter.responses if m.content == expected]
            if not shown:
                problems.append(
                    f"refusal not shown in {language}: {expected!r:.200} "
                    f"(got {[m.content for m in inter.responses]!r:.300})"
                )
            elif not all(m.ephemeral for m in shown):
                problems.append(f"refusal not ephemeral: {expected!r:.200}")
        changes_language = leaf.name.startswith("me ") and "language" in options
        if not changes_language:
            for message in inter.responses:
                wrong = wrong_language(texts_of(message), language)
                if wrong is not None:
                    problems.append(f"answered outside {language}: {wrong!r:.200}")
        messages = {m.id: m for m in [*inter.responses, *new_bot_messages(self.sandbox, window)]}
        pinged = pings(self.sandbox, messages.values())
        if leaf.name in PINGING:
            pinged -= await self.expert_ids()
        if pinged:
            problems.append(f"would ping {pinged}")
        assert not problems, f"{where}: {problems}"


# The tasks in which discord.py runs the bot's handlers: a command or an autocompletion, a
# component or a modal, an event listener.
HANDLER_TASKS = ("CommandTree-invoker", "discord-ui-", EVENT_TASK_PREFIX)
# How long a command's handlers may still run once it is answered: one still at work after that
# waits for a member (a confirmation's buttons), and the round goes on.
HANDLER_SECONDS = 0.1
# Once the command's handlers have returned, what they sent is in: the sandbox's quiet only has to
# let the requests still in flight arrive, not to outlast a handler at work (a quiet of 0.02 s
# after every command was 40 of a run's 50 seconds).
QUIET_SECONDS = 0.002


def handlers() -> set[asyncio.Task[Any]]:
    return {
        task for task in asyncio.all_tasks() if not task.done() and task.get_name().startswith(HANDLER_TASKS)
    }


async def handlers_finished(sandbox: LiaisonSandbox, before: set[asyncio.Task[Any]]) -> None:
    """Wait until the handlers the command set off (those not running ``before`` it) have
    returned, up to ``HANDLER_SECONDS``, then for the sandbox to be quiet: everything the command
    did is in, however long its handler took."""
    started = handlers() - before - {asyncio.current_task()}
    if started:
        await asyncio.wait(started, timeout=HANDLER_SECONDS)
    await sandbox.quiet()


def _described(record: logging.LogRecord) -> str:
    """The log message and the last frames of its traceback (what a bug report needs)."""
    if not record.exc_info or record.exc_info[1] is None:
        return record.getMessage()
    error = record.exc_info[1]
    while error.__cause__ is not None:
        error = error.__cause__
    frames = [
        f"{f.filename.split('/work/main/')[-1]}:{f.lineno} {f.name}"
        for f in traceback.extract_tb(error.__traceback__)
        if "site-packages" not in f.filename
    ]
    return f"{record.getMessage()}: {type(error).__name__}: {error} at {frames[-4:]}"


async def restore(sandbox: LiaisonSandbox, saved: dict[str, Any]) -> None:
    """Undo what a moderator's generated /liaison setup changed, so personas keep their roles."""
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        row = await session.get(GuildSettings, sandbox.guild.id)
        assert row is not None
        for key, value in saved.items():
            setattr(row, key, value)


async def saved_settings(sandbox: LiaisonSandbox) -> dict[str, Any]:
    assert sandbox.bot is not None and sandbox.guild is not None
    async with sandbox.bot.db.transaction() as session:
        row = await guild_settings.get_or_create(session, sandbox.guild.id)
        return {
            c.key: getattr(row, c.key)
            for c in GuildSettings.__table__.columns
            if c.key not in ("guild_id", "created_at", "updated_at")
        }


def hostile_test(persona: str) -> Any:
    """One Hypothesis test for one persona; each example drives every synced command once."""

    @pytest.mark.timeout(0 if LONG_RUN else 240)
    @settings(
        max_examples=ROUNDS,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=st.data())
    async def test(sandbox: LiaisonSandbox, error_log: ErrorLog, data: st.DataObject) -> None:
        state = getattr(sandbox, "_hostile", None)
        if state is None:
            sandbox.quiet_period = QUIET_SECONDS
            thread = await seed(sandbox)
            commands = leaves(sandbox.commands)
            pools = await autocomplete_pools(sandbox, commands)
            strategies = {leaf.name: options_strategy(sandbox, leaf, pools, thread) for leaf in commands}
            user = sandbox.users[persona]
            state = (
                Driver(sandbox, user, error_log),
                commands,
                strategies,
                thread,
                await saved_settings(sandbox),
            )
            sandbox._hostile = state  # type: ignore[attr-defined]
        driver, commands, strategies, thread, saved = state
        places = [sandbox.channels.general, thread]
        for leaf in commands:
            options = data.draw(strategies[leaf.name], label=leaf.name)
            channel = places[data.draw(st.integers(0, len(places) - 1), label="in thread")]
            await driver.run(leaf, options, channel)
            for name, value in options.items():
                defn = next(o for o in leaf.options if o["name"] == name)
                if defn.get("autocomplete") and isinstance(value, str):
                    await check_autocomplete(sandbox, driver.user, leaf, name, value)
        await restore(sandbox, saved)

    return test


async def check_autocomplete(
    sandbox: LiaisonSandbox, user: User, leaf: Leaf, option: str, value: str
) -> None:
    choices = await sandbox.autocomplete(leaf.name, option, value, user=user)
    inter = sandbox.last_interaction
    assert inter is not None
    where = f"autocomplete /{leaf.name} {option}={value!r:.300}"
    assert inter.acked and inter.acked_in is not None and inter.acked_in < 3.0, where
    assert not inter.errors, f"{where}: {inter.errors}"
    assert len(choices) <= 25, where


# Input handling does not depend on the engine; what PostgreSQL adds (its own refusals, such as
# NUL characters in text) is reached by the moderator, who may run every command. So only the
# moderator's rounds run on both engines (the members' on SQLite, as every unmarked test).
test_member = hostile_test("carol")
test_moderator = pytest.mark.engines(hostile_test("alice"))
test_french_member = hostile_test("bruno")


async def test_every_synced_command_is_driven(sandbox: LiaisonSandbox) -> None:
    """The rounds walk the synced tree, not a fixed list: the contract's commands are in it."""
    names = {leaf.name for leaf in leaves(sandbox.commands)}
    contract = {"liaison setup", "resource search", "expert register", "me export", "ask", "qa search"}
    assert contract <= names


def test_language_check_tells_languages_apart_in_linear_time() -> None:
    """The checker itself: a refusal in English is wrong for a French member, and 6,000 hostile
    characters are judged at once (a backtracking pattern once hung the suite here)."""
    english, french = i18n.t("en", "error.moderators_only"), i18n.t("fr", "error.moderators_only")
    assert wrong_language([english], "fr") == english and wrong_language([french], "en") == french
    assert wrong_language([english], "en") is None and wrong_language([french], "fr") is None
    started = time.monotonic()
    assert wrong_language(["{" * 6000, "Only " + " " * 6000 + "x"], "fr") is None
    assert time.monotonic() - started < 0.5
