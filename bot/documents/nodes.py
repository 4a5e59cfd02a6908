"""YAML read into :class:`Node` values that remember their line and location, scalars with their
raw text; every syntax mistake becomes a :class:`Problem` (the safe loader, no Python objects)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.documents.problems import Problem


@dataclass
class Node:
    """A value read from YAML with the line it starts on (1-based) and its location in the document.

    ``value`` is a ``dict[str, Node]`` for a mapping, a ``list[Node]`` for a list, else the scalar as
    YAML typed it; ``raw`` is a scalar's text exactly as written (``None`` for mappings and lists).
    """

    value: Any
    line: int
    where: str = ""
    raw: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)

    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def plain(self) -> Any:
        """The value without line information (nested dicts, lists and scalars)."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def _child(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key + 1}]"
    return f"{where}.{key}" if where else str(key)


class _Loader(yaml.SafeLoader):
    """The safe loader; only used to resolve tags and construct scalars (no Python objects)."""


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


MAX_NODES = 200_000  # aliases may repeat a node: a "billion laughs" file stops here


class _TooComplex(Exception):
    pass


def _convert(
    loader: _Loader,
    node: yaml.Node,
    where: str,
    problems: list[Problem],
    depth: int = 0,
    budget: list[int] | None = None,
) -> Node:
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooComplex()
    line = node.start_mark.line + 1
    if depth > 50:
        problems.append(Problem(line, where, "syntax", {"detail": "nested too deeply"}))
        return Node(None, line, where)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        problems.append(Problem(line, where, "syntax", {"detail": f"unsupported tag {node.tag}"}))
        return Node(None, line, where)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<: *anchor)
        out: dict[str, Node] = {}
        result = Node(out, line, where)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(key_line, where, "type_text"))
                continue
            key = str(key_node.value)
            if key in out:
                first = result.key_lines[key]
                problems.append(
                    Problem(key_line, _child(where, key), "duplicate_key", {"key": key, "first": first})
                )
                continue
            result.key_lines[key] = key_line
            out[key] = _convert(loader, value_node, _child(where, key), problems, depth + 1, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = [
            _convert(loader, item, _child(where, index), problems, depth + 1, budget)
            for index, item in enumerate(node.value)
        ]
        return Node(items, line, where)
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(Problem(line, where, "syntax", {"detail": str(exc).splitlines()[0]}))
        value = None
    return Node(value, line, where, raw=str(node.value))


def parse_yaml(text: str | bytes, *, max_bytes: int = 1_000_000) -> tuple[Node | None, list[Problem]]:
    """Read ``text`` as one YAML document; returns its root node (or None) and the problems found."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            return None, [Problem(None, "", "too_large", {"max": max_bytes})]
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [Problem(None, "", "not_text")]
    if len(text.encode("utf-8")) > max_bytes:
        return None, [Problem(None, "", "too_large", {"max": max_bytes})]
    try:
        loader = _Loader(text)  # the reader refuses control characters here already
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(text, exc)]
    problems: list[Problem] = []
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [Problem(None, "", "empty")]
        return _convert(loader, root, "", problems), problems
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(text, exc)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or exc.context or "?"
        return None, [Problem(line, "", "syntax", {"detail": detail})]
    except yaml.YAMLError as exc:
        return None, [Problem(None, "", "syntax", {"detail": str(exc).splitlines()[0]})]
    except (RecursionError, _TooComplex):
        return None, [Problem(None, "", "syntax", {"detail": "nested or repeated too much"})]
    finally:
        loader.dispose()


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not accept (a control character): its line, and the character's code."""
    line = text.count("\n", 0, max(0, exc.position)) + 1
    return Problem(line, "", "syntax", {"detail": f"character #x{exc.character:04x} is not allowed"})


def walk(node: Node) -> Iterator[Node]:
    """Every node of a document, depth first (for checks that look at all texts)."""
    yield node
    if isinstance(node.value, dict):
        for child in node.value.values():
            yield from walk(child)
    elif isinstance(node.value, list):
        for child in node.value:
            yield from walk(child)
