"""The database layer files each posting with a "restricted" flag (``bot.db.postings.RESTRICTED``,
used by the triggers and by the in-memory index); it may not import the services, so it holds its
own copy of the labels' one rule. The two must name the same labels, or an AMBER resource could be
filed as open."""

from __future__ import annotations

from bot.db import postings
from bot.services import labels


def test_the_postings_flag_restricts_exactly_the_labels_rule() -> None:
    assert set(postings.RESTRICTED) == {str(label) for label in labels.RESTRICTED}
