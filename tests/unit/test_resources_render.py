"""What users typed never breaks an embed nor pings anyone, whatever its length."""

from __future__ import annotations

from bot import i18n
from bot.services.resources import Hit
from cogs.resources import _render


def t(key: str, /, **params: object) -> str:
    return i18n.t("en", key, **params)


def test_a_page_of_longest_possible_entries_fits_one_embed() -> None:
    hit = Hit(
        id=123456,
        title="T" * 200,
        url="https://example.org/" + "p" * 480,
        description="@everyone " + "d" * 990,
        tags=", ".join(f"tag{i:02d}" + "x" * 34 for i in range(10)),
        language="en",
        label="TLP:AMBER+STRICT",
        score=1.0,
        views=9,
    )
    pages = _render.result_pages(t, "q" * 300, [hit] * 12)
    assert len(pages) == 3
    for page in pages[:2]:
        assert len(page.fields) == 5 and len(page) <= 6000
        assert all("@everyone" not in field.value for field in page.fields)
    assert len(pages[2].fields) == 2
