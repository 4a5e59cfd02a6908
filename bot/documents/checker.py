"""Typed reading of a document's nodes that collects every problem instead of raising."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.documents.bilingual import Bilingual
from bot.documents.nodes import Node
from bot.documents.problems import LANGUAGES, DocumentInvalid, Problem

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
