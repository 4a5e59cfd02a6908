"""/me export and /me delete: everything about a member, and nothing left after erasure.

The erasure test seeds data across features, erases one member, then reads every row of every
table of the models and fails if any column still holds the member's id or personal text.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import Database
from bot.db.models import AuditEntry, Base, MemberSettings
from bot.services import audit, experts, member_prefs, notices, privacy
from bot.services.callers import Caller
from bot.services.experts import ProfileInput
from bot.services.member_prefs import PrefsChange

pytestmark = pytest.mark.engines  # erasure down to every row, per engine

G = 1
USER = 987654321012345678
OTHER = 111111111111111111
MODERATOR = 222222222222222222
PERSONAL = (
    "Zorglub Customs Authority",
    "My secret bio about Zorglub",
    "Zorglub triage method",
    "Call Zorglub's doctor",
)


async def _seed_experts(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        await experts.register(
            session,
            G,
            USER,
            ProfileInput(
                PERSONAL[0], "FR", f"Dosimetry, {PERSONAL[2]}", "fr, en", "Europe/Paris", PERSONAL[1]
            ),
            consent_text="I agree to be listed",
            now=clock.now(),
        )
        await experts.register(
            session,
            G,
            OTHER,
            ProfileInput("ASN", "FR", "Dosimetry", "fr"),
            consent_text="ok",
            now=clock.now(),
        )
        await experts.verify(session, G, MODERATOR, USER, now=clock.now())
        await experts.verify(session, G, USER, OTHER, now=clock.now(), months=3)
        await member_prefs.update(session, G, USER, PrefsChange(language="fr", timezone="Europe/Paris"))
        await notices.leave(session, G, USER, "expert.expiry_warning", until="2027-01-01")
        await audit.record(session, G, USER, "settings.update", details={"language": "fr"})


async def _seed_other_features(db: Database, clock: FrozenClock) -> None:
    """Data of the other features, through their own services."""
    from bot.services import events, reminders
    from bot.services.qa import _text, questions
    from bot.services.resources import suggestions, validation

    async with db.transaction() as session:
        change = await events.create(
            session,
            G,
            USER,
            events.EventInput(title="Workshop", start="2026-04-01 10:00", timezone="UTC"),
            clock.now(),
        )
        await events.rsvp(session, G, change.event.id, USER, "going", clock.now())
        await events.rsvp(session, G, change.event.id, OTHER, "maybe", clock.now())
        given = _text.validate(_text.AskInput(question="Who has run a RIID in the field?", topic="Dosimetry"))
        await questions.ask(
            session,
            G,
            given,
            author_id=USER,
            language="en",
            channel_id=5,
            thread_id=6,
            starter_message_id=7,
            now=clock.now(),
        )
        fields = validation.fields(
            title_text="Field guide",
            url_text="https://example.org/guide",
            description_text="A guide",
            tags_value="riid",
        )
        await suggestions.suggest(session, G, USER, fields, clock.now())
        await reminders.remind(session, G, USER, "in 2h", PERSONAL[3], clock.now())


async def _all_values(db: Database) -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = []
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                found.extend((table.name, column, value) for column, value in row.items())
    return found


def _holds(value: Any, needles: tuple[str, ...]) -> bool:
    if value is None:
        return False
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    return any(needle in text for needle in needles)


async def test_export_gathers_every_feature_and_the_core(db: Database, clock: FrozenClock) -> None:
    await _seed_experts(db, clock)
    await _seed_other_features(db, clock)
    async with db.transaction() as session:
        data = await privacy.export(session, G, USER, now=clock.now())
    text = json.dumps(data)
    assert data["experts"]["profile"]["agency"] == PERSONAL[0]
    assert data["experts"]["profile"]["consent"]["text"] == "I agree to be listed"
    assert data["experts"]["verifications_given"] == 1
    assert data["member_settings"]["language"] == "fr"
    assert [n["key"] for n in data["notices"]] == ["expert.expiry_warning"]
    assert "settings.update" in [a["action"] for a in data["moderator_actions"]]
    assert data["events"]["rsvps"][0]["status"] == "going"
    assert data["qa"]["questions_asked"][0]["question"] == "Who has run a RIID in the field?"
    assert PERSONAL[3] in text and "https://example.org/guide" in text
    assert set(data) >= {"experts", "events", "qa", "resources", "reminders"}
    assert str(OTHER) not in text and str(MODERATOR) not in text


async def test_delete_leaves_no_trace_in_any_table(db: Database, clock: FrozenClock) -> None:
    await _seed_experts(db, clock)
    await _seed_other_features(db, clock)
    needles = (str(USER), *PERSONAL)
    before = [(t, c) for t, c, v in await _all_values(db) if _holds(v, needles)]
    assert {t for t, _ in before} >= {
        "expert_profiles",
        "member_settings",
        "notices",
        "audit_log",
        "events",
        "event_rsvps",
        "qa_questions",
        "resource_suggestions",
        "reminders",
    }
    async with db.transaction() as session:
        features = (await privacy.erase(session, G, USER)).features
    assert "experts" in features
    left = [(t, c) for t, c, v in await _all_values(db) if _holds(v, needles)]
    assert left == []
    async with db.transaction() as session:
        other = await experts.show(session, G, OTHER, viewer_id=OTHER, viewer_verified=False, now=clock.now())
        assert other.verified_until is not None  # the verification the member gave still stands
        assert await experts.expertise_suggestions(session, G, "zorglub") == []
        erased = await session.scalar(select(AuditEntry).where(AuditEntry.action == privacy.ERASED_ACTION))
        assert erased is not None and erased.actor_id is None and erased.target is None
        assert (await privacy.export(session, G, OTHER))["experts"]["profile"] is not None


async def test_erasure_is_one_transaction(db: Database, clock: FrozenClock) -> None:
    await _seed_experts(db, clock)
    try:
        async with db.transaction() as session:
            await privacy.erase(session, G, USER)
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    async with db.transaction() as session:
        assert await session.get(MemberSettings, (G, USER)) is not None
        assert (await privacy.export(session, G, USER))["experts"]["profile"] is not None


async def test_member_prefs_update_and_defaults(db: Database, clock: FrozenClock) -> None:
    async with db.transaction() as session:
        prefs = await member_prefs.get(session, G, USER)
        assert (prefs.language, prefs.dm_reminders, prefs.qa_routing) == (None, True, True)
        prefs = await member_prefs.update(
            session, G, USER, PrefsChange(timezone="asia/phnom_penh", qa_routing=False)
        )
        assert (prefs.timezone, prefs.qa_routing, prefs.dm_reminders) == ("Asia/Phnom_Penh", False, True)
    clock.advance(timedelta(minutes=1))
    async with db.transaction() as session:
        prefs = await member_prefs.update(session, G, USER, PrefsChange(dm_reminders=False, language="FR"))
        assert (prefs.language, prefs.timezone, prefs.dm_reminders) == ("fr", "Asia/Phnom_Penh", False)
        assert not (await member_prefs.update(session, G, USER, PrefsChange())).qa_routing


async def test_erase_with_qa_text_leaves_no_typed_text_even_in_the_audit_log(
    db: Database, clock: FrozenClock
) -> None:
    """``qa_text="erase"``: the member's questions go, the audit log keeps no rejected title, and
    the bot's posts naming them are listed for editing; ``keep`` lists the same posts."""
    from bot.services.qa import _text, questions
    from bot.services.resources import suggestions, validation

    await _seed_experts(db, clock)
    await _seed_other_features(db, clock)
    fields = validation.fields(
        title_text="Flumberwick manual", url_text="https://example.org/f", description_text="", tags_value=""
    )
    async with db.transaction() as session:
        row = await suggestions.suggest(session, G, USER, fields, clock.now())
        await suggestions.set_announcement(session, G, row.id, 55, 56)
        await suggestions.reject(session, G, MODERATOR, row.id, "Off topic", clock.now())
        given = _text.validate(_text.AskInput(question="Who knows the Quixotrelle detector?"))
        await questions.ask(
            session,
            G,
            given,
            author_id=USER,
            language="en",
            channel_id=8,
            thread_id=9,
            starter_message_id=9,
            now=clock.now(),
        )
    async with db.transaction() as session:
        erasure = await privacy.erase(session, G, USER, qa_text="erase")
    kinds = sorted((m.kind, m.message_id, m.erased) for m in erasure.messages)
    assert ("resources.suggestion", 56, True) in kinds and ("qa.question", 9, True) in kinds
    needles = (str(USER), *PERSONAL, "Flumberwick", "Quixotrelle", "Who has run a RIID")
    assert [(t, c) for t, c, v in await _all_values(db) if _holds(v, needles)] == []
    async with db.transaction() as session:
        rejected = await session.scalar(select(AuditEntry).where(AuditEntry.action == "resource.reject"))
        assert rejected is not None and rejected.target == f"suggestion {row.id} …"


async def test_export_for_reads_the_callers_verification_in_the_same_unit_of_work(
    db: Database, clock: FrozenClock
) -> None:
    """Called with the database (as ``/me export`` does): the same as ``export`` given the
    member's verification (a moderator counts as verified)."""
    await _seed_experts(db, clock)
    unverified = 333333333333333333
    for user_id, moderator, verified in (
        (USER, False, True),
        (unverified, False, False),
        (unverified, True, True),
    ):
        async with db.transaction() as session:
            expected = await privacy.export(session, G, user_id, now=clock.now(), verified=verified)
        asking = Caller(guild_id=G, user_id=user_id, now=clock.now(), moderator=moderator)
        assert await privacy.export_for(db, asking) == expected


async def test_redraw_sources_reads_what_the_posts_show_as_plain_values(
    db: Database, clock: FrozenClock
) -> None:
    await _seed_other_features(db, clock)
    messages = [
        privacy.BotMessage("qa.question", (6, 5), 7, 1, False),
        privacy.BotMessage("qa.question", (6, 5), 8, 99, False),  # gone: left out
        privacy.BotMessage("resources.suggestion", (9,), 10, 1, False),
        privacy.BotMessage("resources.suggestion", (9,), 11, 2, True),  # erased: not read
    ]
    sources = await privacy.redraw_sources(db, G, messages)
    assert list(sources.questions) == [1]
    assert sources.questions[1].question == "Who has run a RIID in the field?"
    shown = {i: (s.id, s.suggested_by, s.title, s.url) for i, s in sources.suggestions.items()}
    assert shown == {1: (1, USER, "Field guide", "https://example.org/guide")}
