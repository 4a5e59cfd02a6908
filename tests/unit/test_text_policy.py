"""The one escaping policy (``bot/ui/text.py``): user text reads as typed and never renders, and
no renderer escapes on its own."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui import text

ROOT = Path(__file__).resolve().parents[2]
LINK = "[Official IAEA login](https://evil.example)"


def test_masked_links_headings_lists_and_mentions_do_not_render() -> None:
    assert text.shown(LINK) == r"\[Official IAEA login\](https://evil.example)"
    lines = text.shown("# Big\n## Bigger\n-# small\n> quote\n- item\n* item\n+ item\n12. item").split("\n")
    assert lines == [
        r"\# Big",
        r"\## Bigger",
        r"\-# small",
        r"\> quote",
        r"\- item",
        r"\* item",
        r"\+ item",
        r"12\. item",
    ]
    assert text.shown("<@123> <@&4> <#5> <t:1:R> </x:1>") == r"\<@123\> \<@&4\> \<#5\> \<t:1:R\> \</x:1\>"
    assert text.shown("**b** __u__ ~~s~~ ||sp|| `c`") == r"\*\*b\*\* \_\_u\_\_ \~\~s\~\~ \|\|sp\|\| \`c\`"
    assert "@everyone" not in text.shown("@everyone @here") and "@here" not in text.plain("@HERE")


def test_bidirectional_and_control_characters_are_dropped() -> None:
    assert text.shown("abc\u202eexe.pdf\u2066x\u0000y") == "abcexe.pdfxy"
    assert text.plain("a\u202eb\nc\td") == "ab c d"


def test_clipping_never_leaves_a_dangling_escape() -> None:
    for limit in range(2, 12):
        clipped = text.shown("[[[[[[[[[[[[[[[", limit)
        assert len(clipped) <= limit and clipped.endswith("…")
        body = clipped[:-1]
        assert len(body) - len(body.rstrip("\\")) in (0, 2, 4)


def test_urls_are_shown_with_an_ascii_host_and_wrapped() -> None:
    assert text.url("https://bücher.example/ü?q=1") == "<https://xn--bcher-kva.example/ü?q=1>"
    assert text.url("https://example.org/a_b*c") == "<https://example.org/a_b*c>"
    assert text.code("a`b", 10) == "`aˋb`"


_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[\[\]<>*_~|`]")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80), st.integers(min_value=2, max_value=90))
def test_no_markdown_character_survives_unescaped(value: str, limit: int) -> None:
    shown = text.shown(value, limit)
    assert len(shown) <= limit
    assert not any(c in text.BIDI_CONTROLS for c in shown)
    assert "@everyone" not in shown.lower() and "@here" not in shown.lower()
    assert _UNESCAPED.search(shown) is None, shown


def _sources() -> list[Path]:
    return [*ROOT.joinpath("cogs").rglob("*.py"), *ROOT.joinpath("bot", "ui").rglob("*.py")]


def test_renderers_do_not_escape_on_their_own() -> None:
    """Every renderer uses ``bot.ui.text``: no private ``safe`` rule, no discord.py escaping."""
    offenders = []
    for path in _sources():
        if path.name == "text.py":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (r"def safe\(", r"escape_markdown", r"escape_mentions", r"remove_markdown"):
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_refusals_repeat_typed_text_through_the_policy() -> None:
    from bot.errors import Invalid, NotAllowed
    from bot.ui.errors import message_for

    cancelled, _ = message_for(Invalid("events.error.cancelled", title=LINK + " @everyone"), "en")
    assert LINK not in cancelled and r"\[Official IAEA login\]" in cancelled and "@everyone" not in cancelled
    refused, _ = message_for(Invalid("resource.not_found", value="x` **bold** <@1>"), "en")
    assert "`xˋ **bold** <@1>`" in refused  # inside inline code: nothing renders, nothing breaks out
    channel, _ = message_for(NotAllowed("qa.error.cannot_post", channel="<#42>"), "en")
    assert "<#42>" in channel


def test_each_renderer_uses_the_policy_itself() -> None:
    import importlib

    for name in ("cogs.resources._render", "cogs.qa._render", "cogs.events._render", "cogs.experts._render"):
        assert importlib.import_module(name).safe is text.shown, name


def test_no_function_hides_the_policy_module_behind_a_local_name() -> None:
    """``from bot.ui import text`` and a local ``text = …`` in the same function fail only when
    that line runs (UnboundLocalError): caught here instead."""
    import ast

    policy = {"shown", "plain", "url", "ascii_url", "code", "link_label"}
    clashes = []
    for path in _sources():
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(fn))
            binds = any(
                isinstance(n, ast.Name) and n.id == "text" and isinstance(n.ctx, ast.Store) for n in nodes
            )
            binds |= any(a.arg == "text" for a in [*fn.args.args, *fn.args.kwonlyargs, *fn.args.posonlyargs])
            uses = any(
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name)
                and n.value.id == "text"
                and n.attr in policy
                for n in nodes
            )
            if binds and uses:
                clashes.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}")
    assert clashes == []
