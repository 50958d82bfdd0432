"""The cover overview of the re-integratieverslag for UWV (shared/domain/reintegratieverslag.md section 6): A4,
Dutch, the full BSN in every page header. Rendered with the helpers of the progress report's PDF
(app/reports/pdf.py), so both documents share one font set-up and one table layout."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from app.reintegratieverslag.schemas import ReintegratieverslagExport
from app.reports import pdf as base
from app.reports.pdf import _CHANNEL, _PROPOSAL_STATUS, _day, _Document, _heading, _paragraph, _table, _text

_STATUS = {
    "present": "aanwezig",
    "missing": "ontbreekt",
    "incomplete": "onvolledig",
    "stale": "verouderd",
    "not_required": "niet vereist",
}
_FINDINGS = {
    "bsn_unknown": "BSN niet vastgelegd",
    "arbodienst_unknown": "arbodienst niet vastgelegd",
    "advice_without_bijstelling": "advies zonder bijstelling",
    "older_than_max_age": "ouder dan toegestaan",
    "before_actueel_oordeel": "van voor het actueel oordeel",
    "before_eindevaluatie": "van voor de eindevaluatie",
    "report_overdue": "voortgangsrapportage te laat",
    "obligation_overdue": "termijn verstreken",
    "document_missing": "document ontbreekt",
    "unsigned": "niet ondertekend door",
    "bsn_not_confirmed": "BSN niet bevestigd",
    "format_not_accepted": "formaat niet toegestaan",
    "too_large": "groter dan 10 MB",
}
_FIXED_LINES = (
    "De medische informatie gaat van de werknemer naar UWV en maakt geen deel uit van dit overzicht.",
    "Dit overzicht vervangt de documenten niet.",
    "Dit overzicht toont alleen of de stukken administratief aanwezig zijn; het zegt niets over het oordeel "
    "van UWV over de re-integratie-inspanningen.",
)
_FONT = getattr(base, "_FONT", "Helvetica")


def _prepare(pdf: FPDF) -> None:
    """The font set-up of app/reports/pdf.py (core fonts, or its embedded TrueType font when it has one)."""
    fonts = getattr(base, "_FONTS", None)
    if fonts is None:
        pdf.core_fonts_encoding = "windows-1252"
        return
    pdf.add_font(_FONT, "", fonts / "DejaVuSans.ttf")
    pdf.add_font(_FONT, "B", fonts / "DejaVuSans-Bold.ttf")
    pdf.add_font(_FONT, "I", fonts / "DejaVuSans-Oblique.ttf")


class _Cover(_Document):
    header_lines: tuple[str, str] = ("", "")
    incomplete = False

    def header(self) -> None:
        self.set_font(_FONT, "B", 10)
        self.cell(0, 5, "Re-integratieverslag - overzicht", align="L")
        self.set_x(self.l_margin)
        self.set_font(_FONT, size=8)
        self.cell(0, 5, f"Pagina {self.page_no()}/{{nb}}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_font(_FONT, size=9)
        for line in self.header_lines:
            self.cell(0, 4.5, _text(line), new_x="LMARGIN", new_y="NEXT")
        if self.incomplete:
            self.set_font(_FONT, "B", 11)
            self.set_text_color(170, 0, 0)
            self.cell(0, 6, "ONVOLLEDIG", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
        self.ln(2)
        self.set_font(_FONT, size=10)


def _dates(days: list[date]) -> str:
    """The part's dates in order; a long run (the voortgangsgesprekken) as its first and last."""
    if len(days) > 4:
        return f"{_day(days[0])} t/m {_day(days[-1])} ({len(days)} data)"
    return ", ".join(_day(d) for d in days)


def _findings(items: list[tuple[str, str | None]]) -> str:
    return "; ".join(
        f"{_FINDINGS.get(code, code)}{' ' + ref if ref and code == 'unsigned' else ''}" for code, ref in items
    )


def render(summary: ReintegratieverslagExport, bsn: str | None) -> bytes:
    pdf = _Cover(format="A4")
    _prepare(pdf)
    pdf.set_margins(18, 14, 18)
    pdf.set_auto_page_break(True, margin=20)
    employee = summary.employee
    pdf.header_lines = (
        f"Werknemer: {employee.name or 'onbekend'}, geboren {_day(employee.date_of_birth) or 'onbekend'}",
        f"BSN: {bsn}" if bsn else "BSN: onbekend",
    )
    pdf.incomplete = not summary.complete
    pdf.set_title(_text(f"Re-integratieverslag - overzicht - {employee.name}"))
    pdf.set_author(_text(summary.bureau.name))
    pdf.set_creator("Spoorwijzer")
    pdf.footer_text = _text(f"Peildatum {_day(summary.as_of)} - gegenereerd {summary.generated_at:%d-%m-%Y %H:%M} UTC")
    pdf.add_page()

    employer = summary.employer.name + (f" (KvK {summary.employer.kvk})" if summary.employer.kvk else "")
    facts = [
        ("Werkgever", employer),
        ("Arbodienst", summary.arbodienst.name if summary.arbodienst else "onbekend"),
        ("Re-integratiebureau", summary.bureau.name),
        ("Eerste ziektedag", _day(summary.first_sick_day)),
        ("Einde wachttijd", _day(summary.wachttijd_end)),
    ]
    if summary.verlenging_end:
        facts.append(("Einde verlengd tijdvak", _day(summary.verlenging_end)))
    facts += [
        ("RIV uiterlijk", _day(summary.due_on)),
        ("Aanvraag uiterlijk", _day(summary.aanvraag_due_on)),
        ("Peildatum", _day(summary.as_of)),
    ]
    for label, value in facts:
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(45, 6, _text(label))
        pdf.set_font(_FONT, size=10)
        pdf.multi_cell(0, 6, _text(value), align="L", new_x="LMARGIN", new_y="NEXT")

    documents = {str(d.id): d for d in summary.documents}
    _heading(pdf, "Onderdelen")
    rows: list[tuple[str, ...]] = []
    for part in summary.parts:
        dates = _dates(sorted({e.date for e in part.evidence if e.type in ("milestone", "case", "track")}))
        docs = "\n".join(
            f"{d.title}, {_day(d.dated_on)}, {d.size_bytes} bytes, sha256 {d.sha256[:12]}"
            for pd in part.documents
            if (d := documents.get(str(pd.id))) is not None
        )
        status = _STATUS[part.status]
        if part.findings:
            status += f" ({_findings([(f.code, f.ref) for f in part.findings])})"
        rows.append((part.title, part.legal_basis, status, dates, docs))
    _table(pdf, ("Onderdeel", "Grondslag", "Status", "Data", "Documenten"), rows, (22, 20, 18, 16, 24))

    _heading(pdf, "Tweede spoor")
    spoor_2 = [t for t in summary.tracks if t.spoor == 2]
    if not spoor_2:
        _paragraph(pdf, None, "Geen tweede spoor.")
    for track in spoor_2:
        until = f" tot en met {_day(track.ended_on)}" if track.ended_on else ""
        _paragraph(
            pdf, f"Traject vanaf {_day(track.started_on)}{until}" + (f", coach {track.coach}" if track.coach else "")
        )
        _table(
            pdf,
            ("Maand", "Rapportage verzonden"),
            [(r.period, _day(r.submitted_on)) for r in track.reports],
            (50, 50),
        )
        if not track.proposals:
            _paragraph(pdf, None, "Geen voorstellen bij werkgevers.")
            continue
        _table(
            pdf,
            ("Bedrijf", "Plaats", "Vacature", "Datum", "Kanaal", "Status"),
            [
                (
                    p.company,
                    p.place,
                    p.vacancy,
                    _day(p.proposed_on),
                    _CHANNEL.get(p.channel, p.channel),
                    f"{_PROPOSAL_STATUS.get(p.status, p.status)} ({_day(p.status_date)})",
                )
                for p in track.proposals
            ],
            (21, 13, 21, 13, 14, 18),
        )

    pdf.ln(4)
    pdf.set_font(_FONT, "I", 8)
    for line in _FIXED_LINES:
        pdf.multi_cell(0, 4, line, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
