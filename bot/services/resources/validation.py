"""What a resource may hold: every field checked and normalised here, once, for every way in
(command, suggestion, edit, import). Lengths are bounded so that any answer fits Discord's limits."""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.errors import Invalid
from bot.i18n import LANGUAGES
from bot.services import labels

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
    """``http``/``https`` with a public host, kept exactly as given (never rewritten).

    Refused: spaces, ``<``, ``>``, control and bidirectional characters (they could break out of
    the ``<…>`` the bot shows links in, or make a link read backwards); a user name before the host
    (``https://iaea.org@evil.example/`` goes to evil.example); and hosts that are not on the public
    internet: ``localhost``, loopback, private, link-local, shared, multicast and reserved
    addresses, IPv4 or IPv6, however written (``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]``).
    An internationalised domain is accepted when it has an ASCII (punycode) form, which is what
    members are shown."""
    value = (text or "").strip()
    if not value:
        raise Invalid("error.required", field="url")
    if len(value) > URL_MAX:
        raise Invalid("error.too_long", field="url", limit=URL_MAX)
    shown = _shown(value)
    if any(_forbidden(char) for char in value):
        raise Invalid("resource.url_characters", value=shown)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise Invalid("resource.bad_url", value=shown) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not parts.hostname:
        raise Invalid("resource.bad_url", value=shown)
    if "@" in parts.netloc:
        raise Invalid("resource.url_userinfo", value=shown)
    host = parts.hostname.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Invalid("resource.bad_url", value=shown) from None
    if not _public_host(host):
        raise Invalid("resource.url_private", value=shown)
    return value


_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]*[0-9][0-9a-fx.]*$")


def _forbidden(char: str) -> bool:
    return char.isspace() or char in "<>" or char in _BIDI or unicodedata.category(char) in ("Cc", "Cf")


def _shown(value: str) -> str:
    """The refused value as it may be repeated in a refusal: no control characters or backticks."""
    return "".join(c for c in value if not _forbidden(c) and c != "`")[:80]


def _public_host(host: str) -> bool:
    """False for names and addresses that are not on the public internet."""
    name = host.lower()
    if name == "localhost" or name.endswith(".localhost") or not name:
        return False
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if _NUMERIC_HOST.match(name):  # legacy IPv4 forms: 2130706433, 0x7f.1, 0177.0.0.1, 127.1
            try:
                address = ipaddress.IPv4Address(socket.inet_aton(name))
            except OSError:
                address = None
    if address is None:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


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
