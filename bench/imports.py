"""Import benchmark (issue 15): 10,000 case bundles of a typical size through POST /v1/imports, against a live
uvicorn whose in-process import workers create them. Target: all done in under 2 minutes.

A typical bundle: a case (one absence period, a BSN) with three milestones, a spoor 2 track with two candidate
proposals and two submitted progress reports. The clock starts at the POST and stops when GET /v1/imports/{id}
says `done`; the time includes each bundle's validation, audit rows, feed events and compliance snapshot.

    .venv/bin/python -m bench.imports --bundles 10000 [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx
import orjson

from app.cli import create_key, create_organization
from app.core.db import commit, make_engine, make_sessionmaker
from app.core.settings import Settings
from app.organizations import repository as organizations
from app.organizations.models import OrganizationKind
from bench.common import fresh_database, live_server

_VALID_BSNS = ("111222333", "123456782")


async def _parties(url: str) -> dict[str, str]:
    settings = Settings(environment="development", database_url=url)
    engine = make_engine(url, settings)
    try:
        async with make_sessionmaker(engine)() as session:
            bureau = await create_organization(session, OrganizationKind.reintegratiebureau, "Bench Bureau", None)
            employer = await create_organization(session, OrganizationKind.werkgever, "Bench Werkgever", None)
            arbodienst = await create_organization(session, OrganizationKind.arbodienst, "Bench Arbo", None)
            for org in (employer, arbodienst):
                await organizations.link(session, bureau.id, org.id)
            _, secret = await create_key(session, bureau.id, "bench")
            await commit(session, [])
        return {"bureau": str(bureau.id), "employer": str(employer.id), "arbodienst": str(arbodienst.id), "key": secret}
    finally:
        await engine.dispose()


def bundle(n: int, parties: dict[str, str]) -> dict[str, Any]:
    return {
        "external_ref": f"BENCH-{n:06d}",
        "employer_id": parties["employer"],
        "arbodienst_id": parties["arbodienst"],
        "employee": {"name": f"Werknemer {n}", "date_of_birth": "1982-06-01", "bsn": _VALID_BSNS[n % 2]},
        "absence_periods": [{"first_day": "2025-01-06"}],
        "employer_case_manager": "M. Jansen",
        "milestones": [
            {"type": "probleemanalyse", "occurred_on": "2025-02-20"},
            {"type": "plan_van_aanpak", "occurred_on": "2025-03-10"},
            {"type": "casemanager", "occurred_on": "2025-03-10", "note": "A. de Boer"},
        ],
        "tracks": [
            {
                "spoor": 2,
                "started_on": "2025-04-01",
                "coach": "E. Bakker",
                "candidate_proposals": [
                    {
                        "prospective_employer": {"name": "Bouwbedrijf Smit", "place": "Zwolle"},
                        "vacancy_title": "Magazijnmedewerker",
                        "proposed_on": "2025-04-15",
                        "channel": "vacature",
                    },
                    {
                        "prospective_employer": {"name": "Transport Mulder", "place": "Kampen"},
                        "vacancy_title": "Planner",
                        "proposed_on": "2025-05-06",
                        "channel": "netwerk",
                    },
                ],
                "progress_reports": [
                    {"period": "2025-04", "employee_comments": "Gaat goed", "submitted_on": "2025-05-02"},
                    {
                        "period": "2025-05",
                        "activities": [{"description": "Sollicitatietraining"}],
                        "submitted_on": "2025-06-03",
                    },
                ],
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (each runs the import job)")
    parser.add_argument("--concurrency", type=int, default=3, help="import batches side by side per process")
    parser.add_argument("--port", type=int, default=8915)
    args = parser.parse_args()

    url = fresh_database("spoorwijzer_bench_imports")
    parties = asyncio.run(_parties(url))
    body = b"\n".join(orjson.dumps(bundle(n, parties)) for n in range(args.bundles))
    print(f"{args.bundles} bundles, {len(body) / 1e6:.1f} MB of JSON Lines")
    headers = {"Authorization": f"Bearer {parties['key']}"}
    env = {"SPOORWIJZER_IMPORT_CONCURRENCY": str(args.concurrency)}
    with live_server(url, port=args.port, workers=args.workers, env=env) as base, httpx.Client(base_url=base) as client:
        started = time.perf_counter()
        response = client.post(
            "/v1/imports", content=body, headers={**headers, "Content-Type": "application/x-ndjson"}, timeout=120
        )
        assert response.status_code == 202, response.text
        accepted = time.perf_counter() - started
        job = response.json()
        while job["status"] != "done":
            time.sleep(1)
            job = client.get(f"/v1/imports/{job['id']}", headers=headers).json()
            print(f"  {time.perf_counter() - started:6.1f} s  done {job['done']}/{job['total']}", flush=True)
        elapsed = time.perf_counter() - started
    assert job["created"] == args.bundles, job
    print(f"accepted (202) in {accepted:.1f} s; all {args.bundles} bundles created in {elapsed:.1f} s")
    projected = elapsed * 10_000 / args.bundles
    print(f"{args.bundles / elapsed:.0f} bundles/s; 10,000 would take {projected:.0f} s (target < 120 s)")


if __name__ == "__main__":
    main()
