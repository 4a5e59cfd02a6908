"""The table of what Liaison needs per feature, read against what it has; and the run-time notes
that tell the moderators once per channel and permission."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from bot import i18n
from bot import permissions_needed as table
from bot.db import Database
from bot.services import permission_notices

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
EVERYTHING = frozenset(table.PERMISSION_ORDER)


def test_every_need_is_named_and_explained_in_both_languages() -> None:
    for language in ("en", "fr"):
        for name in table.PERMISSION_ORDER:
            assert i18n.t(language, f"perms.name.{name}") != f"perms.name.{name}"
        for feature in {n.feature for n in table.NEEDS} | {n.feature for n in table.ROLE_NEEDS}:
            assert i18n.t(language, f"perms.feature.{feature}") != f"perms.feature.{feature}"
        for setting in (*table.CHANNEL_SETTINGS, *table.ROLE_SETTINGS):
            assert i18n.t(language, f"perms.setting.{setting}") != f"perms.setting.{setting}"
    assert all(p in table.PERMISSION_ORDER for n in table.NEEDS for p in n.permissions)


def test_settings_are_read_when_present_and_set() -> None:
    settings = SimpleNamespace(qa_channel_id=1, events_channel_id=None, review_channel_id=3)
    assert table.configured_channels(settings) == [("qa_channel", 1), ("review_channel", 3)]
    assert table.configured_roles(settings) == []  # no verified_role setting: not configured
    assert table.configured_roles(SimpleNamespace(verified_role_id=9)) == [("verified_role", 9)]


def test_needs_depend_on_the_kind_of_channel() -> None:
    forum = table.needs_in("qa_channel", table.FORUM)
    text = table.needs_in("qa_channel", table.TEXT)
    assert "manage_threads" in forum["qa_solved"] and "manage_threads" not in text["qa_solved"]
    assert "create_public_threads" in text["qa_post"]
    assert "create_public_threads" not in forum["qa_post"]


def test_a_report_names_what_is_missing_and_for_what() -> None:
    healthy = table.check(
        [table.ChannelSeen("events_channel", 5, table.TEXT, EVERYTHING)],
        [table.RoleSeen("verified_role", 7, exists=True, below_bot=True, can_manage_roles=True)],
    )
    assert healthy.healthy
    report = table.check(
        [
            table.ChannelSeen("events_channel", 5, table.TEXT, EVERYTHING - {"embed_links"}),
            table.ChannelSeen("qa_channel", 6, None, frozenset()),
        ],
        [table.RoleSeen("verified_role", 7, exists=True, below_bot=False, can_manage_roles=True)],
    )
    assert not report.healthy
    events, qa = report.channel_problems
    assert events.missing == ("embed_links",) and events.features == ("event_announce",)
    assert qa.gone
    assert [p.reason for p in report.role_problems] == ["above_bot"]
    no_manage = table.RoleSeen("verified_role", 7, exists=True, below_bot=True, can_manage_roles=False)
    assert table.role_problem(no_manage).reason == "no_manage_roles"  # type: ignore[union-attr]


async def test_moderators_are_told_once_per_channel_and_permission(db: Database) -> None:
    async with db.transaction() as session:
        first = await permission_notices.record(session, 1, 10, {"send_messages": "event_reminder"}, NOW)
    async with db.transaction() as session:
        again = await permission_notices.record(
            session, 1, 10, {"send_messages": "event_reminder", "embed_links": "event_announce"}, NOW
        )
        other_channel = await permission_notices.record(session, 1, 11, {"send_messages": "qa_post"}, NOW)
    assert first == ["send_messages"] and again == ["embed_links"] and other_channel == ["send_messages"]
    async with db.transaction() as session:
        assert await permission_notices.clear(session, 1, 10, ["send_messages", "view_channel"]) == 1
        assert await permission_notices.noted(session, 1) == [(10, "embed_links"), (11, "send_messages")]
    async with db.transaction() as session:  # back, then lost again: told again
        assert await permission_notices.record(session, 1, 10, {"send_messages": "event_reminder"}, NOW) == [
            "send_messages"
        ]
