"""The sandbox console: a scripted session against a fresh database (seeded with the sample data),
checked on its transcript; and ``python -m bot sandbox --script`` as an operator runs it."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import render
from bot.sandbox.cli import open_sandbox, run_session
from bot.sandbox.console import Console
from bot.sandbox.world import ChannelType, Message, World
from tests.e2e.conftest import ErrorLog

ROOT = Path(__file__).resolve().parents[2]
SESSION = """\
# a member searches, a moderator-only command is refused, bruno gets French
as carol
/resource search query: detection
/liaison stats
as bruno
/resource search query: détection
/resource show resource: 8
as alice
/resource review
click Reject
modal Reason=Already in the library as the RIID operating sheet
complete /resource show resource: port
read dms carol
say t1 Thanks, the re-scan at low speed cleared it.
channels
read qa
time +2h
"""


def blocks(transcript: str) -> dict[str, str]:
    """Each echoed command line -> what followed it, up to the next command."""
    out: dict[str, str] = {}
    current = None
    for line in transcript.splitlines():
        name, sep, command = line.partition("> ")
        if sep and name.split(" ")[0].isalpha() and not line.startswith(" "):
            current = command
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    db_file = tmp_path / "console.db"
    shutil.copyfile(migrated_template, db_file)
    return f"sqlite+aiosqlite:///{db_file}"


async def test_scripted_session(db_url: str, error_log: ErrorLog) -> None:
    out = io.StringIO()
    assert await run_session(db_url, SESSION.splitlines(), out, db_label="console.db") == 0
    transcript = out.getvalue()
    assert "Fresh database: server set up and sample data written (12 resources" in transcript
    said = blocks(transcript)

    assert "Resources for “detection”" in said["/resource search query: detection"]
    assert "IAEA NSS 21" in said["/resource search query: detection"]
    refused = said["/liaison stats"]
    assert "[ephemeral — only you]" in refused and "Only moderators can use this command." in refused

    assert "Ressources pour « détection »" in said["/resource search query: détection"]
    amber = said["/resource show resource: 8"]  # TLP:AMBER: bruno is not verified
    assert "Portal monitor alarm adjudication" not in amber and "[ephemeral — only you]" in amber

    review = said["/resource review"]
    assert "Handheld gamma spectrometry" in review and "[2] Reject" in review
    assert "-- form:" in said["click Reject"] and "Reason" in said["click Reject"]
    rejected = said["modal Reason=Already in the library as the RIID operating sheet"]
    assert "~~ meanwhile ~~" in rejected and "DM to carol" in rejected
    assert ") Portal monitor alarm adjudication" in said["complete /resource show resource: port"]
    assert "Already in the library" in said["read dms carol"]
    assert "(posted in thread" in said["say t1 Thanks, the re-scan at low speed cleared it."]
    assert "t2" in said["channels"] and "#qa" in said["channels"]
    assert "a forum with 2 posts" in said["read qa"] and "t2  Quelle procédure" in said["read qa"]

    moved = said["time +2h"]
    assert "(real time + 2:00:00)" in moved
    if importlib.util.find_spec("cogs.events") is not None:  # the tabletop's 1d reminder is due
        assert "~~ meanwhile ~~" in moved and "Tabletop exercise" in moved
    assert not error_log.records


async def test_console_commands_and_mistakes(db_url: str) -> None:
    sandbox, seeded = await open_sandbox(db_url, seed=False)
    out = io.StringIO()
    try:
        assert seeded is None
        console = Console(sandbox, out)
        await console.run(
            [
                "as nobody",
                "as new frida fr",
                "/resource tags",
                "frobnicate",
                "click 1",
                "modal a=b",
                "/resource nosuch",
                "in dm",
                "members",
                "restart",
                "/resource search query: x",
                "quit",
                "/resource tags",
            ],
            echo=True,
        )
    finally:
        await sandbox.close()
    said = blocks(out.getvalue())
    assert console.failures == 5  # as nobody, frobnicate, click 1, modal a=b, /resource nosuch
    assert "! no member 'nobody'" in said["as nobody"]
    assert "frida joined the server (locale fr)" in said["as new frida fr"]
    assert "aucun mot-clé" in said["/resource tags"]  # frida speaks French; nothing seeded
    assert "unknown console command 'frobnicate'" in said["frobnicate"]
    assert "! no message with buttons" in said["click 1"]
    assert "! no form is open" in said["modal a=b"]
    assert "! unknown subcommand 'nosuch' of /resource (subcommands: search," in said["/resource nosuch"]
    assert "now in DM to frida" in said["in dm"]
    assert "* frida" in said["members"]
    assert "bot restarted on the same database" in said["restart"]
    assert (
        "-- Liaison in DM to frida" in said["/resource search query: x"]
        or "!" in said["/resource search query: x"]
    )
    assert out.getvalue().count("/resource tags") == 1  # nothing runs after quit


async def test_select_reads_option_numbers(db_url: str) -> None:
    """No Liaison view has a select menu yet: a message with one is placed in #general, and the
    console must send the values a member picked (by number or by value)."""
    sandbox, _ = await open_sandbox(db_url, seed=False)
    out = io.StringIO()
    try:
        console = Console(sandbox, out)
        console.timeout = 0.2  # nobody answers this menu
        menu = {
            "type": 3,
            "custom_id": "pick",
            "placeholder": "Topic",
            "max_values": 2,
            "options": [{"label": "Border", "value": "border"}, {"label": "Forensics", "value": "forensics"}],
        }
        sandbox.world.post(
            sandbox.channels.general,
            sandbox.world.bot.id,
            content="Pick",
            components=[{"type": 1, "components": [menu]}],
        )
        console.seen = 0  # as on a kept database: what the bot posted while starting is shown
        console.banner("kept.db", None, 0.1)
        await console.run(["read general", "select 1 2,border", "select 2 x"], echo=True)
    finally:
        await sandbox.close()
    assert out.getvalue().index("~~ posted while the bot started ~~") < out.getvalue().index("You are alice")
    assert "select 1: Topic" in out.getvalue() and "2) Forensics = forensics" in out.getvalue()
    assert sandbox.last_interaction is not None
    assert sandbox.last_interaction.payload["data"]["values"] == ["forensics", "border"]
    assert "! no select menu 2 (the message has 1)" in out.getvalue()


def test_render_where_mentions_and_numbering() -> None:
    world = World()
    guild = world.create_guild("G", world.create_user("owner"))
    general = world.create_channel(guild, "general")
    thread = world.create_channel(guild, "Portal alarm", ChannelType.PUBLIC_THREAD, parent_id=general.id)
    bruno = world.create_user("bruno")
    assert render.where(world, thread) == 'thread "Portal alarm" in #general'
    assert render.where(world, world.dm_channel(bruno)) == "DM to bruno"
    assert render.readable(world, f"hi <@{bruno.id}> in <#{general.id}>") == "hi @bruno in #general"
    msg = Message(
        id=1,
        channel_id=general.id,
        author_id=world.bot.id,
        embeds=[{"title": "T", "fields": [{"name": "N", "value": "V"}], "footer": {"text": "F"}}],
        components=[
            {
                "type": 1,
                "components": [
                    {"type": 2, "label": "Yes", "style": 3, "custom_id": "y"},
                    {"type": 2, "label": "Docs", "style": 5, "url": "https://x"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "s",
                        "placeholder": "Pick",
                        "options": [{"label": "One", "value": "1"}],
                    }
                ],
            },
        ],
        flags=64,
    )
    text = "\n".join(render.message_lines(world, msg))
    assert "[ephemeral — only you]" in text and "** T **" in text and "-- F" in text
    assert "[1] Yes  [2] Docs -> https://x" in text and "select 1: Pick" in text and "1) One = 1" in text


def test_command_line_script(tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text("/resource search query: cppnm\nas bruno\n/resource tags\n", encoding="utf-8")
    db_file = tmp_path / "sub" / "sandbox.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--script", str(script), "--db", str(db_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "alice> /resource search query: cppnm" in result.stdout
    assert "CPPNM and its 2005 Amendment" in result.stdout
    assert "bruno> /resource tags" in result.stdout and "Mots-clés de la bibliothèque" in result.stdout
    assert "Traceback" not in result.stderr
    assert db_file.exists()


def test_missing_script_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["sandbox", "--script", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("liaison: cannot read script") and err.count("\n") == 1


async def test_perm_removes_and_gives_back_a_bot_permission(db_url: str) -> None:
    sandbox, _ = await open_sandbox(db_url, seed=False)
    out = io.StringIO()
    try:
        console = Console(sandbox, out)
        await console.run(
            [
                "perm deny general embed_links",
                "perm allow general embed_links",
                "perm deny review view_channel",
                "perm deny general frobnicate",
            ],
            echo=True,
        )
        assert not sandbox.world.can_view(sandbox.channels.review, sandbox.world.bot.id)
    finally:
        await sandbox.close()
    said = blocks(out.getvalue())
    assert "the bot sees #general" in said["perm deny general embed_links"]
    assert "embed_links" not in said["perm deny general embed_links"]
    assert "embed_links" in said["perm allow general embed_links"]
    assert "the bot cannot see #review: no permission" in said["perm deny review view_channel"]
    assert "! unknown permission: 'frobnicate'" in said["perm deny general frobnicate"]
    assert console.failures == 1
