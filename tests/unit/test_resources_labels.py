"""The sharing-label rule (bot.services.labels), used by resources and Q&A."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Invalid
from bot.services import labels
from bot.services.labels import Label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TLP:CLEAR", Label.CLEAR),
        ("tlp:green", Label.GREEN),
        (" Amber ", Label.AMBER),
        ("TLP:AMBER+STRICT", Label.AMBER_STRICT),
        ("tlp: amber + strict", Label.AMBER_STRICT),
        ("TLP:WHITE", Label.CLEAR),
        ("", Label.GREEN),
        (None, Label.GREEN),
    ],
)
def test_parse(text: str | None, expected: Label) -> None:
    assert labels.parse(text) == expected


@pytest.mark.parametrize("text", ["TLP:RED", "red", "tlp:red"])
def test_red_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        labels.parse(text)
    assert caught.value.key == "label.red_refused"


@pytest.mark.parametrize("text", ["purple", "TLP:GREEN+STRICT", "TLP:AMBER;DROP", "x" * 100])
def test_unknown_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        labels.parse(text)
    assert caught.value.key == "label.unknown"
    assert len(caught.value.params["value"]) <= 30


def test_visibility_and_ephemerality() -> None:
    assert labels.visible_labels(False) == (Label.CLEAR, Label.GREEN)
    assert set(labels.visible_labels(True)) == set(Label)
    assert not labels.may_see("TLP:AMBER", False)
    assert labels.may_see("TLP:AMBER+STRICT", True)
    assert labels.must_be_ephemeral(["TLP:GREEN", "TLP:AMBER"])
    assert not labels.must_be_ephemeral(["TLP:GREEN", "TLP:CLEAR"])
    assert not labels.must_be_ephemeral([])


async def test_moderators_are_verified_and_others_follow_experts(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        assert await labels.is_verified(session, 1, 2, clock.now(), is_moderator=True)
        # A member without a verified expert profile (or before the experts feature exists).
        assert not await labels.is_verified(session, 1, 2, clock.now())
