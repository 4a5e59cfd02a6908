"""Shared by the hostile-input, permission, load and fault tests: the synced command tree as
a list of leaf commands, hostile option values, and the checks every interaction must pass.

Nothing here names a feature's command: everything is read from what the bot synced, so a
command added tomorrow is covered without touching these tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import inspect, text

from bot import i18n
from bot.sandbox.commands import (
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
)
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.world import Interaction, Message

ACK_WINDOW = 3.0
CALLBACK_ROUTE = "/interactions/{interaction_id}/{token}/callback"
# answers the bot may legitimately get: a member with closed DMs (403 50007)
EXPECTED_FAILURES = {403}


@dataclass(frozen=True)
class Leaf:
    """One invocable slash command: ``"resource search"`` and its option definitions."""

    name: str
    options: tuple[dict[str, Any], ...]

    @property
    def required(self) -> list[dict[str, Any]]:
        return [o for o in self.options if o.get("required")]

    @property
    def optional(self) -> list[dict[str, Any]]:
        return [o for o in self.options if not o.get("required")]


def leaves(commands: Iterable[dict[str, Any]]) -> list[Leaf]:
    """Every chat-input command the bot synced, flattened to its subcommands."""
    found: list[Leaf] = []

    def walk(node: dict[str, Any], path: list[str]) -> None:
        options = node.get("options") or []
        subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        if subs:
            for sub in subs:
                walk(sub, [*path, sub["name"]])
        else:
            found.append(Leaf(" ".join(path), tuple(options)))

    for command in commands:
        if command.get("type", 1) == 1:
            walk(command, [command["name"]])
    return sorted(found, key=lambda leaf: leaf.name)


# ---- hostile values ------------------------------------------------------------------------
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RIGHT_TO_LEFT = "\u202e\u200f\u202b" + "שלום مرحبا"
MARKDOWN = [
    "**bold**",
    "__u__",
    "~~s~~",
    "||spoiler||",
    "`code`",
    "```py\nx\n```",
    "> quote",
    "# Heading",
    "-# small",
    "[click](https://evil.example)",
    "\\",
    "*",
    "_",
    "~",
]
SQL = [
    "'; DROP TABLE resources; --",
    '" OR 1=1 --',
    "' OR ''='",
    "%",
    "_%_",
    "NULL",
    "title:x NEAR(a b) AND OR NOT",
    '"unterminated',
    "a* OR b*",
    "^",
    "-",
    "()",
    "{}",
    "{title}",
    "{0}",
    "%s",
    "\x00",
    "\t\n\r",
]
EMOJI = ["☢️", "🔬🇫🇷🇰🇭", "👨‍👩‍👧‍👦", "e\u0301\u0301\u0301", "𝓛𝓲𝓪𝓲𝓼𝓸𝓷", "ǅ", "ß", "İ"]
DATES = [
    "2026-02-30 25:61",
    "0000-00-00 00:00",
    "9999-12-31 23:59",
    "1970-01-01 00:00",
    "yesterday",
    "tomorrow 14:00",
    "demain 14h",
    "in -5m",
    "-1d",
    "0m",
    "1e309",
    "99999999d",
    "in 2h",
    "30m",
    "2026-12-01 09:00",
    "event:999999",
    "1h before event:1",
    "1h before event:-1",
    "NaN",
    "Infinity",
    "1d, 1d, 1d",
    "1d,,2h",
    "15m, 2h, 1d",
]
ZONES = [
    "Mars/Olympus",
    "UTC+25",
    "../../etc/passwd",
    "Europe/Paris\x00",
    "utc",
    "GMT-14",
    "Asia/Phnom_Penh",
    "Europe/Paris",
    "America/Argentina/ComodRivadavia",
    "localtime",
]
URLS = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>",
    "ftp://x.org/a",
    "http://",
    "https://",
    "HTTPS://EXAMPLE.ORG/A",
    "http://127.0.0.1:22/",
    "https://example.org/@everyone",
    "https://example.org/" + "a" * 3000,
    "https://exa mple.org",
    "//example.org",
    "https://example.org/a?b=<@&1>#x",
    "https://example.org/guide",
    "http://[::1]/",
    "mailto:a@b.c",
]
NUMBERS = ["0", "-1", "99999999999999999999", "1.5", "0x10", "٣", "Ⅻ"]
CODES = [
    "FR",
    "KHM",
    "fr",
    "en",
    "km",
    "xx",
    "klingon",
    "English",
    "français",
    "Cambodia",
    "TLP:RED",
    "TLP:AMBER",
    "tlp:amber+strict",
    "TLP:CLEAR",
    "TLP:GREEN",
    "members",
    "verified",
    "going",
    "maybe",
    "not_going",
    "none",
    "weekly",
    "monthly",
    "RIID",
    "1",
]


def mention_injections(sandbox: LiaisonSandbox) -> list[str]:
    assert sandbox.guild is not None
    users, roles, channels = sandbox.users, sandbox.roles, sandbox.channels
    return [
        "@everyone",
        "@here",
        "@everyone @here",
        "＠everyone",
        "@\u200beveryone",
        f"<@&{roles.moderators.id}>",
        f"<@&{sandbox.guild.id}>",
        f"<@{users.carol.id}>",
        f"<@!{users.alice.id}>",
        f"<@{users.bot.id}>",
        f"<#{channels.general.id}>",
        "<@&123>",
        "<@0>",
        "</resource search:1>",
        "<t:9999999999:R>",
        "<:emoji:1>",
    ]


def pieces(sandbox: LiaisonSandbox) -> list[str]:
    """Every hostile fragment, mixed freely by the strategies."""
    return [
        "",
        " ",
        ZERO_WIDTH,
        RIGHT_TO_LEFT,
        *MARKDOWN,
        *SQL,
        *EMOJI,
        *DATES,
        *ZONES,
        *URLS,
        *NUMBERS,
        *CODES,
        *mention_injections(sandbox),
    ]


# ---- the language a member should be answered in ------------------------------------------
@cache
def _templates(lang: str) -> list[tuple[str, ...]]:
    """Each message of ``lang`` as its fixed parts (the text between ``{placeholders}``)."""
    templates = []
    for template in i18n.messages(lang).values():
        parts = tuple(re.split(r"\{[^{}]*\}", template))
        if sum(len(p.strip()) for p in parts) >= 12:  # enough fixed text to tell languages apart
            templates.append(parts)
    return templates


def _fills(parts: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` is the template with anything in its placeholders: a linear wildcard
    match (a regular expression with several lazy groups backtracks for minutes on 6,000
    characters, and a C-level match cannot even be interrupted by the test timeout)."""
    if len(parts) == 1:
        return text == parts[0]
    first, *middle, last = parts
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def wrong_language(texts: Iterable[str], expected: str) -> str | None:
    """A text that reads as a whole message of the other language and of no message in the
    expected one; None when every text is plausible."""
    other = "fr" if expected == "en" else "en"
    for value in texts:
        if not value:
            continue
        if any(_fills(p, value) for p in _templates(other)) and not any(
            _fills(p, value) for p in _templates(expected)
        ):
            return value
    return None


def texts_of(message: Message) -> list[str]:
    out = [message.content or ""]
    for embed in message.embeds:
        out += [embed.get("title") or "", embed.get("description") or ""]
    return out


# ---- what every interaction must satisfy ---------------------------------------------------
@dataclass
class Window:
    """What the sandbox saw between two moments: requests, new messages."""

    first_request: int
    first_message_ids: set[int] = field(default_factory=set)


def open_window(sandbox: LiaisonSandbox) -> Window:
    return Window(len(sandbox.requests), set(sandbox.world.messages))


def new_bot_messages(sandbox: LiaisonSandbox, window: Window) -> list[Message]:
    bot_id = sandbox.world.bot.id
    return [
        m
        for mid, m in sandbox.world.messages.items()
        if mid not in window.first_message_ids and m.author_id == bot_id
    ]


def failed_requests(sandbox: LiaisonSandbox, window: Window) -> list[str]:
    return [
        f"{r.method} {r.route} -> {r.status}"
        for r in sandbox.requests[window.first_request :]
        if r.status >= 400 and r.status not in EXPECTED_FAILURES
    ]


def acknowledgement_problems(sandbox: LiaisonSandbox, inter: Interaction) -> list[str]:
    problems = []
    callbacks = [
        r for r in sandbox.requests if r.route == CALLBACK_ROUTE and f"/interactions/{inter.id}/" in r.path
    ]
    if len(callbacks) != 1:
        problems.append(f"{len(callbacks)} acknowledgements")
    if not inter.acked or inter.ack_status != 200:
        problems.append(f"not acknowledged (status {inter.ack_status})")
    elif inter.acked_in is None or inter.acked_in >= ACK_WINDOW:
        problems.append(f"acknowledged in {inter.acked_in} s")
    if inter.thinking:
        problems.append("deferred and never answered")
    if inter.errors:
        problems.append(f"errors {inter.errors}")
    return problems


def pings(sandbox: LiaisonSandbox, messages: Iterable[Message]) -> set[int | str]:
    found: set[int | str] = set()
    for message in messages:
        found |= sandbox.world.mentions_that_would_ping(message)
    return found


# ---- database dumps -------------------------------------------------------------------------
async def dump_database(sandbox: LiaisonSandbox) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (virtual full-text tables included), in a stable order."""
    assert sandbox.bot is not None
    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with sandbox.bot.db.engine.connect() as conn:
        names = sorted(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        for name in names:
            query = f'SELECT * FROM "{name}"'  # noqa: S608 (names read from the schema)
            rows = (await conn.execute(text(query))).all()
            dump[name] = sorted((tuple(r) for r in rows), key=repr)
    return dump


def diff_dumps(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> dict[str, str]:
    changed = {}
    for table in sorted(before.keys() | after.keys()):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            added = [r for r in new if r not in old][:3]
            removed = [r for r in old if r not in new][:3]
            changed[table] = f"+{added} -{removed}"
    return changed
