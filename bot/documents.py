"""Human-written document files (scenarios, courses): YAML read with line numbers, validated in full.

A facilitator writes a file in a text editor; Liaison must then tell them *every* mistake at once,
each with its line, rather than stop at the first. This module is the shared, format-agnostic part:

- :func:`parse_yaml` reads YAML (PyYAML, safe loader) into :class:`Node` values that remember the
  line where each value starts (mappings, lists and scalars alike), plus the scalar's raw text so
  that ``time: 01:20`` or ``no`` are not silently turned into a number or a boolean.
- :class:`Checker` offers typed helpers (``mapping``, ``text``, ``bilingual``, ``integer``,
  ``choice``, ``items``, ``resource_ids``…) that return the converted value or ``None`` and
  *collect* a :class:`Problem` (line, location, code, parameters) for each mistake.
- :class:`Bilingual` is a text given either as one string or as ``{en: …, fr: …}``.

Problems carry a code and parameters; :meth:`Problem.message` renders them in English (the command
line) or through a translation function (the bot, in the caller's language, keys
``document.error.<code>`` in the catalogs). Nothing here imports discord or touches a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

LANGUAGES = ("en", "fr")

# English wording of every problem code; the catalogs hold the same under ``document.error.<code>``.
ENGLISH: dict[str, str] = {
    "syntax": "this is not valid YAML: {detail}",
    "empty": "the file is empty",
    "too_large": "the file is too large (at most {max} bytes)",
    "not_text": "the file is not UTF-8 text",
    "duplicate_key": "'{key}' is given twice (first on line {first})",
    "unknown_key": "unknown field '{key}' (expected one of: {allowed})",
    "missing": "the field '{key}' is required",
    "type_mapping": "expected a set of fields (key: value)",
    "type_list": "expected a list (lines starting with '- ')",
    "type_text": "expected a text",
    "type_integer": "expected a whole number",
    "type_boolean": "expected true or false",
    "blank": "this text is empty",
    "too_long": "this text is too long ({length} characters, at most {max})",
    "too_few": "at least {min} item(s) expected, found {count}",
    "too_many": "at most {max} item(s) allowed, found {count}",
    "range": "expected a number from {min} to {max}",
    "choice": "'{value}' is not one of: {allowed}",
    "language": "unknown language '{value}' (expected: {allowed})",
    "language_missing": "a text in '{language}' is required",
    "resource_id": "'{value}' is not a resource id (a positive number such as 12)",
    "duplicate": "'{value}' is used twice (first on line {first})",
}


def register_messages(messages: Mapping[str, str]) -> None:
    """Add a format's own problem codes (English wording; ``document.error.<code>`` in catalogs)."""
    ENGLISH.update(messages)


@dataclass(frozen=True)
class Problem:
    """One mistake in a document: where (line, dotted location) and what (code and parameters)."""

    line: int | None
    where: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, translate: Callable[..., str] | None = None) -> str:
        """The mistake in words: English, or through ``translate(key, **params)`` (a catalog lookup)."""
        params = dict(self.params)
        if translate is not None:
            return translate(f"document.error.{self.code}", **params)
        template = ENGLISH.get(self.code, self.code)
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template

    def describe(self, translate: Callable[..., str] | None = None, *, line_word: str = "line") -> str:
        """``line 12: injects[3].title: this text is empty`` (the form the command line prints)."""
        head = f"{line_word} {self.line}" if self.line is not None else ""
        parts = [p for p in (head, self.where) if p]
        return ": ".join([*parts, self.message(translate)])


class DocumentInvalid(Exception):
    """A document was refused; ``problems`` holds every mistake found, in line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.where))
        super().__init__("; ".join(p.describe() for p in self.problems[:5]))


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


@dataclass(frozen=True)
class Bilingual:
    """A text in one or more languages (``{"en": …, "fr": …}``); :meth:`get` falls back sensibly."""

    texts: Mapping[str, str]

    @classmethod
    def of(cls, value: str | Mapping[str, str], language: str = "en") -> Bilingual:
        return cls({language: value} if isinstance(value, str) else dict(value))

    def get(self, language: str, fallback: str = "en") -> str:
        """The text in ``language``, else in ``fallback``, else in whichever language it has."""
        for lang in (language, fallback, *LANGUAGES):
            if self.texts.get(lang):
                return self.texts[lang]
        return next(iter(self.texts.values()), "")

    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def to_json(self) -> dict[str, str]:
        return dict(self.texts)

    @classmethod
    def from_json(cls, value: Any) -> Bilingual:
        if isinstance(value, str):
            return cls({"en": value})
        return cls({str(k): str(v) for k, v in (value or {}).items()})

    def __bool__(self) -> bool:
        return any(self.texts.values())


_RESOURCE_ID = re.compile(r"^(?:resource:|#)?\s*(\d{1,18})$", re.IGNORECASE)


class Checker:
    """Typed reading of :class:`Node` values that collects every problem instead of raising.

    Each helper returns the converted value, or ``None`` when the value is missing or wrong (and then
    a problem has been recorded). ``default_language`` is the language a plain string is taken to be
    in for :meth:`bilingual`.
    """

    def __init__(self, problems: Iterable[Problem] = (), *, default_language: str = "en") -> None:
        self.problems: list[Problem] = list(problems)
        self.default_language = default_language

    # -- recording ----------------------------------------------------------------------------
    def error(self, node: Node | None, code: str, *, line: int | None = None, **params: Any) -> None:
        where = node.where if node is not None else ""
        self.problems.append(
            Problem(line if line is not None else (node.line if node else None), where, code, params)
        )

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_any(self) -> None:
        if self.problems:
            raise DocumentInvalid(self.problems)

    # -- structure ----------------------------------------------------------------------------
    def mapping(
        self,
        node: Node | None,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        parent: Node | None = None,
    ) -> dict[str, Node] | None:
        """The fields of a mapping; reports missing required keys and unknown keys (by their line)."""
        if node is None:
            return None
        if not node.is_mapping():
            self.error(node, "type_mapping")
            return None
        required = tuple(required)
        allowed = (*required, *optional)
        fields: dict[str, Node] = node.value
        for key in fields:
            if key not in allowed:
                self.error(
                    fields[key],
                    "unknown_key",
                    line=node.key_lines.get(key),
                    key=key,
                    allowed=", ".join(allowed),
                )
        for key in required:
            if key not in fields:  # present but empty: the value's own helper says "empty"
                self.error(node, "missing", key=key)
        return {k: v for k, v in fields.items() if k in allowed}

    def items(self, node: Node | None, *, minimum: int = 0, maximum: int | None = None) -> list[Node]:
        """The elements of a list (a single value counts as a list of one when ``minimum`` allows)."""
        if node is None or node.value is None:
            if minimum:
                self.error(node, "too_few", min=minimum, count=0)
            return []
        if not node.is_list():
            self.error(node, "type_list")
            return []
        values: list[Node] = node.value
        if len(values) < minimum:
            self.error(node, "too_few", min=minimum, count=len(values))
        if maximum is not None and len(values) > maximum:
            self.error(node, "too_many", max=maximum, count=len(values))
        return values

    # -- scalars ------------------------------------------------------------------------------
    def text(
        self, node: Node | None, *, required: bool = True, max_length: int = 4000, key: str = ""
    ) -> str | None:
        """A string; numbers, dates or booleans written plainly are taken as the text they were."""
        if node is None or node.value is None:
            if required and node is not None:
                self.error(node, "blank")
            return None
        if node.is_mapping() or node.is_list():
            self.error(node, "type_text")
            return None
        value = node.value if isinstance(node.value, str) else (node.raw or str(node.value))
        value = value.strip()
        if not value:
            if required:
                self.error(node, "blank")
            return None
        if len(value) > max_length:
            self.error(node, "too_long", length=len(value), max=max_length)
            return None
        return value

    def bilingual(
        self,
        node: Node | None,
        *,
        required: bool = True,
        max_length: int = 4000,
        languages: Iterable[str] = LANGUAGES,
        require_languages: Iterable[str] = (),
    ) -> Bilingual | None:
        """A text given as one string, or as ``{en: …, fr: …}`` (only the ``languages`` allowed)."""
        if node is None or node.value is None:
            if required and node is not None:
                self.error(node, "blank")
            return None
        allowed = tuple(languages)
        if node.is_mapping():
            texts: dict[str, str] = {}
            for lang, sub in node.value.items():
                if lang not in allowed:
                    self.error(
                        sub, "language", line=node.key_lines.get(lang), value=lang, allowed=", ".join(allowed)
                    )
                    continue
                value = self.text(sub, max_length=max_length)
                if value is not None:
                    texts[lang] = value
            for lang in require_languages:
                if lang not in node.value:
                    self.error(node, "language_missing", language=lang)
            if not texts:
                if not node.value and required:
                    self.error(node, "blank")
                return None
            return Bilingual(texts)
        value = self.text(node, required=required, max_length=max_length)
        return Bilingual({self.default_language: value}) if value is not None else None

    def integer(
        self, node: Node | None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int):
            raw = (node.raw or "").strip()
            if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", raw):
                value = int(raw)
            else:
                self.error(node, "type_integer")
                return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.error(node, "range", min=minimum, max=maximum)
            return None
        return int(value)

    def boolean(self, node: Node | None) -> bool | None:
        if node is None or node.value is None:
            return None
        if isinstance(node.value, bool):
            return node.value
        self.error(node, "type_boolean")
        return None

    def choice(
        self, node: Node | None, choices: Iterable[str], *, case_sensitive: bool = False
    ) -> str | None:
        """One of ``choices`` (returned as spelled in ``choices``)."""
        value = self.text(node)
        if value is None:
            return None
        options = tuple(choices)
        for option in options:
            if value == option or (not case_sensitive and value.casefold() == option.casefold()):
                return option
        self.error(node, "choice", value=value, allowed=", ".join(options))
        return None

    def language(self, node: Node | None, languages: Iterable[str] = LANGUAGES) -> str | None:
        value = self.text(node)
        if value is None:
            return None
        allowed = tuple(languages)
        if value.lower() in allowed:
            return value.lower()
        self.error(node, "language", value=value, allowed=", ".join(allowed))
        return None

    def resource_id(self, node: Node | None) -> int | None:
        """A library resource by id: ``12``, ``"#12"`` or ``"resource:12"``."""
        if node is None or node.value is None:
            return None
        raw = (node.raw if node.raw is not None else str(node.value)).strip()
        match = _RESOURCE_ID.match(raw) if not (node.is_list() or node.is_mapping()) else None
        if match is None or int(match.group(1)) < 1:
            self.error(node, "resource_id", value=raw if node.raw is not None else "…")
            return None
        return int(match.group(1))

    def resource_ids(self, node: Node | None, *, maximum: int = 20) -> list[int]:
        """A list of resource ids (or a single one); duplicates are reported."""
        if node is None or node.value is None:
            return []
        elements = [node] if not node.is_list() else self.items(node, maximum=maximum)
        seen: dict[int, int] = {}
        ids: list[int] = []
        for element in elements:
            value = self.resource_id(element)
            if value is None:
                continue
            if value in seen:
                self.error(element, "duplicate", value=value, first=seen[value])
                continue
            seen[value] = element.line
            ids.append(value)
        return ids

    def unique(self, entries: Iterable[tuple[str, Node]]) -> None:
        """Report every value given twice among ``entries`` ((value, node) pairs; case-insensitive)."""
        first: dict[str, int] = {}
        for value, node in entries:
            folded = value.casefold()
            if folded in first:
                self.error(node, "duplicate", value=value, first=first[folded])
            else:
                first[folded] = node.line


def walk(node: Node) -> Iterator[Node]:
    """Every node of a document, depth first (for checks that look at all texts)."""
    yield node
    if isinstance(node.value, dict):
        for child in node.value.values():
            yield from walk(child)
    elif isinstance(node.value, list):
        for child in node.value:
            yield from walk(child)
