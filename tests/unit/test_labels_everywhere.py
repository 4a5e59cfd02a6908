"""The visibility rule beyond search and show: did-you-mean, duplicate-URL refusals and exports
reveal nothing of AMBER material (or of another server's library) to a member who may not see it."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.db import Database
from bot.errors import Conflict
from bot.services import labels, privacy, resources
from bot.services.resources import suggestions

pytestmark = pytest.mark.engines  # did-you-mean reads each engine's own vocabulary

G, OTHER, MOD, MEMBER = 1, 2, 100, 200


async def _add(
    db: Database, clock: FrozenClock, title: str, url: str, *, label: str = "TLP:GREEN", guild: int = G
) -> int:
    fields = resources.fields(
        title_text=title, url_text=url, description_text="", tags_value="", label_text=label
    )
    async with db.transaction() as session:
        return (await resources.add(session, guild, MOD, fields, clock.now())).id


async def _search(db: Database, text: str, *, verified: bool) -> resources.SearchResult:
    async with db.transaction() as session:
        return await resources.search(session, G, text, verified=verified)


async def test_did_you_mean_treats_hidden_words_as_unknown(db: Database, clock: FrozenClock) -> None:
    await _add(db, clock, "Radiation portal monitor alarms", "https://example.org/rpm")
    await _add(db, clock, "Monitar deployment plan", "https://example.org/amber", label="TLP:AMBER")
    await _add(db, clock, "Monitur network", "https://example.org/other", guild=OTHER)
    nonsense = await _search(db, "monitxr", verified=False)
    assert nonsense.corrected == "monitor" and [h.title for h in nonsense.hits] == [
        "Radiation portal monitor alarms"
    ]
    for hidden in ("monitar", "monitur"):  # only in AMBER material / only in another server
        answer = await _search(db, hidden, verified=False)
        assert (answer.corrected, [h.title for h in answer.hits]) == (
            nonsense.corrected,
            [h.title for h in nonsense.hits],
        )
    seen = await _search(db, "monitar", verified=True)
    assert seen.corrected is None and [h.title for h in seen.hits] == ["Monitar deployment plan"]
    # In a query of several words, and as the unfinished last word, a hidden word is just as unknown.
    for words in ("portal monit", "monit portal"):
        nonsense = await _search(db, words.replace("monit", "monitxr"), verified=False)
        for hidden in ("monitar", "monitur"):
            answer = await _search(db, words.replace("monit", hidden), verified=False)
            assert (answer.corrected, [h.title for h in answer.hits]) == (
                nonsense.corrected,
                [h.title for h in nonsense.hits],
            ), (words, hidden)


async def test_duplicate_url_of_amber_entry_is_not_revealed(db: Database, clock: FrozenClock) -> None:
    await _add(db, clock, "Sensitive deployment plan", "https://example.org/amber", label="TLP:AMBER")
    fields = resources.fields(
        title_text="My find", url_text="https://example.org/amber", description_text="", tags_value=""
    )
    async with db.transaction() as session:
        with pytest.raises(Conflict) as refused:
            await suggestions.suggest(session, G, MEMBER, fields, clock.now(), verified=True)
        assert refused.value.params["title"] == "Sensitive deployment plan"
    async with db.transaction() as session:
        row = await suggestions.suggest(session, G, MEMBER, fields, clock.now(), verified=False)
        assert row.title == "My find"


async def test_export_leaves_out_what_the_member_may_no_longer_see(db: Database, clock: FrozenClock) -> None:
    await _add(db, clock, "Open guide", "https://example.org/open")
    await _add(db, clock, "Sensitive deployment plan", "https://example.org/amber", label="TLP:AMBER")
    async with db.transaction() as session:
        full = await privacy.export(session, G, MOD, now=clock.now(), verified=True)
        reduced = await privacy.export(session, G, MOD, now=clock.now(), verified=False)
    assert "Sensitive deployment plan" in str(full) and "example.org/amber" in str(full)
    assert "Sensitive deployment plan" not in str(reduced) and "example.org/amber" not in str(reduced)
    assert "Open guide" in str(reduced)


def test_redact_drops_restricted_objects_wherever_they_sit() -> None:
    data = {
        "a": [{"label": "TLP:AMBER", "t": 1}, {"label": "TLP:GREEN"}],
        "b": {"c": [{"label": "TLP:AMBER+STRICT"}]},
    }
    assert labels.redact(data, False) == {"a": [{"label": "TLP:GREEN"}], "b": {"c": []}}
    assert labels.redact(data, True) == data
