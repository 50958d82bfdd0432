"""The export of a case's file as a readable PDF, with the progress report's PDF helpers (app/reports/pdf.py)
so that whatever they learn (fonts, characters) the export learns too."""

from __future__ import annotations

from typing import Any

import orjson

from app.reports import pdf as report_pdf
from app.reports.pdf import _Document, _heading, _paragraph, _table, _text
from app.retention.schemas import CaseExport

# Dutch titles of the tables of the file; a table not named here is shown under its own name.
_TITLES = {
    "milestones": "Mijlpalen",
    "tracks": "Trajecten (sporen)",
    "progress_reports": "Voortgangsrapportages",
    "candidate_proposals": "Kandidaatvoordrachten",
    "candidate_proposal_status_history": "Statusgeschiedenis van de voordrachten",
    "medical_status_versions": "Medische status (functioneel), elke versie",
    "audit_log": "Auditlog: wie wijzigde wat, wanneer",
    "access_log": "Inzagelog: wie las wat, wanneer",
    "events": "Wijzigingen (feed)",
    "compliance_snapshots": "Berekende verplichtingen (momentopname)",
    "compliance_items": "Berekende verplichtingen",
}
_CASE_LABELS = (
    ("employee_name", "Naam werknemer"),
    ("employee_date_of_birth", "Geboortedatum"),
    ("employee_bsn", "BSN"),
    ("external_ref", "Dossiernummer"),
    ("first_sick_day", "Eerste ziektedag"),
    ("status", "Status"),
    ("closed_on", "Gesloten op"),
    ("close_reason", "Reden van sluiten"),
    ("employer_case_manager", "Casemanager werkgever"),
    ("legal_hold", "Juridische blokkade"),
    ("anonymised_at", "Geanonimiseerd op"),
    ("id", "Dossier-id"),
)


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dict | list):
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    return str(value)


def _document() -> _Document:
    """A document set up as the progress report's: its embedded Unicode fonts where app/reports/pdf.py has them
    (`_FONT`, `_FONTS`), else the core fonts in Windows-1252."""
    pdf = _Document(format="A4")
    font: Any = getattr(report_pdf, "_FONT", None)
    fonts: Any = getattr(report_pdf, "_FONTS", None)
    if font and fonts is not None:
        for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
            pdf.add_font(font, style, fonts / file)
    else:
        pdf.core_fonts_encoding = "windows-1252"
    return pdf


def render(export: CaseExport) -> bytes:
    case = export.case
    pdf = _document()
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    reference = case.get("external_ref") or case.get("id")
    pdf.set_title(_text(f"Dossier {reference}"))
    pdf.set_creator("Spoorwijzer")
    pdf.footer_text = _text(f"Inzage dossier {reference} - {export.exported_at:%d-%m-%Y}")
    pdf.add_page()
    _heading(pdf, "Inzage in het re-integratiedossier (AVG art. 15)")
    _paragraph(pdf, f"Opgemaakt op {export.exported_at:%d-%m-%Y %H:%M} UTC. Alle gegevens van het dossier.")
    _heading(pdf, "Dossier")
    facts: list[tuple[str, ...]] = [(label, _value(case.get(key))) for key, label in _CASE_LABELS]
    _table(pdf, ("Gegeven", "Waarde"), facts, (50, 124))
    periods: list[tuple[str, ...]] = [
        (_value(p.get("first_day")), _value(p.get("last_day"))) for p in case.get("absence_periods") or []
    ]
    _heading(pdf, "Verzuimperiodes")
    _table(pdf, ("Eerste dag", "Laatste dag"), periods, (87, 87))
    for table, rows in export.records.items():
        _heading(pdf, f"{_TITLES.get(table, table)} ({len(rows)})")
        if not rows:
            _paragraph(pdf, None, empty="Geen.")
        for number, row in enumerate(rows, start=1):
            lines = [f"{key}: {_value(value)}" for key, value in row.items() if key not in ("bureau_id", "case_id")]
            _paragraph(pdf, f"{number}.\n" + "\n".join(lines))
    return bytes(pdf.output())
