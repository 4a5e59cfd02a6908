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
    rows = [{"type": 1, "components": [_button(5 * r + i) for i in range(5)]} for r in range(5)]
    assert limits.check_message({"components": rows}) == {}
    extra = {"type": 1, "components": [_button(99)]}
    assert "components" in limits.check_message({"components": [*rows, extra]})
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


def _cmd(**extra: object) -> dict[str, object]:
    return {"name": "resource", "description": "Library", "type": 1, **extra}


def _opt(name: str, required: bool = False, **extra: object) -> dict[str, object]:
    return {"type": 3, "name": name, "description": "d", "required": required, **extra}


def _codes(errors: limits.Errors) -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "_errors":
                    found.update(e["code"] for e in value)
                else:
                    walk(value)

    walk(errors)
    return found


def test_command_definitions_are_refused_as_discord_does() -> None:
    good = _cmd(
        options=[_opt("query", True), _opt("tag", autocomplete=True)],
        name_localizations={"fr": "ressource"},
        description_localizations={"fr": "Bibliothèque"},
    )
    assert limits.check_commands([good, {"name": "Show Profile", "type": 2, "description": ""}]) == {}
    assert limits.check_commands([_cmd(name="recherche-é_1")]) == {}  # letters of any script
    bad = {
        "upper case": [_cmd(name="Resource")],
        "a space": [_cmd(name="resource search")],
        "a dot": [_cmd(name="v1.2")],
        "too long": [_cmd(name="x" * 33)],
        "empty description": [_cmd(description="")],
        "duplicate commands": [_cmd(), _cmd()],
        "duplicate options": [_cmd(options=[_opt("a"), _opt("a")])],
        "required after optional": [_cmd(options=[_opt("a"), _opt("b", True)])],
        "bad locale key": [_cmd(name_localizations={"fr-FR": "ressource"})],
        "bad localized name": [_cmd(name_localizations={"fr": "Ressource"})],
        "empty localized description": [_cmd(description_localizations={"fr": ""})],
        "choice too long": [_cmd(options=[_opt("a", choices=[{"name": "n" * 101, "value": "v"}])])],
        "empty choice value": [_cmd(options=[_opt("a", choices=[{"name": "n", "value": ""}])])],
        "autocomplete and choices": [
            _cmd(options=[_opt("a", autocomplete=True, choices=[{"name": "n", "value": "v"}])])
        ],
        "subcommands mixed": [_cmd(options=[{"type": 1, "name": "s", "description": "d"}, _opt("a")])],
        "bad option in a subcommand": [
            _cmd(options=[{"type": 1, "name": "s", "description": "d", "options": [_opt("A")]}])
        ],
        "message command with a description": [{"name": "Report", "type": 3, "description": "x"}],
    }
    for why, commands in bad.items():
        assert limits.check_commands(commands), why
    assert "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID" in _codes(
        limits.check_commands(bad["required after optional"])
    )
    # the same name for a slash command and a user command is fine
    assert limits.check_commands([_cmd(), {"name": "resource", "type": 2, "description": ""}]) == {}


def test_components_and_mentions_are_refused_as_discord_does() -> None:
    row = {"type": 1, "components": [_button(1), _button(2, custom_id="c1")]}
    assert _codes(limits.check_message({"components": [row]})) == {"COMPONENT_CUSTOM_ID_DUPLICATED"}
    link = {"type": 2, "style": 5, "label": "Open", "url": "https://example.org"}
    assert limits.check_message({"components": [{"type": 1, "components": [link]}]}) == {}
    assert limits.check_message({"components": [{"type": 1, "components": [link | {"custom_id": "x"}]}]})
    assert limits.check_message(
        {"components": [{"type": 1, "components": [_button(1, url="https://example.org")]}]}
    )
    assert _codes(
        limits.check_message({"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}})
    ) == {"MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"}
    assert (
        limits.check_message({"content": "x", "allowed_mentions": {"parse": ["roles"], "users": ["1"]}}) == {}
    )
    text = {"type": 1, "components": [{"type": 4, "custom_id": "t", "label": "T", "style": 1}]}
    assert limits.check_modal({"title": "T", "custom_id": "m", "components": [text]}) == {}
    assert limits.check_modal({"title": "T", "custom_id": "m", "components": []})
    assert limits.check_modal({"title": "T", "custom_id": "m", "components": [text] * 6})
