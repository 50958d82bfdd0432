"""The monthly progress report as a printable PDF (fpdf2, Dutch labels).

The text is set in DejaVu Sans, a Unicode TrueType font committed beside this module with its licence (fonts/), so
every name prints as written (Şahin, Łukasz, Doğan). Long words break inside a line; a table row too tall for one
page is printed as a block that flows across pages. Rendering is CPU work of up to a second for the largest
report: the router runs it in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import anyio.to_thread
from fpdf import FPDF
from fpdf.fonts import FontFace

from app.reports.schemas import ReportRead

_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_SPOOR = {
    1: "Spoor 1: re-integratie bij de eigen werkgever",
    2: "Spoor 2: re-integratie bij een andere werkgever",
    3: "Spoor 3: re-integratie na de WIA-beslissing",
}
_GOAL_STATUS = {
    "not_started": "Niet gestart",
    "on_track": "Op schema",
    "behind": "Achter op schema",
    "achieved": "Behaald",
    "not_achievable": "Niet haalbaar",
}
_SOURCE = {
    "bedrijfsarts": "Bedrijfsarts",
    "arbeidsdeskundige": "Arbeidsdeskundige",
    "verzekeringsarts": "Verzekeringsarts",
    "anders": "Anders",
}
_CHANNEL = {
    "vacature": "Vacature",
    "open_sollicitatie": "Open sollicitatie",
    "netwerk": "Netwerk",
    "bemiddeling": "Bemiddeling",
}
_PROPOSAL_STATUS = {
    "proposed": "Voorgesteld",
    "interview": "Gesprek",
    "trial_placement": "Proefplaatsing",
    "detachering": "Detachering",
    "hired": "Aangenomen",
    "rejected": "Afgewezen",
    "withdrawn": "Teruggetrokken",
}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_MUTED = (90, 90, 90)
_RULE = (200, 200, 200)
_HEADING_FILL = (232, 238, 244)


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """What the report's header says beyond the report itself."""

    employee: str
    employer: str
    bureau: str
    external_ref: str | None
    spoor: int
    track_started_on: date
    track_ended_on: date | None
    coach: str | None
    sick_weeks: tuple[int, int] | None


# At most two PDFs render at once per process: more would only share the same two cores, while holding threads that
# other blocking work needs.
_PDF_THREADS = anyio.CapacityLimiter(2)


async def in_thread(render: Callable[..., bytes], *args: Any) -> bytes:
    """Render a PDF in a worker thread (CPU work of up to seconds for the largest documents): the event loop keeps
    serving meanwhile."""
    return await anyio.to_thread.run_sync(render, *args, limiter=_PDF_THREADS)


_FONTS = Path(__file__).parent / "fonts"
_FONT = "DejaVu"


_LONG_WORD = re.compile(r"\S{40,}")


def _break(match: re.Match[str]) -> str:
    word = match.group()
    return " ".join(word[i : i + 30] for i in range(0, len(word), 30))


def _text(value: str | None) -> str:
    """Text as printed: control characters become spaces, and a word of 40 characters or more is broken every 30
    (fpdf2 can break it itself, but its line breaking costs the square of a word's length)."""
    if not value:
        return ""
    return _LONG_WORD.sub(_break, _CONTROL.sub(" ", value))


def _day(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def month_name(period: str) -> str:
    return f"{_MONTHS[int(period[5:7]) - 1]} {period[:4]}"


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, size=8)
        self.set_text_color(*_MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Pagina {self.page_no()} van {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # never a heading alone at the foot of a page
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(_FONT, "B", 11)
    pdf.set_fill_color(*_HEADING_FILL)
    pdf.cell(0, 7, _text(title), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font(_FONT, size=10)


def _paragraph(pdf: FPDF, value: str | None, empty: str = "Niets vermeld.") -> None:
    if value:
        pdf.multi_cell(0, 5, _text(value), align="L", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(0, 5, empty, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


_LINE = 4.6
_PADDING = 1.2


def _row_height(pdf: FPDF, row: tuple[str, ...], widths: tuple[int, ...]) -> float:
    """An upper estimate of a row's height, from its text's width (one pass; an exact dry run of fpdf2's line
    breaking costs as much as printing the row)."""
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    lines = 1.0
    for cell, share in zip(row, widths, strict=True):
        width = usable * share / sum(widths) - 2 * _PADDING
        text = _text(cell)
        lines = max(lines, pdf.get_string_width(text) / width * 1.25 + text.count("\n") + 2)
    return lines * _LINE + 2 * _PADDING


def _table(pdf: FPDF, headings: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    """A table; a row too tall for a page (up to 2000 characters in a narrow column) becomes a block of its own,
    heading by heading, which flows across pages."""
    if not rows:
        _paragraph(pdf, None)
        return
    pdf.set_font(_FONT, size=9)
    page = (pdf.h - pdf.t_margin - pdf.b_margin) * 0.7  # room for the heading row and the estimate's error
    fitting: list[tuple[str, ...]] = []
    for row in rows:
        if _row_height(pdf, row, widths) <= page:
            fitting.append(row)
            continue
        _table_part(pdf, headings, fitting, widths)
        fitting = []
        _block(pdf, headings, row)
    _table_part(pdf, headings, fitting, widths)
    pdf.set_font(_FONT, size=10)


def _block(pdf: FPDF, headings: tuple[str, ...], row: tuple[str, ...]) -> None:
    pdf.set_draw_color(*_RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1)
    for heading, cell in zip(headings, row, strict=True):
        pdf.set_font(_FONT, "B", 9)
        pdf.cell(0, _LINE, _text(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, size=9)
        pdf.multi_cell(0, _LINE, _text(cell), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table_part(pdf: FPDF, headings: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    if not rows:
        return
    pdf.set_font(_FONT, size=9)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=_LINE,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEADING_FILL),
        padding=_PADDING,
    ) as table:
        table.row([_text(h) for h in headings])
        for row in rows:
            table.row([_text(cell) for cell in row])


def render(header: ReportHeader, report: ReportRead) -> bytes:
    pdf = _Document(format="A4")
    pdf.add_font(_FONT, "", _FONTS / "DejaVuSans.ttf")
    pdf.add_font(_FONT, "B", _FONTS / "DejaVuSans-Bold.ttf")
    pdf.add_font(_FONT, "I", _FONTS / "DejaVuSans-Oblique.ttf")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(_text(f"Voortgangsrapportage {month_name(report.period)} - {header.employee}"))
    pdf.set_author(_text(header.bureau))
    pdf.set_creator("Spoorwijzer")
    reference = f" - dossier {header.external_ref}" if header.external_ref else ""
    pdf.footer_text = _text(f"Voortgangsrapportage {report.period} - {header.employee}{reference}")
    pdf.add_page()

    pdf.set_font(_FONT, "B", 16)
    pdf.cell(0, 9, _text(f"Voortgangsrapportage {month_name(report.period)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=9)
    pdf.set_text_color(*_MUTED)
    if report.status == "submitted":
        status = f"Verzonden op {_day(report.submitted_on)}"
    else:
        status = "CONCEPT - nog niet verzonden"
    pdf.cell(0, 5, _text(f"Wet verbetering poortwachter - {status}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    weeks = header.sick_weeks
    if weeks is None:
        sick_week = "-"
    elif weeks[0] == weeks[1]:
        sick_week = f"week {weeks[0]}"
    else:
        sick_week = f"week {weeks[0]} t/m {weeks[1]}"
    track = f"vanaf {_day(header.track_started_on)}"
    if header.track_ended_on:
        track += f" tot en met {_day(header.track_ended_on)}"
    facts = [
        ("Werknemer", header.employee),
        ("Werkgever", header.employer),
        ("Re-integratiebureau", header.bureau),
        ("Spoor", _SPOOR.get(header.spoor, str(header.spoor))),
        ("Traject", track),
        ("Periode", f"{month_name(report.period)} ({report.period})"),
        ("Ziekteweek", sick_week),
    ]
    if header.coach:
        facts.append(("Coach", header.coach))
    if header.external_ref:
        facts.append(("Dossiernummer", header.external_ref))
    for label, value in facts:
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(45, 6, _text(label))
        pdf.set_font(_FONT, size=10)
        pdf.multi_cell(0, 6, _text(value), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_RULE)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.r_margin, pdf.get_y() + 2)
    pdf.ln(3)

    _heading(pdf, "1. Voortgang plan van aanpak")
    _table(
        pdf,
        ("Doel", "Status", "Afwijking"),
        [(g.goal, _GOAL_STATUS[g.status], g.deviation or "") for g in report.plan_progress],
        (45, 20, 35),
    )

    _heading(pdf, "2. Belastbaarheid (functioneel)")
    if report.belastbaarheid is None:
        _paragraph(pdf, None)
    else:
        b = report.belastbaarheid
        _paragraph(pdf, b.description)
        source = f"Bron: {_SOURCE[b.source]}, {_day(b.assessed_on)}"
        if b.hours_per_week is not None:
            source += f" - belastbaar {b.hours_per_week} uur per week"
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(0, 5, _text(source), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    _heading(pdf, "3. Activiteiten deze maand")
    _table(pdf, ("Datum", "Activiteit"), [(_day(a.on), a.description) for a in report.activities], (18, 82))

    _heading(pdf, "4. Voorgedragen bij werkgevers")
    _table(
        pdf,
        ("Bedrijf", "Plaats", "Vacature", "Datum", "Kanaal", "Uitkomst"),
        [
            (
                p.prospective_employer.name,
                p.prospective_employer.place,
                p.vacancy_title,
                _day(p.proposed_on),
                _CHANNEL[p.channel],
                f"{_PROPOSAL_STATUS[p.status]} ({_day(p.status_date)})",
            )
            for p in report.candidate_proposals
        ],
        (21, 13, 21, 13, 14, 18),
    )

    _heading(pdf, "5. Houding en gedrag")
    _paragraph(pdf, report.houding_en_gedrag)

    _heading(pdf, "6. Knelpunten en maatregelen")
    _table(pdf, ("Knelpunt", "Maatregel"), [(b.bottleneck, b.measure or "") for b in report.bottlenecks], (50, 50))

    _heading(pdf, "7. Vervolgstappen")
    _table(
        pdf,
        ("Actie", "Datum", "Wie"),
        [(s.action, _day(s.due_on), s.responsible or "") for s in report.next_steps],
        (62, 16, 22),
    )

    _heading(pdf, "8. Reactie van de werknemer")
    _paragraph(pdf, report.employee_comments, "Geen reactie ontvangen.")

    pdf.ln(4)
    pdf.set_font(_FONT, "I", 8)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(
        0,
        4,
        "Deze rapportage bevat geen medische gegevens: alleen functionele mogelijkheden en beperkingen "
        "(AVG art. 9). Bewaren in het re-integratiedossier.",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
