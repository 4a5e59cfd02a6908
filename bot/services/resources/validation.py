"""What a resource may hold: every field checked and normalised here, once, for every way in
(command, suggestion, edit, import). Lengths are bounded so that any answer fits Discord's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.errors import Invalid
from bot.i18n import LANGUAGES
from bot.services import labels

_SPACE = re.compile(r"\s")
TITLE_MAX = 200
URL_MAX = 500
DESCRIPTION_MAX = 1000
TAG_MAX = 40
TAGS_MAX = 10
REASON_MAX = 500
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "anglais": "en",
    "fr": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
}


@dataclass(frozen=True)
class Fields:
    """A resource's user-given fields, validated."""

    title: str
    url: str
    description: str
    tags: tuple[str, ...]
    language: str
    label: str

    @property
    def tags_text(self) -> str:
        return ", ".join(self.tags)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def title(text: str | None) -> str:
    value = _one_line(text)
    if not value:
        raise Invalid("error.required", field="title")
    if len(value) > TITLE_MAX:
        raise Invalid("error.too_long", field="title", limit=TITLE_MAX)
    return value


def url(text: str | None) -> str:
    """``http``/``https`` with a host, kept exactly as given (never rewritten), spaces refused."""
    value = (text or "").strip()
    if not value:
        raise Invalid("error.required", field="url")
    if len(value) > URL_MAX:
        raise Invalid("error.too_long", field="url", limit=URL_MAX)
    try:
        parts = urlsplit(value)
    except ValueError:
        raise Invalid("resource.bad_url", value=value[:80]) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _SPACE.search(value) is not None:
        raise Invalid("resource.bad_url", value=value[:80])
    return value


def description(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > DESCRIPTION_MAX:
        raise Invalid("error.too_long", field="description", limit=DESCRIPTION_MAX)
    return value


def tag(text: str | None) -> str:
    """One tag: trimmed, lower case, inner spaces collapsed."""
    value = _one_line(text).lower().strip("#")
    if len(value) > TAG_MAX:
        raise Invalid("resource.tag_too_long", tag=value[:TAG_MAX], limit=TAG_MAX)
    return value


def tags(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Comma-separated text (or a list) -> distinct normalised tags, in the order first given."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    seen: dict[str, None] = {}
    for item in items:
        normalised = tag(str(item))
        if normalised:
            seen.setdefault(normalised, None)
    if len(seen) > TAGS_MAX:
        raise Invalid("resource.too_many_tags", limit=TAGS_MAX)
    return tuple(seen)


def language(text: str | None, default: str = "en") -> str:
    value = (text or "").strip().lower()
    if not value:
        return default
    code = _LANGUAGE_NAMES.get(value)
    if code is None or code not in LANGUAGES:
        raise Invalid("error.bad_language", value=value[:20])
    return code


def reason(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > REASON_MAX:
        raise Invalid("error.too_long", field="reason", limit=REASON_MAX)
    return value


def fields(
    *,
    title_text: str | None,
    url_text: str | None,
    description_text: str | None,
    tags_value: str | list[str] | tuple[str, ...] | None,
    language_text: str | None = None,
    label_text: str | None = None,
) -> Fields:
    return Fields(
        title=title(title_text),
        url=url(url_text),
        description=description(description_text),
        tags=tags(tags_value),
        language=language(language_text),
        label=labels.parse(label_text).value,
    )
