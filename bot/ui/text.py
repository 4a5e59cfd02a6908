"""The one escaping policy for text that users typed and the bot repeats.

Titles, descriptions, questions, profiles, reasons, tags: anything a member or a moderator typed
goes through ``shown`` before it is put in a message or an embed, and through ``plain`` before it
is put where Discord renders no markdown (thread and channel names, button and select labels,
autocomplete choices). Both

- drop control characters and the bidirectional controls (right-to-left override and friends),
  which could make text read backwards or hide what follows;
- break ``@everyone`` and ``@here`` (a zero-width space after the ``@``), so that nothing pings
  even where mentions are allowed;
- clip to a limit, never cutting an escape in half.

``shown`` also escapes markdown so that the text reads exactly as typed: no masked link
(``[Official IAEA login](https://evil.example)`` stays those characters), no heading, subtext,
quote or list marker at the start of a line, no bold, italics, spoiler or code, and no ``<…>``
mention, channel link, timestamp or emoji. Discord consumes a backslash before any punctuation,
so the escaped text shows the typed characters and nothing more.

Renderers never escape on their own: ``tests/unit/test_text_policy.py`` fails when a cog or
``bot/ui`` module calls ``discord.utils.escape_markdown`` or defines its own ``safe``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from bot.ui.limits import ELLIPSIS

# Bidirectional controls: LRM, RLM, ALM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INLINE = re.compile(r"([\\*_~|`\[\]<>])")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-])|(\d+)([.)]))", re.MULTILINE)
_PINGS = re.compile(r"@(everyone|here)", re.IGNORECASE)


def _clean(text: str | None, *, one_line: bool) -> str:
    """Without control or bidirectional characters (tabs become spaces; new lines are kept
    unless ``one_line``), and with ``@everyone``/``@here`` broken."""
    out = []
    for char in text or "":
        if char in BIDI_CONTROLS:
            continue
        if char == "\n" and not one_line:
            out.append(char)
        elif char in "\t\n\r\v\f":
            out.append(" ")
        elif unicodedata.category(char) == "Cc":
            continue
        else:
            out.append(char)
    cleaned = "".join(out)
    if one_line:
        cleaned = " ".join(cleaned.split())
    return _PINGS.sub("@\u200b\\1", cleaned)


def _escape(text: str) -> str:
    escaped = _INLINE.sub(r"\\\1", text)
    # Line starts: headings (#), subtext (-#), quotes (>), lists (-, +, 1.) render only there.
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, dot = match.groups()
    # A backslash before a digit would show: a numbered list is broken at its dot instead.
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\{dot}"


def _clip_escaped(text: str, limit: int) -> str:
    """``text`` (already escaped) cut to ``limit`` characters with an ellipsis, never leaving a
    lone backslash that would escape the ellipsis or what follows."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def shown(text: str | None, limit: int | None = None, *, one_line: bool = False) -> str:
    """User text for a message or an embed: reads as typed, never renders, never pings."""
    escaped = _escape(_clean(text, one_line=one_line))
    return escaped if limit is None else _clip_escaped(escaped, limit)


def plain(text: str | None, limit: int | None = None) -> str:
    """User text where Discord renders no markdown (thread names, labels, choices): one line,
    no control or bidirectional characters, no ``@everyone``/``@here``."""
    cleaned = _clean(text, one_line=True)
    if limit is None or len(cleaned) <= limit:
        return cleaned
    return cleaned[: max(0, limit - 1)].rstrip() + ELLIPSIS


def link_label(text: str | None, limit: int) -> str:
    """User text as the label of a masked link that the bot itself makes (to a thread, say):
    escaped like ``shown``, and without brackets, which could close the label early."""
    return shown((text or "").replace("[", "(").replace("]", ")"), limit, one_line=True)


def url(value: str | None, limit: int | None = None) -> str:
    """A stored URL as shown: an internationalised domain in its ASCII (punycode) form, wrapped in
    ``<…>`` so Discord shows no preview. URLs were validated on the way in (no spaces, ``<``,
    ``>``, control or bidirectional characters), so nothing can break out of the wrapper."""
    return f"<{ascii_url(value, limit)}>"


def ascii_url(value: str | None, limit: int | None = None) -> str:
    """The URL with its host in ASCII (``https://bücher.example/`` ->
    ``https://xn--bcher-kva.example/``); anything that is not a clean URL is left to ``plain``."""
    text = _clean(value, one_line=True).replace("<", "").replace(">", "")
    try:
        parts = urlsplit(text)
        if not parts.netloc.isascii():
            host, colon, port = parts.netloc.rpartition(":")
            if not (colon and port.isdigit()):
                host, colon, port = parts.netloc, "", ""
            netloc = host.encode("idna").decode("ascii") + colon + port
            text = urlunsplit(parts._replace(netloc=netloc))
    except (ValueError, UnicodeError):
        pass
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + ELLIPSIS
    return text


def code(value: str | None, limit: int) -> str:
    """A short user value (a tag) in inline code, where nothing renders: backticks, which would
    close the span, become a look-alike."""
    return f"`{plain((value or '').replace('`', 'ˋ'), limit) or ' '}`"
