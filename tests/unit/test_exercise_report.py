"""The report files: headed by the label, in the facilitator's language, user text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import i18n
from bot.documents import Bilingual
from bot.exercises import report
from bot.services.exercises.reporting import (
    DecisionLine,
    HotwashLine,
    Improvement,
    InjectLine,
    ObservationLine,
    ReportData,
)

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HOSTILE = "# Heading [click](https://evil.example) <script>alert(1)</script> @everyone **bold**"


def _data() -> ReportData:
    inject = InjectLine(
        number=1,
        offset=300,
        title=Bilingual({"en": "Alarm", "fr": "Alarme"}),
        text=Bilingual({"en": "Gamma alarm"}),
        teams=("Customs",),
        scripted=True,
        sent_at=AT,
        sent_offset=301.0,
        late=False,
        expected=(Bilingual({"en": "Stop the truck", "fr": "Arrêter le camion"}),),
        notes=Bilingual({"en": "In the toolbox"}),
        ratings=("partly",),
    )
    return ReportData(
        exercise_id=7,
        title=Bilingual({"en": "Border drill", "fr": "Exercice frontière"}),
        label="TLP:AMBER",
        briefing=Bilingual({"en": "Brief"}),
        teams=("Customs", "Police"),
        state="ended",
        speed=60,
        started_at=AT,
        ended_at=AT,
        elapsed=3600,
        questions=(Bilingual({"en": "What went well?", "fr": "Qu'est-ce qui a bien fonctionné ?"}),),
        injects=(inject,),
        decisions=(DecisionLine("Customs", 400, AT, HOSTILE, 1),),
        observations=(ObservationLine(500, AT, "Slow call", "partly", 1),),
        hotwash=(HotwashLine("Customs", (HOSTILE,)),),
        improvements=(Improvement("Slow call", "Customs", AT, "observation"),),
    )


def _t(language: str):  # type: ignore[no-untyped-def]
    return lambda key, **params: i18n.t(language, key, **params)


def test_markdown_is_headed_by_the_label_and_escapes_user_text() -> None:
    text = report.markdown(_data(), _t("en"), "en")
    assert text.startswith("**TLP:AMBER**") and text.rstrip().endswith("**TLP:AMBER**")
    assert "# After-action report: Border drill" in text
    assert "\\# Heading \\[click\\]\\(https://evil.example\\) \\<script\\>" in text
    assert "\n# Heading" not in text and "[click](" not in text
    assert "| T+00:05 |" in text and "Stop the truck" in text and "partly met" in text


def test_html_is_self_contained_escaped_and_in_the_facilitators_language() -> None:
    page = report.page(_data(), _t("fr"), "fr")
    assert page.startswith("<!DOCTYPE html>") and 'lang="fr"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "<link" not in page and "<a " not in page  # nothing fetched, no link
    assert "Content-Security-Policy" in page
    assert page.count("TLP:AMBER") >= 3  # title, top and bottom
    assert (
        "Rapport d&#x27;après-action" in page
        and "Arrêter le camion" in page
        and "partiellement atteint" in page
    )
