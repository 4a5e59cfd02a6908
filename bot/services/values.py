"""Plain values out of ORM rows: the one way a service copies a row into the frozen dataclass it
returns (issue #16: services hand cogs plain values, never rows)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def copied(cls: type[T], row: object, **given: Any) -> T:
    """An instance of the dataclass ``cls`` whose fields are ``row``'s attributes of the same
    names, except those ``given`` (values the row does not hold, such as a search score)."""
    values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in given}  # type: ignore[arg-type]
    return cls(**values, **given)
