"""Discord's limits and mention rules, checked without a bot."""

from __future__ import annotations

from bot.sandbox import limits
from bot.sandbox.driver import Sandbox
from bot.sandbox.world import Flags


def _button(i: int, **extra: object) -> dict[str, object]:
    return {"type": 2, "style": 1, "label": f"b{i}", "custom_id": f"c{i}", **extra}


def test_message_limits() -> None:
    assert limits.check_message({"content": "x" * 2000}) == {}
    assert "content" in limits.check_message({"content": "x" * 2001})
    fields = [{"name": "n", "value": "v"}] * 26
    assert "embeds" in limits.check_message({"embeds": [{"fields": fields}]})
    six = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    errors = limits.check_message({"embeds": six})
    assert errors["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    assert "embeds" in limits.check_message({"embeds": [{"title": "t" * 257}]})
    assert "embeds" in limits.check_message({"embeds": [{}] * 11})
    rows = [{"type": 1, "components": [_button(i) for i in range(5)]}] * 5
    assert limits.check_message({"components": rows}) == {}
    assert "components" in limits.check_message({"components": [*rows, rows[0]]})
    wide = [{"type": 1, "components": [_button(i) for i in range(6)]}]
    assert "components" in limits.check_message({"components": wide})
    assert "components" in limits.check_message(
        {"components": [{"type": 1, "components": [_button(0, label="l" * 81)]}]}
    )
    menu = {"type": 3, "custom_id": "m", "options": [{"label": "o", "value": str(i)} for i in range(26)]}
    assert "components" in limits.check_message({"components": [{"type": 1, "components": [menu]}]})
    layout = [{"type": 10, "content": "t"}] * 41
    assert "components" in limits.check_message({"components": layout, "flags": 1 << 15})
    assert limits.check_message({"components": layout[:40], "flags": 1 << 15}) == {}
    assert "choices" in limits.check_choices([{"name": "a", "value": "a"}] * 26)


async def test_mentions_respect_allowed_mentions_and_permissions() -> None:
    sandbox = await Sandbox.start()
    try:
        world, users, general = sandbox.world, sandbox.users, sandbox.channels.general
        mods, coords = sandbox.roles.moderators, sandbox.roles.coordinators
        text = f"{users.alice.mention} {mods.mention} {coords.mention} @everyone @here"
        by_bruno = world.post(general, users.bruno.id, content=text)
        # a member without Mention Everyone pings users and mentionable roles only
        assert world.mentions_that_would_ping(by_bruno) == {users.alice.id, f"role:{mods.id}"}
        by_bot = world.post(general, world.bot.id, content=text)
        assert world.mentions_that_would_ping(by_bot) == {
            users.alice.id,
            f"role:{mods.id}",
            f"role:{coords.id}",
            "everyone",
            "here",
        }
        none = world.post(general, world.bot.id, content=text, allowed_mentions={"parse": []})
        assert world.mentions_that_would_ping(none) == set()
        hidden = world.post(general, world.bot.id, content=text, flags=Flags.EPHEMERAL)
        assert world.mentions_that_would_ping(hidden) == set()
        reply = world.post(
            general, world.bot.id, content="ok", message_reference={"message_id": str(by_bruno.id)}
        )
        assert world.mentions_that_would_ping(reply) == {users.bruno.id}
        quiet_reply = world.post(
            general,
            world.bot.id,
            content="ok",
            allowed_mentions={"parse": []},
            message_reference={"message_id": str(by_bruno.id)},
        )
        assert world.mentions_that_would_ping(quiet_reply) == set()
    finally:
        await sandbox.close()
