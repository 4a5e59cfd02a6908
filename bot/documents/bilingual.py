"""A text given in one or more languages (one string, or ``{en: …, fr: …}``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.documents.problems import LANGUAGES


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
