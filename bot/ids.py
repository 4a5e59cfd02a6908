"""The one rule for a row id typed by a user: ASCII digits that fit a 64-bit integer.

``str.isdigit`` accepts ``²`` and any length; SQLite refuses integers past 2**63 - 1.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """The id written in ``text``, or None when it is not a storable id."""
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
