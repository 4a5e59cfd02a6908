"""The certificate of completion as a PDF (fpdf2): bilingual, with the member's name, the course,
the date and the verification code that ``/learn verify`` checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from bot import i18n
from bot.services.learn.certificates import Issued

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font(pdf: FPDF) -> tuple[str, bool]:
    """DejaVu Sans when the system has it (any script); else Helvetica (Latin-1 only)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


def _date(moment: datetime, language: str) -> str:
    months = i18n.t(language, "learn.pdf.months").split(",")
    if len(months) == 12:
        return f"{moment.day} {months[moment.month - 1].strip()} {moment.year}"
    return moment.date().isoformat()


def render(cert: Issued) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    family, unicode_ok = _font(pdf)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: float, style: str = "", height: float = 10) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, text(value), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_draw_color(31, 111, 235)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, 269, 182)
    pdf.set_y(26)
    pdf.set_text_color(31, 111, 235)
    line(f"{i18n.t('en', 'learn.pdf.title')}  ·  {i18n.t('fr', 'learn.pdf.title')}", 26, "B", 14)
    pdf.set_text_color(40, 40, 40)
    pdf.ln(6)
    line(f"{i18n.t('en', 'learn.pdf.certifies')} / {i18n.t('fr', 'learn.pdf.certifies')}", 13)
    pdf.ln(2)
    line(cert.member_name, 28, "B", 14)
    pdf.ln(2)
    line(f"{i18n.t('en', 'learn.pdf.completed')} / {i18n.t('fr', 'learn.pdf.completed')}", 13)
    pdf.ln(2)
    titles = list(dict.fromkeys(cert.course_titles.values())) or [cert.course_title]
    for title in titles:
        line(title, 18, "B", 10)
    pdf.ln(6)
    line(f"{_date(cert.issued_at, 'en')}  ·  {_date(cert.issued_at, 'fr')}", 13)
    pdf.set_y(160)
    line(f"{i18n.t('en', 'learn.pdf.code')} / {i18n.t('fr', 'learn.pdf.code')}: {cert.code}", 12, "B", 8)
    line(i18n.t("en", "learn.pdf.verify", code=cert.code), 10, "", 6)
    line(i18n.t("fr", "learn.pdf.verify", code=cert.code), 10, "", 6)
    line(f"Liaison · {cert.label}", 9, "", 6)
    pdf.set_title(text(f"{cert.course_title} · {cert.code}"))
    return bytes(pdf.output())


def filename(cert: Issued) -> str:
    return f"certificate-{cert.code}.pdf"
