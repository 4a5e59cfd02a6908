"""What a member sees, as plain text: messages with their embeds, numbered buttons and select
options, files, where each message landed, modals and autocomplete choices."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.world import Channel, ChannelType, Flags, Interaction, Message, World

INDENT = "  "
WIDTH = 100
_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_ESCAPED = re.compile(r"\\([_*~`|>\\])")  # Markdown escapes, shown as the client shows them
_STAMP_FORMATS = {
    "t": "%H:%M UTC",
    "T": "%H:%M:%S UTC",
    "d": "%Y-%m-%d",
    "D": "%d %B %Y",
    "F": "%A %d %B %Y %H:%M UTC",
}
clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731  (the console sets the bot's)
_STYLES = {1: "", 2: "", 3: "", 4: " (danger)", 5: " (link)"}


def where(world: World, channel: Channel) -> str:
    """``#general``, ``thread "title" in #qa``, ``DM to bruno``."""
    if channel.type == ChannelType.DM:
        user = world.users.get(channel.recipients[0]) if channel.recipients else None
        return f"DM to {user.name if user else '?'}"
    if channel.is_thread:
        parent = world.channels.get(channel.parent_id or 0)
        return f'thread "{channel.name}" in #{parent.name if parent else "?"}'
    return f"#{channel.name}"


def size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024**2 else f"{n / 1024**2:.1f} MiB"


def timestamp(seconds: int, style: str) -> str:
    """A ``<t:…:style>`` timestamp as a client in UTC shows it; relative to the bot's clock."""
    moment = datetime.fromtimestamp(seconds, UTC)
    if style == "R":
        delta = moment - clock()
        amount, future = abs(delta.total_seconds()), delta.total_seconds() >= 0
        for unit, size_ in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if amount >= size_:
                n = round(amount / size_)
                text = f"{n} {unit}{'s' if n > 1 else ''}"
                return f"in {text}" if future else f"{text} ago"
        return "now"
    return moment.strftime(_STAMP_FORMATS.get(style, "%Y-%m-%d %H:%M UTC"))


def readable(world: World, text: str) -> str:
    """Mentions and timestamps as a member's client shows them."""

    def mention(match: re.Match[str]) -> str:
        kind, ident = match.group(1), int(match.group(2))
        if kind == "#":
            channel = world.channels.get(ident)
            return f"#{channel.name}" if channel else "#unknown"
        if kind == "@&":
            role = next((r for g in world.guilds.values() for r in g.roles.values() if r.id == ident), None)
            return f"@{role.name}" if role else "@unknown-role"
        user = world.users.get(ident)
        return f"@{user.name}" if user else "@unknown"

    def stamp(match: re.Match[str]) -> str:
        return timestamp(int(match.group(1)), match.group(2) or "f")

    text = _TIMESTAMP.sub(stamp, _MENTION.sub(mention, text))
    return _ESCAPED.sub(r"\1", text)


def _wrap(world: World, text: str, prefix: str) -> list[str]:
    lines: list[str] = []
    for raw in readable(world, text).splitlines() or [""]:
        lines.extend(
            textwrap.wrap(
                raw,
                WIDTH,
                initial_indent=prefix,
                subsequent_indent=prefix,
                replace_whitespace=False,
                drop_whitespace=True,
                break_long_words=False,  # links stay whole, to be copied
                break_on_hyphens=False,
            )
            or [prefix.rstrip()]
        )
    return lines


def embed_lines(world: World, embed: dict[str, Any]) -> list[str]:
    bar = INDENT + "| "
    out: list[str] = []
    if embed.get("author", {}).get("name"):
        out += _wrap(world, embed["author"]["name"], bar)
    if embed.get("title"):
        title = embed["title"] + (f"  <{embed['url']}>" if embed.get("url") else "")
        out += _wrap(world, f"** {title} **", bar)
    if embed.get("description"):
        out += _wrap(world, embed["description"], bar)
    for field in embed.get("fields") or []:
        out += _wrap(world, f"{field.get('name', '')}:", bar)
        out += _wrap(world, field.get("value", ""), bar + "  ")
    footer = embed.get("footer", {}).get("text")
    if footer:
        out += _wrap(world, f"-- {footer}", bar)
    return out or [bar + "(empty embed)"]


class Numbering:
    """Buttons and select menus numbered in the order the driver counts them (``click <n>``)."""

    def __init__(self) -> None:
        self.buttons = 0
        self.selects = 0


def _button(comp: dict[str, Any], numbering: Numbering) -> str:
    numbering.buttons += 1
    label = comp.get("label") or (comp.get("emoji") or {}).get("name") or "?"
    extra = _STYLES.get(comp.get("style", 2), "")
    if comp.get("style") == 5:
        extra = f" -> {comp.get('url')}"
    if comp.get("disabled"):
        extra += " (disabled)"
    return f"[{numbering.buttons}] {label}{extra}"


def _select(comp: dict[str, Any], numbering: Numbering) -> list[str]:
    numbering.selects += 1
    kinds = {3: "", 5: " (members)", 6: " (roles)", 7: " (members or roles)", 8: " (channels)"}
    head = f"{INDENT}select {numbering.selects}{kinds.get(comp['type'], '')}: {comp.get('placeholder') or ''}"
    if comp.get("disabled"):
        head += " (disabled)"
    lines = [head.rstrip()]
    for i, option in enumerate(comp.get("options") or [], 1):
        mark = " (default)" if option.get("default") else ""
        desc = f" - {option['description']}" if option.get("description") else ""
        lines.append(f"{INDENT * 2}{i}) {option.get('label')} = {option.get('value')}{desc}{mark}")
    return lines


def component_lines(world: World, components: list[dict[str, Any]], numbering: Numbering) -> list[str]:
    """Action rows, and the layout components of messages that use components v2."""
    out: list[str] = []
    for comp in components:
        kind = comp.get("type")
        if kind == 1:
            buttons = [_button(c, numbering) for c in comp.get("components") or [] if c["type"] == 2]
            if buttons:
                out.append(INDENT + "  ".join(buttons))
            for child in comp.get("components") or []:
                if child["type"] != 2:
                    out += _select(child, numbering)
        elif kind == 2:
            out.append(INDENT + _button(comp, numbering))
        elif kind in (3, 5, 6, 7, 8):
            out += _select(comp, numbering)
        elif kind == 10:
            out += _wrap(world, comp.get("content", ""), INDENT)
        elif kind == 14:
            out.append(INDENT + "-" * 20)
        elif kind in (9, 17):
            out += component_lines(world, comp.get("components") or [], numbering)
            accessory = comp.get("accessory")
            if isinstance(accessory, dict):
                out += component_lines(world, [accessory], numbering)
    return out


def message_lines(world: World, msg: Message, *, header: bool = True) -> list[str]:
    channel = world.channels[msg.channel_id]
    author = world.users.get(msg.author_id)
    out: list[str] = []
    if header:
        marks = []
        if msg.ephemeral:
            marks.append("[ephemeral — only you]")
        if msg.edited_timestamp:
            marks.append("(edited)")
        head = f"-- {author.name if author else '?'} in {where(world, channel)}"
        out.append(" ".join([head, *marks]))
    if msg.flags & Flags.LOADING:
        out.append(INDENT + "(Liaison is thinking…)")
    if msg.content:
        out += _wrap(world, msg.content, INDENT)
    for embed in msg.embeds:
        out += embed_lines(world, embed)
    out += component_lines(world, msg.components, Numbering())
    for att in msg.attachments:
        out.append(f"{INDENT}file: {att.filename} ({size(len(att.data))})")
    if msg.thread is not None:
        out.append(f"{INDENT}(opens {where(world, msg.thread)})")
    if msg.deleted:
        out.append(INDENT + "(deleted)")
    return out


def modal_fields(modal: dict[str, Any]) -> list[tuple[str, str]]:
    """(custom_id, label) of each field of a modal, old (action rows) and new (labels) layouts."""
    out: list[tuple[str, str]] = []
    for top in modal.get("components") or []:
        if top["type"] == 1:
            out += [(c.get("custom_id", ""), c.get("label") or "") for c in top.get("components") or []]
        elif top["type"] == 18:
            out.append((top["component"].get("custom_id", ""), top.get("label") or ""))
    return out


def modal_lines(modal: dict[str, Any]) -> list[str]:
    out = [f"-- form: {modal.get('title', '')}  (fill it: modal <field>=<value>; <field>=<value>)"]
    comps = [
        c
        for top in modal.get("components") or []
        for c in (top.get("components") or [] if top["type"] == 1 else [top["component"]])
    ]
    for (custom_id, label), comp in zip(modal_fields(modal), comps, strict=True):
        need = "required" if comp.get("required", True) else "optional"
        value = f' = "{comp["value"]}"' if comp.get("value") else ""
        out.append(f"{INDENT}{label or custom_id} [{custom_id}] ({need}){value}")
    return out


def choices_lines(choices: list[dict[str, Any]]) -> list[str]:
    if not choices:
        return [INDENT + "(no suggestions)"]
    return [f"{INDENT}{i}) {c.get('name')}  = {c.get('value')}" for i, c in enumerate(choices, 1)]


def interaction_lines(world: World, inter: Interaction) -> list[str]:
    """The answer to one interaction as its invoker sees it."""
    out: list[str] = []
    for msg in inter.responses:
        out += message_lines(world, msg)
    if inter.modal is not None:
        out += modal_lines(inter.modal)
    for error in inter.errors:
        out.append(
            f"! Discord refused the bot's {error.get('route')}: {error.get('status')} "
            f"code {error.get('code')} {error.get('message')} {error.get('errors') or ''}".rstrip()
        )
    if not inter.acked and not inter.errors:
        out.append("! the bot did not answer (Discord would show: 'The application did not respond')")
    elif inter.ack_type == 6 and not inter.responses:
        out.append("(acknowledged, nothing changed)")
    return out


def feed_lines(world: World, messages: list[Message], title: str = "meanwhile") -> list[str]:
    """What the bot posted elsewhere since the last command."""
    if not messages:
        return []
    out = ["", f"~~ {title} ~~"]
    for msg in messages:
        out += message_lines(world, msg)
    return out
