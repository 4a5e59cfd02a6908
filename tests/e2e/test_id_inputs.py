"""Regression (BUG-1, BUG-2 found by the hostile-input test): ids typed too large for a 64-bit
integer, or with digits that are not ASCII (``²``), get a clear refusal, not an internal error."""

from __future__ import annotations

import pytest

from bot.ids import parse_id
from bot.sandbox.harness import LiaisonSandbox

BAD_IDS = ["99999999999999999999", "9223372036854775808", "²", "١٢", "0"]


def test_parse_id() -> None:
    assert parse_id("12") == 12
    assert parse_id("9223372036854775807") == 2**63 - 1
    for bad in [*BAD_IDS, "", "-1", "1e3", " 12"]:
        assert parse_id(bad) is None


@pytest.mark.parametrize("value", BAD_IDS)
async def test_bad_ids_are_refused_clearly(sandbox: LiaisonSandbox, value: str) -> None:
    user = sandbox.users.carol
    for command, options in (
        ("event info", {"event": value}),
        ("event rsvp", {"event": value}),
        ("event ics", {"event": value}),
        ("resource show", {"resource": value}),
        ("remind", {"when": f"1h before event:{value}", "what": "call"}),
    ):
        result = await sandbox.slash(command, user=user, **options)
        assert result.ephemeral, (command, result.content)
        assert "reference" not in result.content, (command, result.content)
    assert isinstance(await sandbox.autocomplete("resource show", "resource", value, user=user), list)
