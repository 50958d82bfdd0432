"""The PDF of a progress report cannot fail on valid content: the largest report the schema allows, in Polish,
Turkish and Dutch, with words longer than a line, prints, and the names read back from the PDF as written."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.conftest import World
from tests.workflows import add_report, spoor_2

ITEMS = 50  # app/reports/schemas.py::_MAX_ITEMS

TEXTS = {
    "pl": "Łukasz Wójcik zgłosił się do pracy; źdźbło, gęś, żółć i ślęczenie nad ćwiczeniami. ",
    "tr": "Şahin Doğan işe döndü; ığdır, çalışma saatleri ve güç kaybı ölçüldü. ",
    "nl": "Mevrouw IJsselmeer-Brouwer heeft een ééndaagse training gevolgd; coördinatie en reïntegratie. ",
}
NAMES = {"pl": "Łukasz", "tr": "Şahin", "nl": "IJsselmeer-Brouwer"}


def _text(language: str, length: int) -> str:
    # A word longer than any line or table column (no space in 300 characters) within the repeated sentence.
    sentence = TEXTS[language] + ("ą" if language == "pl" else "ş" if language == "tr" else "é") * 300 + " "
    return (sentence * (length // len(sentence) + 1))[:length].strip()


LANGUAGES = ("pl", "tr", "nl")


def _largest() -> dict[str, Any]:
    """Every list at its longest, every text at its longest, the languages taking turns."""
    long = [_text(LANGUAGES[i % 3], 2000) for i in range(ITEMS)]
    longest = [_text(language, 4000) for language in LANGUAGES]
    return {
        "plan_progress": [{"goal": long[i], "status": "behind", "deviation": long[i - 1]} for i in range(ITEMS)],
        "belastbaarheid": {
            "description": longest[0],
            "hours_per_week": 20,
            "source": "bedrijfsarts",
            "assessed_on": "2026-02-02",
        },
        "activities": [{"description": long[i], "on": "2026-02-03"} for i in range(ITEMS)],
        "houding_en_gedrag": longest[1],
        "bottlenecks": [{"bottleneck": long[i], "measure": long[i - 2]} for i in range(ITEMS)],
        "next_steps": [{"action": long[i], "due_on": "2026-03-01", "responsible": "Ş" * 200} for i in range(ITEMS)],
        "employee_comments": longest[2],
    }


async def test_largest_report_prints_in_polish_turkish_and_dutch(world: World) -> None:
    name = "Şahin Łukasz Doğan-IJsselmeer"
    _case, track = await spoor_2(world, employee={"name": name, "date_of_birth": "1980-05-17", "bsn": "111222333"})
    # The whole report is larger than one request body may be: the lists go in one PATCH each.
    content = _largest()
    lists = ("plan_progress", "activities", "bottlenecks", "next_steps")
    report = await add_report(
        world.bureau, track["id"], "2026-02", **{k: v for k, v in content.items() if k not in lists}
    )
    for version, field in enumerate(lists, start=1):
        patched = await world.bureau.patch(
            f"/v1/progress-reports/{report['id']}", json={field: content[field]}, headers={"If-Match": f'"{version}"'}
        )
        assert patched.status_code == 200, patched.text[:500]

    response = await world.bureau.get(f"/v1/progress-reports/{report['id']}", headers={"Accept": "application/pdf"})

    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["vary"] == "Accept"
    assert response.headers["cache-control"] == "no-store"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) > 20
    first = pdf.pages[0].extract_text()
    assert name in first  # the employee's name in the header, as written
    text = "".join(page.extract_text() for page in pdf.pages)
    for language in LANGUAGES:
        assert NAMES[language] in text
        assert TEXTS[language].split(";")[0] in text
    assert "?" not in text  # nothing was replaced for want of a glyph
