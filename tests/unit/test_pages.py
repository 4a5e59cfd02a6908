"""The one page-size policy (``bot/ui/pages.py``): lines and cards, numbered, within Discord's limits."""

from __future__ import annotations

from functools import partial

from bot import i18n
from bot.ui import limits, pages

t = partial(i18n.t, "en")


def test_lines_ten_to_a_page_numbered() -> None:
    made = pages.line_pages(t, "Events", [f"line {n}" for n in range(23)])
    assert [len(page.description.splitlines()) for page in made] == [10, 10, 3]  # type: ignore[union-attr]
    assert [page.footer.text for page in made] == ["Page 1/3", "Page 2/3", "Page 3/3"]
    assert pages.line_pages(t, "Events", []) == []


def test_long_lines_start_a_new_page_before_the_description_limit() -> None:
    made = pages.line_pages(t, "Audit", ["x" * 1500] * 7)
    assert all(len(page.description or "") <= limits.EMBED_DESCRIPTION for page in made)
    assert [len((page.description or "").splitlines()) for page in made] == [2, 2, 2, 1]
    huge = pages.line_pages(t, "Audit", ["y" * 9000])
    assert len(huge) == 1 and len(huge[0].description or "") == limits.EMBED_DESCRIPTION


def test_cards_five_to_a_page_and_never_past_six_thousand_characters() -> None:
    made = pages.card_pages(t, "Found", [(f"#{n}", "v") for n in range(12)], description="12 found")
    assert [len(page.fields) for page in made] == [5, 5, 2]
    assert made[0].description == "12 found" and made[-1].footer.text == "Page 3/3"
    big = pages.card_pages(t, "Found", [("n" * 256, "v" * 1024)] * 10)
    assert all(len(page) <= limits.EMBED_TOTAL for page in big)
    assert sum(len(page.fields) for page in big) == 10
    assert [len(page.fields) for page in big] == [4, 4, 2]  # five would pass 6,000 characters
