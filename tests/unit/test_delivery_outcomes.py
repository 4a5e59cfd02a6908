"""Discord's failures as the delivery engine's outcomes (``bot.ui.messenger.delivery_outcomes``),
the one classification both senders (reminders, injects) use: retried, given up, or closed DMs."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest

from bot.delivery import Permanent, SendFailure, Transient, Unreachable
from bot.ui.messenger import delivery_outcomes


class _Response:
    def __init__(self, status: int) -> None:
        self.status, self.reason = status, "x"


def _http(kind: type[discord.HTTPException], status: int, code: int = 0) -> discord.HTTPException:
    response: Any = _Response(status)
    return kind(response, {"code": code, "message": "refused"})


@pytest.mark.parametrize(
    ("error", "dm", "outcome"),
    [
        (_http(discord.DiscordServerError, 503), False, Transient),
        (_http(discord.HTTPException, 429), True, Transient),
        (TimeoutError(), False, Transient),
        (aiohttp.ClientConnectionError(), True, Transient),
        (_http(discord.NotFound, 404, 10003), False, Permanent),  # unknown channel
        (_http(discord.Forbidden, 403, 50013), False, Permanent),  # missing permissions
        (_http(discord.Forbidden, 403, 50007), True, Unreachable),  # closed DMs
        (_http(discord.HTTPException, 400, 50007), True, Unreachable),
        (_http(discord.HTTPException, 400, 50035), False, Permanent),  # a form Discord refuses
    ],
)
def test_each_failure_has_one_outcome(error: Exception, dm: bool, outcome: type[SendFailure]) -> None:
    with pytest.raises(SendFailure) as raised, delivery_outcomes(dm=dm):
        raise error
    assert type(raised.value) is outcome and raised.value.__cause__ is error


def test_what_is_not_discords_passes_through() -> None:
    with pytest.raises(ValueError), delivery_outcomes(dm=False):
        raise ValueError("a bug of ours, not a delivery failure")
