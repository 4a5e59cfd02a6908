"""The format core of human-written files (courses; tabletop scenarios share the approach): YAML
read with the line of every value, errors collected with their line rather than stopping at the
first, bilingual text fields and links to library resources.

Kept in one small module so that it can give way to the exercises' shared format module without
touching the course parser: ``read``, ``Problems``, ``text``, ``resource_ids`` are all it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

LANGUAGES = ("en", "fr")


class Map(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class Seq(list[Any]):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    lines: list[int]


def _build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = Map()
        out.line, out.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = str(_build(key_node))
            out[key] = _build(value_node)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = Seq(_build(item) for item in node.value)
        seq.line, seq.lines = node.start_mark.line + 1, [i.start_mark.line + 1 for i in node.value]
        return seq
    return yaml.SafeLoader(  # a scalar: the safe loader's own typing (ints, booleans, text)
        ""
    ).construct_object(node, deep=True)


@dataclass
class Problems:
    """Every error found in a file, each with its line."""

    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [f"line {line}: {message}" for line, message in sorted(self.items)]


def read(text: str, problems: Problems) -> Map | None:
    """The file's top-level mapping, or None (with the reason in ``problems``)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(mark.line + 1 if mark else 1, f"not valid YAML: {reason}")
        return None
    if node is None:
        problems.add(1, "the file is empty")
        return None
    data = _build(node)
    if not isinstance(data, Map):
        problems.add(1, "the file must be a mapping of fields (title:, label:, …)")
        return None
    return data


def line_of(parent: Map | Seq, key: str | int) -> int:
    if isinstance(parent, Map):
        return parent.lines.get(str(key), parent.line)
    if isinstance(key, int) and 0 <= key < len(parent.lines):
        return parent.lines[key]
    return parent.line


def text(
    parent: Map,
    key: str,
    problems: Problems,
    *,
    required: bool = True,
    limit: int = 4000,
    languages: tuple[str, ...] = LANGUAGES,
) -> dict[str, str] | None:
    """A text field of ``parent``: see ``text_value``."""
    value = parent.get(key)
    if value is None or value == "":
        if required:
            problems.add(line_of(parent, key), f"'{key}' is missing")
        return None
    return text_value(value, line_of(parent, key), key, problems, limit=limit, languages=languages)


def text_value(
    value: Any,
    line: int,
    name: str,
    problems: Problems,
    *,
    limit: int = 4000,
    languages: tuple[str, ...] = LANGUAGES,
) -> dict[str, str] | None:
    """Plain text (the same in every language of the file) or ``{en: …, fr: …}`` with every
    language of the file; ``{language: text}``, or None with the reason in ``problems``."""
    if isinstance(value, Map):
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            problems.add(line, f"'{name}': unknown language {', '.join(unknown)} (use en, fr)")
            return None
        out = {lang: str(v).strip() for lang, v in value.items() if v is not None and str(v).strip()}
        missing = [lang for lang in languages if lang not in out]
        if missing:
            problems.add(line, f"'{name}' has no text in {', '.join(missing)}")
            return None
    elif isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        out = {lang: str(value).strip() for lang in languages}
    else:
        problems.add(line, f"'{name}' must be text, or a mapping en: … fr: …")
        return None
    for lang, body in out.items():
        if len(body) > limit:
            problems.add(line, f"'{name}' ({lang}) is longer than {limit} characters")
    return out


def resource_ids(parent: Map, key: str, problems: Problems) -> list[int]:
    """Links to library resources: ids, as ``3`` or ``#3``, one or a list."""
    value = parent.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[int] = []
    for item in items:
        cleaned = str(item).strip().lstrip("#")
        if not cleaned.isdigit():
            problems.add(line_of(parent, key), f"'{key}': {item!r} is not a resource id")
            continue
        out.append(int(cleaned))
    return out


def unknown_keys(parent: Map, known: set[str], problems: Problems, where: str) -> None:
    for key in parent:
        if key not in known:
            problems.add(line_of(parent, key), f"unknown field '{key}' in {where}")
