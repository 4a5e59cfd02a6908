"""``bot.ui.respond``: how commands are acknowledged, and answers keeping their own visibility
whatever the deferral guessed (a fake interaction records what would be sent to Discord)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from bot.ui import respond
from bot.ui.respond import Ack, NotAcknowledged, ack_mode, acknowledge


class FakeResponse:
    def __init__(self, calls: list[tuple[str, dict[str, Any]]], fail: bool = False) -> None:
        self.calls, self.fail, self.done = calls, fail, False

    def is_done(self) -> bool:
        return self.done

    async def defer(self, **kwargs: Any) -> None:
        if self.fail:
            raise discord.NotFound(FakeHttpResponse(), {"code": 10062, "message": "Unknown interaction"})
        self.calls.append(("defer", kwargs))
        self.done = True

    async def send_message(self, content: Any = None, **kwargs: Any) -> None:
        self.calls.append(("send_message", {"content": content, **kwargs}))
        self.done = True

    async def edit_message(self, **kwargs: Any) -> None:
        self.calls.append(("edit_message", kwargs))
        self.done = True


class FakeHttpResponse:
    status = 404
    reason = "Not Found"


class FakeFollowup:
    def __init__(self, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.calls = calls

    async def send(self, content: Any = None, **kwargs: Any) -> str:
        self.calls.append(("followup", {"content": content, **kwargs}))
        return "message"


class FakeInteraction:
    def __init__(self, command: Any = None, *, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.response = FakeResponse(self.calls, fail)
        self.followup = FakeFollowup(self.calls)
        self.extras: dict[str, Any] = {}
        self.command = command

    async def delete_original_response(self) -> None:
        self.calls.append(("delete_original", {}))

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.calls.append(("edit_original", kwargs))


def _command(callback: Any) -> app_commands.Command[Any, ..., Any]:
    return app_commands.Command(name="x", description="x", callback=callback)


async def _plain(interaction: discord.Interaction[Any]) -> None: ...


async def _later(interaction: discord.Interaction[Any]) -> None: ...


@acknowledge(Ack.PUBLIC)
async def _public(interaction: discord.Interaction[Any]) -> None: ...


@acknowledge(Ack.NONE)
async def _modal(interaction: discord.Interaction[Any]) -> None: ...


def test_commands_are_deferred_privately_unless_they_say_otherwise() -> None:
    assert ack_mode(_command(_plain)) is Ack.PRIVATE
    assert ack_mode(_command(_public)) is Ack.PUBLIC
    assert ack_mode(_command(_modal)) is Ack.NONE
    assert ack_mode(acknowledge(Ack.PUBLIC)(_command(_later))) is Ack.PUBLIC  # above @command too
    assert ack_mode(None) is Ack.NONE


@pytest.mark.parametrize(("callback", "ephemeral"), [(_plain, True), (_public, False)])
async def test_acknowledged_first_with_a_thinking_message(callback: Any, ephemeral: bool) -> None:
    fake = FakeInteraction(_command(callback))
    await respond.acknowledge_first(fake)  # type: ignore[arg-type]
    assert fake.calls == [("defer", {"ephemeral": ephemeral, "thinking": True})]
    assert respond.thinking(fake) == ("private" if ephemeral else "public")  # type: ignore[arg-type]


async def test_a_modal_command_is_not_deferred() -> None:
    fake = FakeInteraction(_command(_modal))
    await respond.acknowledge_first(fake)  # type: ignore[arg-type]
    assert fake.calls == [] and not fake.response.is_done()


async def test_a_refused_acknowledgement_stops_the_command() -> None:
    fake = FakeInteraction(_command(_plain), fail=True)
    with pytest.raises(NotAcknowledged):
        await respond.acknowledge_first(fake)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("deferred", "ephemeral", "retracted"),
    [(False, True, True), (False, False, False), (True, True, False), (True, False, True)],
)
async def test_the_answer_keeps_its_own_visibility(deferred: bool, ephemeral: bool, retracted: bool) -> None:
    """A thinking message of the other visibility is deleted before the answer, never replaced
    by it (Discord would give the answer the deferral's visibility)."""
    fake = FakeInteraction()
    await respond.defer(fake, ephemeral=deferred)  # type: ignore[arg-type]
    await respond.send(fake, "answer", ephemeral=ephemeral)  # type: ignore[arg-type]
    kinds = [kind for kind, _ in fake.calls]
    assert kinds == ["defer", *(["delete_original"] if retracted else []), "followup"]
    assert fake.calls[-1][1]["ephemeral"] is ephemeral and fake.calls[-1][1]["content"] == "answer"
    assert respond.thinking(fake) is None  # type: ignore[arg-type]
    await respond.send(fake, "more", ephemeral=not ephemeral)  # type: ignore[arg-type]
    assert [kind for kind, _ in fake.calls][len(kinds) :] == ["followup"]  # later ones: as asked


async def test_not_acknowledged_yet_answers_as_the_response() -> None:
    fake = FakeInteraction()
    await respond.send(fake, "hello", ephemeral=True)  # type: ignore[arg-type]
    assert fake.calls == [
        ("send_message", {"content": "hello", "ephemeral": True, "allowed_mentions": respond.NO_MENTIONS})
    ]


async def test_a_component_is_updated_in_place_before_or_after_its_deferral() -> None:
    fresh = FakeInteraction()
    await respond.update(fresh, content="now")  # type: ignore[arg-type]
    deferred = FakeInteraction()
    await respond.defer_update(deferred)  # type: ignore[arg-type]
    await respond.update(deferred, content="later")  # type: ignore[arg-type]
    assert fresh.calls == [("edit_message", {"content": "now"})]
    assert deferred.calls == [("defer", {}), ("edit_original", {"content": "later"})]
