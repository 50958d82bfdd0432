"""An employer portal's use of the API through the generated Python client (openapi-python-client): list its
cases (every page), read one case's compliance and a submitted progress report, and get a typed problem for a
case it may not see. Run against a live server by tests/contract/contract_clients.py (SPOORWIJZER_* variables)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "generated"))

from spoorwijzer_client import AuthenticatedClient
from spoorwijzer_client.api.cases import cases_get, cases_list
from spoorwijzer_client.api.compliance import compliance_case
from spoorwijzer_client.api.progress_reports import progress_reports_get
from spoorwijzer_client.api.reintegratieverslag import reintegratieverslag_case
from spoorwijzer_client.models import (
    CaseCompliance,
    CaseRead,
    PageCaseRead,
    Problem,
    ReintegratieverslagCheck,
    ReportRead,
)
from spoorwijzer_client.types import UNSET


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"check failed: {what}")


def main() -> None:
    env = os.environ
    employer_id, case_id = uuid.UUID(env["SPOORWIJZER_EMPLOYER_ID"]), uuid.UUID(env["SPOORWIJZER_CASE_ID"])
    report_id = uuid.UUID(env["SPOORWIJZER_REPORT_ID"])
    client = AuthenticatedClient(base_url=env["SPOORWIJZER_API"], token=env["SPOORWIJZER_EMPLOYER_KEY"])

    cases: list[CaseRead] = []
    cursor: str | None = None
    while True:
        page = cases_list.sync(client=client, limit=2, cursor=cursor if cursor else UNSET)
        check(isinstance(page, PageCaseRead), f"a page of cases, got {page!r}")
        assert isinstance(page, PageCaseRead)
        cases += page.items
        cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        if cursor is None:
            break
    check(len(cases) == int(env["SPOORWIJZER_EMPLOYER_CASES"]), f"the employer sees its {len(cases)} cases")
    check(all(c.employer_id == employer_id for c in cases), "only the employer's own cases")
    check(any(c.id == case_id for c in cases), "the seeded case is listed")

    compliance = compliance_case.sync(case_id, client=client)
    check(isinstance(compliance, CaseCompliance), f"compliance, got {compliance!r}")
    assert isinstance(compliance, CaseCompliance)
    check(compliance.case_id == case_id and len(compliance.obligations) > 0, "obligations of the asked case")

    report = progress_reports_get.sync(report_id, client=client)
    check(isinstance(report, ReportRead), f"the report, got {report!r}")
    assert isinstance(report, ReportRead)
    check(report.status == "submitted" and report.id == report_id, "the submitted report")

    riv = reintegratieverslag_case.sync(case_id, client=client)
    check(isinstance(riv, ReintegratieverslagCheck), f"the RIV check, got {riv!r}")
    assert isinstance(riv, ReintegratieverslagCheck)
    parts = [str(p.part.value) for p in riv.parts]
    check(parts[0] == "ziekmelding_en_gegevens" and len(parts) == 10, f"the ten parts in order: {parts}")
    check(
        all(str(p.status.value) in {"not_required", "missing", "incomplete", "stale", "present"} for p in riv.parts),
        "statuses",
    )

    hidden = cases_get.sync(uuid.UUID("00000000-0000-4000-8000-000000000000"), client=client)
    check(isinstance(hidden, Problem) and hidden.status == 404, f"a case outside the view is a 404 problem: {hidden!r}")

    werkgever = [f"{o.code}:{o.status}:{o.due_on}" for o in compliance.outstanding.werkgever]
    summary = {
        "client": "python",
        "cases": len(cases),
        "obligations": len(compliance.obligations),
        "riv_parts": len(parts),
    }
    print(json.dumps({**summary, "werkgever_outstanding": werkgever, "report": report.period}))


if __name__ == "__main__":
    main()
