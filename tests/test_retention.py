"""AVG retention, erasure, legal hold and export, on a case with every kind of resource; afterwards a search of
every column of every table finds none of the employee's personal values."""

from __future__ import annotations

import io
import random
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.settings import Settings
from app.retention.anonymise import blank
from app.retention.job import run_retention
from tests.conftest import World, assert_problem, create_case
from tests.test_medical import status_body
from tests.test_reintegratieverslag import document_body
from tests.workflows import add_proposal, add_report, report_content, start_track

CLOSED_ON = date(2026, 6, 30)


class Dossier:
    """A case with every kind of resource, and the personal values it holds."""

    def __init__(self, case: dict[str, Any], personal: list[str], bsn: str) -> None:
        self.case = case
        self.personal = personal
        self.bsn = bsn

    @property
    def id(self) -> str:
        return str(self.case["id"])


def _word(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def _bsn() -> str:
    """A random BSN that passes the elfproef."""
    while True:
        digits = [random.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


async def full_dossier(world: World, *, close: bool = True) -> Dossier:
    name, manager, coach = _word("Naam"), _word("Manager"), _word("Coach")
    note, reason, goal, end_reason = _word("Notitie"), _word("Afwijking"), _word("Doel"), _word("Einde")
    employer, place, vacancy = _word("Bouwbedrijf"), _word("Plaats"), _word("Vacature")
    proposal_note, rejection = _word("Voorstel"), _word("Afgewezen")
    capacity, advice, doctor = _word("Capaciteit"), _word("Advies"), _word("Arts")
    houding, comments, activity = _word("Houding"), _word("Commentaar"), _word("Activiteit")
    born = (date(1940, 1, 1) + timedelta(days=random.randint(0, 20_000))).isoformat()
    bsn, kvk = _bsn(), f"{random.randint(10_000_000, 99_999_999)}"
    response = await world.bureau.post(
        "/v1/cases",
        json={
            "external_ref": f"BO-{uuid.uuid4().hex[:8]}",
            "employer_id": world.employer.id,
            "arbodienst_id": world.arbodienst.id,
            "employee": {"name": name, "date_of_birth": born, "bsn": bsn},
            "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
            "leave_periods": [],
            "employer_is_wga_eigenrisicodrager": False,
            "employer_case_manager": manager,
        },
        headers={"Idempotency-Key": _word("key")},  # its stored answer repeats the name
    )
    assert response.status_code == 201, response.text
    case = response.json()
    cid = case["id"]
    milestones = f"/v1/cases/{cid}/milestones"
    plan_id = ""
    for body in (
        {"type": "plan_van_aanpak", "occurred_on": "2025-02-20", "note": note},
        {
            "type": "afwijking",
            "occurred_on": "2026-01-10",
            "obligation": "voortgangsgesprek",
            "reason": reason,
            "new_due_on": "2026-02-10",
        },
    ):
        recorded = await world.bureau.post(milestones, json=body)
        assert recorded.status_code == 201, recorded.text
        plan_id = plan_id or recorded.json()["id"]
    title = _word("Titel")  # titles should be functional; if not, erasure forgets them too
    document = await world.employer.post(
        f"/v1/cases/{cid}/documents", json=document_body("plan_van_aanpak", "2025-02-20", plan_id, title=title)
    )
    assert document.status_code == 201, document.text
    pushed = await world.arbodienst.put(
        f"/v1/cases/{cid}/medical-status",
        json=status_body(
            functional_capacities={"werktijden": {"level": "beperkt", "note": capacity}},
            adjustment_advice=advice,
            bedrijfsarts_name=doctor,
        ),
    )
    assert pushed.status_code == 201, pushed.text
    track = await start_track(world.bureau, cid, coach=coach, goal=goal)
    proposal = await add_proposal(
        world.bureau,
        track["id"],
        prospective_employer={"name": employer, "kvk": kvk, "place": place},
        vacancy_title=vacancy,
        note=proposal_note,
    )
    moved = await world.bureau.patch(
        f"/v1/candidate-proposals/{proposal['id']}",
        json={"status": "rejected", "status_date": "2026-02-20", "reason": rejection},
        headers={"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    content = report_content("2026-02")
    content["houding_en_gedrag"] = houding
    content["employee_comments"] = comments
    content["activities"] = [{"on": "2026-02-05", "description": activity}]
    report = await add_report(world.bureau, track["id"], "2026-02", **content)
    submitted = await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit", json=None)
    assert submitted.status_code == 200, submitted.text
    ended = await world.bureau.post(
        f"/v1/tracks/{track['id']}/end", json={"ended_on": "2026-03-31", "end_reason": end_reason}
    )
    assert ended.status_code == 200, ended.text
    assert (await world.bureau.get(f"/v1/cases/{cid}")).status_code == 200  # an access-log row
    if close:
        closed = await world.bureau.post(
            f"/v1/cases/{cid}/close", json={"closed_on": CLOSED_ON.isoformat(), "reason": "plaatsing"}
        )
        assert closed.status_code == 200, closed.text
        case = closed.json()
    personal = [name, manager, coach, note, reason, goal, end_reason, employer, place, vacancy, proposal_note]
    personal += [rejection, capacity, advice, doctor, houding, comments, activity, born, bsn, kvk, title]
    assert born not in ("2025-01-06", CLOSED_ON.isoformat())
    return Dossier(case, personal, bsn)


async def tables_holding(session: AsyncSession, values: list[str]) -> dict[str, list[str]]:
    """Every (table, column) of the schema whose text form contains any of `values`: every column of every table,
    whatever its type (a date of birth is a date; JSON is searched as its text)."""
    columns = await session.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY 1, 2"
        )
    )
    patterns = [f"%{v}%" for v in values]
    found: dict[str, list[str]] = {}
    for table, column in columns.all():
        hits = await session.execute(
            text(
                f'SELECT DISTINCT v FROM unnest(CAST(:patterns AS text[])) v WHERE EXISTS (SELECT 1 FROM "{table}" '
                f'WHERE CAST("{column}" AS text) ILIKE v)'
            ),
            {"patterns": patterns},
        )
        for (pattern,) in hits:
            found.setdefault(f"{table}.{column}", []).append(pattern.strip("%"))
    return found


async def test_blank_keeps_codes_dates_and_ids_only() -> None:
    value = {
        "id": "1b4e28ba-2fa1-11d2-883f-0021e8e4e8e1",
        "status": "on_track",
        "first_day": "2025-01-06",
        "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn_masked": "*****2333"},
        "activities": [{"description": "Gesprek met Piet", "on": "2025-02-03"}],
        "hours_per_week": 20,
    }
    assert blank(value) == {
        "id": "1b4e28ba-2fa1-11d2-883f-0021e8e4e8e1",
        "status": "on_track",
        "first_day": "2025-01-06",
        "employee": {"name": "", "date_of_birth": "", "bsn_masked": ""},
        "activities": [{"description": "", "on": "2025-02-03"}],
        "hours_per_week": 20,
    }


async def test_erase_forgets_the_person_everywhere_and_keeps_the_facts(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dossier = await full_dossier(world)
    async with sessionmaker() as session:
        before = await tables_holding(session, dossier.personal)
    # The search finds them while the case holds them (so an empty answer below means something).
    assert set(before) >= {
        "cases.employee_name",
        "milestones.note",
        "audit_log.after",
        "idempotency_keys.response_body",
    }
    held_before = {v for values in before.values() for v in values}
    assert held_before >= set(dossier.personal) - {dossier.bsn}  # the BSN itself is only stored encrypted

    for party in (world.employer, world.arbodienst):
        assert_problem(await party.post(f"/v1/cases/{dossier.id}/erase", json={"reason": "verzoek"}), 403)
    assert_problem(await world.other_bureau.post(f"/v1/cases/{dossier.id}/erase", json={"reason": "x"}), 404)

    erased = await world.bureau.post(f"/v1/cases/{dossier.id}/erase", json={"reason": "AVG art. 17, verzoek"})
    assert erased.status_code == 200, erased.text
    assert erased.json()["rows"]["milestones"] == 3  # two recorded, one by the medical push

    async with sessionmaker() as session:
        assert await tables_holding(session, dossier.personal) == {}
        bsn = await session.scalar(text("SELECT employee_bsn_encrypted FROM cases WHERE id = :id"), {"id": dossier.id})
        assert bsn is None
    case = (await world.bureau.get(f"/v1/cases/{dossier.id}")).json()
    assert case["employee"] == {"name": "", "date_of_birth": None, "bsn_masked": None}
    assert case["anonymised_at"] is not None
    # Kept: dates, statuses, outcomes, spoor, counts.
    assert (case["status"], case["closed_on"], case["close_reason"]) == ("closed", "2026-06-30", "plaatsing")
    assert case["first_sick_day"] == "2025-01-06"
    tracks = (await world.bureau.get(f"/v1/cases/{dossier.id}/tracks")).json()["items"]
    assert [(t["spoor"], t["started_on"], t["ended_on"], t["coach"]) for t in tracks] == [
        (2, "2026-01-19", "2026-03-31", "")
    ]
    proposals = (await world.bureau.get(f"/v1/tracks/{tracks[0]['id']}/candidate-proposals")).json()["items"]
    assert [(p["status"], p["proposed_on"], p["prospective_employer"]["name"]) for p in proposals] == [
        ("rejected", "2026-02-10", "")
    ]
    reports = (await world.bureau.get(f"/v1/tracks/{tracks[0]['id']}/progress-reports")).json()["items"]
    assert [(r["status"], r["period"], [g["status"] for g in r["plan_progress"]]) for r in reports] == [
        ("submitted", "2026-02", ["on_track", "behind"])
    ]
    documents = (await world.bureau.get(f"/v1/cases/{dossier.id}/documents")).json()["items"]
    assert [(d["kind"], d["title"], d["supplied_by"], d["dated_on"], len(d["sha256"])) for d in documents] == [
        ("plan_van_aanpak", "", "werkgever", "2025-02-20", 64)
    ]
    medical = (await world.bureau.get(f"/v1/cases/{dossier.id}/medical-status")).json()
    assert medical["functional_capacities"]["werktijden"] == {"level": "beperkt", "note": ""}
    compliance = await world.bureau.get(f"/v1/cases/{dossier.id}/compliance", params={"as_of": "2026-06-01"})
    assert compliance.status_code == 200
    # The audit trail keeps who did what when, now with the erasure and its reason.
    audit = (await world.bureau.get(f"/v1/cases/{dossier.id}/audit-log", params={"limit": 200})).json()["items"]
    assert audit[-1]["action"] == "erased"
    assert audit[-1]["after"]["reason"] == "AVG art. 17, verzoek"
    assert {a["action"] for a in audit} >= {"created", "closed", "erased"}
    access = (await world.bureau.get(f"/v1/cases/{dossier.id}/access-log")).json()["items"]
    assert access and all(a["actor_organization_id"] for a in access)


async def test_legal_hold_stops_erasure_and_retention_and_is_audited(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    dossier = await full_dossier(world)
    url = f"/v1/cases/{dossier.id}/legal-hold"
    assert_problem(await world.employer.put(url, json={"legal_hold": True, "reason": "x"}), 403)
    assert_problem(await world.bureau.put(url, json={"legal_hold": True}), 422)
    held = await world.bureau.put(url, json={"legal_hold": True, "reason": "Loonsanctiegeschil bij UWV"})
    assert held.status_code == 200, held.text
    assert held.json()["legal_hold"] is True and held.json()["reason"] == "Loonsanctiegeschil bij UWV"
    assert (await world.bureau.get(url)).json()["legal_hold"] is True
    refused = assert_problem(await world.bureau.post(f"/v1/cases/{dossier.id}/erase", json={"reason": "x"}), 409)
    assert "Loonsanctiegeschil bij UWV" in refused["detail"] and refused["legal_hold"] is True

    expired = CLOSED_ON + timedelta(days=settings.retention_days)
    result = await run_retention(sessionmaker, settings, expired)
    assert dossier.id not in result.anonymised and dossier.id in result.on_hold
    assert (await world.bureau.get(f"/v1/cases/{dossier.id}")).json()["anonymised_at"] is None

    cleared = await world.bureau.put(url, json={"legal_hold": False, "reason": "Geschil beslecht"})
    assert cleared.json() == {**cleared.json(), "legal_hold": False, "reason": None, "set_at": None}
    audit = (await world.bureau.get(f"/v1/cases/{dossier.id}/audit-log", params={"limit": 200})).json()["items"]
    holds = [(a["action"], a["after"]["reason"]) for a in audit if a["action"].startswith("legal_hold")]
    assert holds == [("legal_hold_set", "Loonsanctiegeschil bij UWV"), ("legal_hold_cleared", "Geschil beslecht")]
    result = await run_retention(sessionmaker, settings, expired)
    assert dossier.id in result.anonymised
    async with sessionmaker() as session:
        assert await tables_holding(session, dossier.personal) == {}


async def test_retention_run_anonymises_only_expired_closed_cases(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    closed = await full_dossier(world)
    still_open = await full_dossier(world, close=False)
    term = settings.retention_days
    # The day before the term ends: nothing to do.
    early = await run_retention(sessionmaker, settings, CLOSED_ON + timedelta(days=term - 1))
    assert closed.id not in early.anonymised
    dry = await run_retention(sessionmaker, settings, CLOSED_ON + timedelta(days=term), dry_run=True)
    assert closed.id in dry.anonymised and still_open.id not in dry.anonymised
    async with sessionmaker() as session:
        assert await tables_holding(session, closed.personal)  # a dry run changes nothing
    done = await run_retention(sessionmaker, settings, CLOSED_ON + timedelta(days=term))
    assert closed.id in done.anonymised and still_open.id not in done.anonymised
    async with sessionmaker() as session:
        assert await tables_holding(session, closed.personal) == {}
        assert await tables_holding(session, still_open.personal)  # the open case is untouched
    audit = (await world.bureau.get(f"/v1/cases/{closed.id}/audit-log", params={"limit": 200})).json()["items"]
    assert audit[-1]["action"] == "anonymised" and audit[-1]["after"]["reason"] == "retention"
    again = await run_retention(sessionmaker, settings, CLOSED_ON + timedelta(days=term))
    assert closed.id not in again.anonymised
    # The log term: audit and access rows of anonymised cases go once they are older than it.
    logs = Settings(environment="test", database_url=settings.database_url, log_retention_days=term)
    far = date.today() + timedelta(days=term + 1)
    gone = await run_retention(sessionmaker, logs, far)
    assert gone.audit_rows_deleted > 0 and gone.access_rows_deleted > 0
    async with sessionmaker() as session:
        left = await session.scalar(text("SELECT count(*) FROM audit_log WHERE case_id = :id"), {"id": closed.id})
        assert left == 0
        kept = await session.scalar(text("SELECT count(*) FROM audit_log WHERE case_id = :id"), {"id": still_open.id})
        assert kept and kept > 0


async def test_export_is_the_complete_file(world: World) -> None:
    dossier = await full_dossier(world)
    url = f"/v1/cases/{dossier.id}/export"
    for party in (world.employer, world.arbodienst):
        assert_problem(await party.get(url), 403)
    assert_problem(await world.other_bureau.get(url), 404)
    response = await world.bureau.get(url)
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["case"]["employee_bsn"] == dossier.bsn
    assert export["case"]["employee_name"] in dossier.personal
    records = export["records"]
    assert {"milestones", "tracks", "progress_reports", "candidate_proposals", "audit_log", "access_log"} <= set(
        records
    )
    assert {m["type"] for m in records["milestones"]} >= {"plan_van_aanpak", "afwijking"}
    statuses = [h["status"] for h in records["candidate_proposal_status_history"]]
    assert statuses[-1] == "rejected"
    assert len(records["medical_status_versions"]) == 1
    assert {a["action"] for a in records["audit_log"]} >= {"created", "closed"}
    text_of_export = response.text
    for value in dossier.personal:
        assert value in text_of_export, value
    # The export itself is a read of personal data.
    access = (await world.bureau.get(f"/v1/cases/{dossier.id}/access-log")).json()["items"]
    assert {a["what"] for a in access if a["path"] == url} == {"bsn", "medical_status", "audit_log"}

    printed = await world.bureau.get(url, headers={"Accept": "application/pdf"})
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(printed.content)).pages
    words = "".join(page.extract_text() for page in pages)
    assert dossier.case["employee"]["name"] in words
    assert "Auditlog" in words


async def test_an_erased_open_case_takes_no_personal_data_again(world: World) -> None:
    case = await create_case(world)
    erased = await world.bureau.post(f"/v1/cases/{case['id']}/erase", json={"reason": "verzoek"})
    assert erased.status_code == 200, erased.text
    current = await world.bureau.get(f"/v1/cases/{case['id']}")
    patch = await world.bureau.patch(
        f"/v1/cases/{case['id']}",
        json={"employee": {"name": "J. de Vries"}},
        headers={"If-Match": current.headers["etag"]},
    )
    assert "anonymised" in assert_problem(patch, 409)["detail"]
    held = await world.bureau.put(f"/v1/cases/{case['id']}/legal-hold", json={"legal_hold": True, "reason": "x"})
    assert_problem(held, 409)


@pytest.mark.parametrize("reason", ["", "x" * 2001])
async def test_erase_needs_a_reason(world: World, reason: str) -> None:
    case = await create_case(world)
    assert_problem(await world.bureau.post(f"/v1/cases/{case['id']}/erase", json={"reason": reason}), 422)
