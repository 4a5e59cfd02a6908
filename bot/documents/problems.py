"""Problems found in a document: where (line, location) and what (a code and its parameters),
rendered in English for the command line or through the catalogs in the caller's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
