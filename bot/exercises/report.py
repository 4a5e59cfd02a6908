"""The after-action report as files: Markdown, and a printable self-contained HTML page.

Both are rendered from ``bot.services.exercises.reporting.ReportData`` in one language (the
facilitator's), headed by the sharing label. Every text that people typed (scenario, decisions,
observations, answers) is escaped: HTML-escaped in the page (no script, no link, no markup), and
in Markdown kept from rendering as headings, links, emphasis or HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime

from bot.exercises.scenario import format_offset
from bot.services.exercises.reporting import DecisionLine, InjectLine, ObservationLine, ReportData

Translate = Callable[..., str]
CSP = "default-src 'none'; style-src 'unsafe-inline'"  # nothing runs, nothing is fetched

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~>-])")

LABEL_COLOURS = {
    "TLP:CLEAR": ("#ffffff", "#000000"),
    "TLP:GREEN": ("#33ff00", "#000000"),
    "TLP:AMBER": ("#ffc000", "#000000"),
    "TLP:AMBER+STRICT": ("#ffc000", "#000000"),
}


def md(text: str | None) -> str:
    """User text for Markdown: special characters escaped, on one line."""
    flat = " ".join((text or "").split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def _rating(t: Translate, rating: str | None) -> str:
    return t(f"exercises.rating.{rating}") if rating else "-"


def _teams(t: Translate, teams: tuple[str, ...]) -> str:
    return ", ".join(teams) if teams else t("exercises.all_teams")


Row = InjectLine | DecisionLine | ObservationLine


def _timeline(data: ReportData) -> list[Row]:
    """Injects (when they were sent), decisions and observations in exercise-time order."""
    rows: list[tuple[float, int, Row]] = []
    for inject in data.injects:
        rows.append((inject.sent_offset if inject.sent_offset is not None else inject.offset, 0, inject))
    rows += [(decision.offset, 1, decision) for decision in data.decisions]
    rows += [(observation.offset, 2, observation) for observation in data.observations]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [row for _offset, _order, row in rows]


def markdown(data: ReportData, t: Translate, language: str) -> str:
    out: list[str] = [
        f"**{data.label}**",
        "",
        f"# {t('exercises.report.title')}: {md(data.title.get(language))}",
        "",
    ]
    out += [
        f"- {t('exercises.report.teams')}: {md(', '.join(data.teams))}",
        f"- {t('exercises.report.started')}: {_when(data.started_at)}",
        f"- {t('exercises.report.ended')}: {_when(data.ended_at)}",
        f"- {t('exercises.report.duration')}: {format_offset(data.elapsed)}",
        f"- {t('exercises.report.speed')}: {data.speed:g}",
        "",
        f"## {t('exercises.report.briefing')}",
        "",
        md(data.briefing.get(language)),
        "",
        f"## {t('exercises.report.timeline')}",
        "",
        f"| {t('exercises.report.time')} | {t('exercises.report.at')} | {t('exercises.report.what')} |",
        "| --- | --- | --- |",
    ]
    for row in _timeline(data):
        if isinstance(row, InjectLine):
            inject = row
            late = f" ({t('exercises.late')})" if inject.late else ""
            what = t(
                "exercises.report.inject_line",
                number=inject.number,
                title=md(inject.title.get(language)),
                teams=md(_teams(t, inject.teams)),
            )
            out.append(f"| {format_offset(inject.offset)} | {_when(inject.sent_at)}{late} | {what} |")
        elif isinstance(row, DecisionLine):
            what = t("exercises.report.decision_line", team=md(row.team), text=md(row.text))
            out.append(f"| {format_offset(row.offset)} | {_when(row.at)} | {what} |")
        else:
            what = t(
                "exercises.report.observation_line",
                rating=_rating(t, row.rating),
                text=md(row.note),
            )
            out.append(f"| {format_offset(row.offset)} | {_when(row.at)} | {what} |")
    out += ["", f"## {t('exercises.report.expected')}", ""]
    for inject in data.injects:
        if not inject.expected:
            continue
        ratings = ", ".join(_rating(t, r) for r in inject.ratings) or t("exercises.report.not_rated")
        out.append(f"### {format_offset(inject.offset)} · {md(inject.title.get(language))}")
        out.append("")
        out += [f"- {md(e.get(language))}" for e in inject.expected]
        out.append(f"- *{t('exercises.report.ratings')}: {ratings}*")
        if inject.notes:
            out.append(f"- *{t('exercises.report.notes')}: {md(inject.notes.get(language))}*")
        out.append("")
    out += [f"## {t('exercises.report.hotwash')}", ""]
    if not data.hotwash:
        out += [t("exercises.report.none"), ""]
    for index, question in enumerate(data.questions):
        out.append(f"**{md(question.get(language))}**")
        out.append("")
        for line in data.hotwash:
            if index < len(line.answers) and line.answers[index]:
                out.append(f"- {md(line.team or '-')}: {md(line.answers[index])}")
        out.append("")
    out += [
        f"## {t('exercises.report.improvements')}",
        "",
        f"| {t('exercises.report.item')} | {t('exercises.report.owner')} | {t('exercises.report.due')} |",
        "| --- | --- | --- |",
    ]
    for item in data.improvements:
        out.append(f"| {md(item.what)} | {md(item.owner)} | {item.due:%Y-%m-%d} |")
    if not data.improvements:
        out.append(f"| {t('exercises.report.none')} | | |")
    out += ["", f"**{data.label}**", ""]
    return "\n".join(out)


def _h(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def page(data: ReportData, t: Translate, language: str) -> str:
    """One HTML file with its own style, nothing loaded from elsewhere, fit for printing."""
    colour = LABEL_COLOURS.get(data.label, ("#ffffff", "#000000"))[0]
    label = f'<p class="tlp" style="background:#000;color:{colour}">{_h(data.label)}</p>'
    title = _h(data.title.get(language))
    parts: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(language)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{_h(data.label)} · {title}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#111}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em;text-align:left;"
        "vertical-align:top}.tlp{font-weight:bold;display:inline-block;padding:.2em .6em}"
        ".late{color:#b00}@media print{body{margin:0}h2{page-break-after:avoid}}</style></head><body>",
        label,
        f"<h1>{_h(t('exercises.report.title'))}: {title}</h1>",
        "<ul>",
        f"<li>{_h(t('exercises.report.teams'))}: {_h(', '.join(data.teams))}</li>",
        f"<li>{_h(t('exercises.report.started'))}: {_h(_when(data.started_at))}</li>",
        f"<li>{_h(t('exercises.report.ended'))}: {_h(_when(data.ended_at))}</li>",
        f"<li>{_h(t('exercises.report.duration'))}: {format_offset(data.elapsed)}</li>",
        f"<li>{_h(t('exercises.report.speed'))}: {data.speed:g}</li>",
        "</ul>",
        f"<h2>{_h(t('exercises.report.briefing'))}</h2><p>{_h(data.briefing.get(language))}</p>",
        f"<h2>{_h(t('exercises.report.timeline'))}</h2>",
        f"<table><tr><th>{_h(t('exercises.report.time'))}</th><th>{_h(t('exercises.report.at'))}</th>"
        f"<th>{_h(t('exercises.report.what'))}</th></tr>",
    ]
    for row in _timeline(data):
        if isinstance(row, InjectLine):
            late = f' <span class="late">({_h(t("exercises.late"))})</span>' if row.late else ""
            what = _h(
                t(
                    "exercises.report.inject_line",
                    number=row.number,
                    title=row.title.get(language),
                    teams=_teams(t, row.teams),
                )
            )
            when, shown = row.sent_at, format_offset(row.offset)
        elif isinstance(row, DecisionLine):
            what = _h(t("exercises.report.decision_line", team=row.team, text=row.text))
            when, shown, late = row.at, format_offset(row.offset), ""
        else:
            what = _h(t("exercises.report.observation_line", rating=_rating(t, row.rating), text=row.note))
            when, shown, late = row.at, format_offset(row.offset), ""
        parts.append(f"<tr><td>{shown}</td><td>{_h(_when(when))}{late}</td><td>{what}</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>{_h(t('exercises.report.expected'))}</h2>")
    for inject in data.injects:
        if not inject.expected:
            continue
        ratings = ", ".join(_rating(t, r) for r in inject.ratings) or t("exercises.report.not_rated")
        parts.append(f"<h3>{format_offset(inject.offset)} · {_h(inject.title.get(language))}</h3><ul>")
        parts += [f"<li>{_h(e.get(language))}</li>" for e in inject.expected]
        parts.append(f"</ul><p><em>{_h(t('exercises.report.ratings'))}: {_h(ratings)}</em></p>")
        if inject.notes:
            parts.append(
                f"<p><em>{_h(t('exercises.report.notes'))}: {_h(inject.notes.get(language))}</em></p>"
            )
    parts.append(f"<h2>{_h(t('exercises.report.hotwash'))}</h2>")
    if not data.hotwash:
        parts.append(f"<p>{_h(t('exercises.report.none'))}</p>")
    for index, question in enumerate(data.questions):
        parts.append(f"<h3>{_h(question.get(language))}</h3><ul>")
        for line in data.hotwash:
            if index < len(line.answers) and line.answers[index]:
                parts.append(f"<li><strong>{_h(line.team or '-')}</strong>: {_h(line.answers[index])}</li>")
        parts.append("</ul>")
    parts.append(
        f"<h2>{_h(t('exercises.report.improvements'))}</h2><table><tr><th>{_h(t('exercises.report.item'))}</th>"
        f"<th>{_h(t('exercises.report.owner'))}</th><th>{_h(t('exercises.report.due'))}</th></tr>"
    )
    for item in data.improvements:
        parts.append(
            f"<tr><td>{_h(item.what)}</td><td>{_h(item.owner)}</td><td>{item.due:%Y-%m-%d}</td></tr>"
        )
    if not data.improvements:
        parts.append(f'<tr><td colspan="3">{_h(t("exercises.report.none"))}</td></tr>')
    parts += ["</table>", label, "</body></html>", ""]
    return "\n".join(parts)
