"""Bulk import: JSON Lines in, 202, the bundles created in the background through the resources' services, each
bundle all or nothing, idempotent by external_ref, resumable from the lines left pending."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.background import SystemClock, Workers
from app.cases.service import today
from app.imports import worker
from app.imports.worker import BATCH, run_batch
from tests.conftest import World, assert_problem, case_body

NDJSON = {"Content-Type": "application/x-ndjson"}


def bundle(world: World, ref: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A typical bundle: a case with two milestones, a spoor 2 track with a proposal and a submitted report."""
    body = case_body(world, external_ref=ref or f"IMP-{uuid.uuid4().hex[:10]}")
    body["milestones"] = [
        {"type": "probleemanalyse", "occurred_on": "2025-02-20"},
        {"type": "plan_van_aanpak", "occurred_on": "2025-03-10"},
    ]
    body["tracks"] = [
        {
            "spoor": 2,
            "started_on": "2025-04-01",
            "candidate_proposals": [
                {
                    "prospective_employer": {"name": "Bouwbedrijf Smit", "place": "Zwolle"},
                    "vacancy_title": "Magazijnmedewerker",
                    "proposed_on": "2025-04-15",
                    "channel": "vacature",
                }
            ],
            "progress_reports": [
                {"period": "2025-04", "employee_comments": "Gaat goed", "submitted_on": "2025-05-02"},
            ],
        }
    ]
    body.update(overrides)
    return body


def jsonl(*bundles: dict[str, Any] | str) -> bytes:
    return b"\n".join(
        b if isinstance(b, bytes) else b.encode() if isinstance(b, str) else orjson.dumps(b) for b in bundles
    )


async def post_import(world: World, body: bytes) -> dict[str, Any]:
    response = await world.bureau.post("/v1/imports", content=body, headers=NDJSON)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/imports/{response.json()['id']}"
    return dict(response.json())


async def drain(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Run the import job's passes until it has nothing left; answers the number of passes."""
    passes = 1
    while await run_batch(sessionmaker, today, 14):
        passes += 1
    return passes


async def lines(world: World, import_id: str, **params: Any) -> list[dict[str, Any]]:
    response = await world.bureau.get(f"/v1/imports/{import_id}/lines", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_an_import_creates_each_bundle_through_the_services(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> None:
    good = bundle(world, "IMP-GOOD")
    job = await post_import(world, jsonl(good, bundle(world, "IMP-TWO")))
    assert (job["status"], job["total"], job["done"], job["failed"]) == ("queued", 2, 0, 0)
    await drain(sessionmaker)
    job = (await world.bureau.get(f"/v1/imports/{job['id']}")).json()
    assert (job["status"], job["total"], job["done"], job["created"], job["failed"]) == ("done", 2, 2, 2, 0)
    assert job["finished_at"] is not None
    first = (await lines(world, job["id"]))[0]
    assert (first["line"], first["status"], first["external_ref"], first["problem"]) == (1, "created", "IMP-GOOD", None)
    made = first["created"]
    case_id = made["case_id"]
    case = (await world.bureau.get(f"/v1/cases/{case_id}")).json()
    assert case["external_ref"] == "IMP-GOOD"
    assert case["employee"]["bsn_masked"] is not None
    milestones = (await world.bureau.get(f"/v1/cases/{case_id}/milestones")).json()["items"]
    assert sorted(m["id"] for m in milestones) == sorted(made["milestone_ids"])
    track_id = made["tracks"][0]["track_id"]
    reports = (await world.bureau.get(f"/v1/tracks/{track_id}/progress-reports")).json()["items"]
    assert [(r["id"], r["status"], r["submitted_on"]) for r in reports] == [
        (made["tracks"][0]["report_ids"][0], "submitted", "2025-05-02")
    ]
    proposals = (await world.bureau.get(f"/v1/tracks/{track_id}/candidate-proposals")).json()["items"]
    assert [p["id"] for p in proposals] == made["tracks"][0]["proposal_ids"]
    # The same audit rows and feed events as the single requests, and a compliance snapshot from the facts.
    audit = (await world.bureau.get(f"/v1/cases/{case_id}/audit-log", params={"limit": 100})).json()["items"]
    assert {(a["entity_type"], a["action"]) for a in audit} >= {
        ("case", "created"),
        ("milestone", "recorded"),
        ("track", "started"),
        ("candidate_proposal", "created"),
        ("progress_report", "submitted"),
    }
    events = (await world.employer.get("/v1/events", params={"limit": 200})).json()["items"]
    assert any(e["entity_type"] == "case" and e["entity_id"] == case_id for e in events)
    compliance = (await world.bureau.get(f"/v1/cases/{case_id}/compliance", params={"as_of": "2025-05-05"})).json()
    probleemanalyse = [o for o in compliance["obligations"] if o["code"] == "probleemanalyse"]
    assert probleemanalyse and probleemanalyse[0]["status"] == "done", probleemanalyse
    snapshots = await connection.scalar(
        text("SELECT count(*) FROM compliance_snapshots WHERE case_id = :id"), {"id": uuid.UUID(case_id)}
    )
    assert snapshots == 1


async def test_each_bundle_is_all_or_nothing_and_problems_name_line_and_field(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> None:
    broken_report = bundle(world, "IMP-BAD-REPORT")
    broken_report["tracks"][0]["progress_reports"][0]["period"] = "2025-01"  # before the track started
    job = await post_import(
        world,
        jsonl(
            bundle(world, "IMP-OK"),
            broken_report,
            "{not json",
            bundle(world, "IMP-BAD-MILESTONE", milestones=[{"type": "probleemanalyse", "occurred_on": "2024-01-01"}]),
            "",  # blank lines are skipped but keep the numbering
            bundle(world, "IMP-NO-EMPLOYER", employer_id=str(uuid.uuid4())),
            {"external_ref": "IMP-INVALID", "employee": {"name": "X"}},
        ),
    )
    assert job["total"] == 6
    assert job["failed"] == 2  # the two lines that are not bundles at all fail at once
    await drain(sessionmaker)
    job = (await world.bureau.get(f"/v1/imports/{job['id']}")).json()
    assert (job["created"], job["failed"], job["done"], job["status"]) == (1, 5, 6, "done")
    by_line = {line["line"]: line for line in await lines(world, job["id"])}
    assert sorted(by_line) == [1, 2, 3, 4, 6, 7]
    assert by_line[1]["status"] == "created"
    report = by_line[2]["problem"]
    assert (by_line[2]["status"], report["status"], report["field"]) == (
        "failed",
        422,
        "tracks.0.progress_reports.0.period",
    )
    assert by_line[3]["problem"]["status"] == 422 and by_line[3]["problem"]["field"] is None
    assert by_line[4]["problem"]["field"] == "milestones.0.occurred_on"
    assert by_line[6]["problem"]["field"] == "employer_id"
    assert by_line[7]["problem"]["field"] in {"employer_id", "employee.date_of_birth", "absence_periods"}
    failed_only = await lines(world, job["id"], status="failed")
    assert [line["line"] for line in failed_only] == [2, 3, 4, 6, 7]
    # Nothing of a failed bundle exists: not its case, nor anything created before the failing part.
    for ref in ("IMP-BAD-REPORT", "IMP-BAD-MILESTONE", "IMP-NO-EMPLOYER"):
        found = (await world.bureau.get("/v1/cases", params={"external_ref": ref})).json()["items"]
        assert found == [], ref
    audit = await connection.scalar(
        text("SELECT count(*) FROM audit_log WHERE after->>'external_ref' = 'IMP-BAD-REPORT'")
    )
    assert audit == 0


async def test_importing_the_same_file_twice_creates_nothing_twice(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    body = jsonl(bundle(world, "IMP-A"), bundle(world, "IMP-B"))
    first = await post_import(world, body)
    await drain(sessionmaker)
    second = await post_import(world, body)
    await drain(sessionmaker)
    again = (await world.bureau.get(f"/v1/imports/{second['id']}")).json()
    assert (again["created"], again["existing"], again["failed"], again["done"]) == (0, 2, 0, 2)
    original = {line["external_ref"]: line["created"]["case_id"] for line in await lines(world, first["id"])}
    for line in await lines(world, second["id"]):
        assert line["status"] == "existing"
        assert line["created"] == {"case_id": original[line["external_ref"]]}
    cases = (await world.bureau.get("/v1/cases", params={"external_ref": "IMP-A"})).json()["items"]
    assert len(cases) == 1


async def test_an_import_resumes_where_it_stopped(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> None:
    small = {k: v for k, v in bundle(world).items() if k not in ("milestones", "tracks")}
    total = BATCH + 7
    job = await post_import(world, jsonl(*({**small, "external_ref": f"IMP-R-{n}"} for n in range(total))))
    # Pending lines wait encrypted: no BSN or name at rest in import_lines.
    plain = await connection.scalar(
        text("SELECT count(*) FROM import_lines WHERE payload::text LIKE '%111222333%' OR payload::text LIKE '%Vries%'")
    )
    assert plain == 0
    # A worker dies mid-batch: its transaction rolls back, the lines it held come free and stay pending.
    crashed = await connection.begin_nested()
    assert await run_batch(sessionmaker, today, 14) is True
    await crashed.rollback()
    progress = (await world.bureau.get(f"/v1/imports/{job['id']}")).json()
    assert (progress["status"], progress["done"]) == ("queued", 0)
    # One batch, then the process stops: the import shows its progress and is still running.
    assert await run_batch(sessionmaker, today, 14) is True
    progress = (await world.bureau.get(f"/v1/imports/{job['id']}")).json()
    assert (progress["status"], progress["done"], progress["created"]) == ("running", BATCH, BATCH)
    # A new process's workers (started as the lifespan starts them) pick up the rest.
    workers = Workers([worker.job(14)], sessionmaker=sessionmaker, clock=SystemClock())
    await workers.start()
    try:
        for _ in range(100):
            if workers.passes("imports") >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await workers.stop()
    progress = (await world.bureau.get(f"/v1/imports/{job['id']}")).json()
    assert (progress["status"], progress["done"], progress["created"]) == ("done", total, total)
    assert len({line["created"]["case_id"] for line in await lines(world, job["id"], limit=100)}) == min(total, 100)


async def test_the_file_itself(world: World) -> None:
    assert_problem(await world.bureau.post("/v1/imports", content=b"\n\n", headers=NDJSON), 422)
    assert_problem(await world.bureau.post("/v1/imports", content=b"\xff\xfe", headers=NDJSON), 422)
    too_many = b"\n".join([b"{}"] * 10_001)
    assert (
        "10000"
        in assert_problem(await world.bureau.post("/v1/imports", content=too_many, headers=NDJSON), 422)["detail"]
    )
    as_json = await world.bureau.post("/v1/imports", json=bundle(world))
    assert_problem(as_json, 415)
    refused = await world.employer.post("/v1/imports", content=jsonl(bundle(world)), headers=NDJSON)
    assert_problem(refused, 403)


async def test_an_import_is_its_bureaus_alone(world: World) -> None:
    job = await post_import(world, jsonl(bundle(world)))
    assert_problem(await world.other_bureau.get(f"/v1/imports/{job['id']}"), 404)
    assert_problem(await world.other_bureau.get(f"/v1/imports/{job['id']}/lines"), 404)
    assert_problem(await world.employer.get(f"/v1/imports/{job['id']}"), 403)
    assert [j["id"] for j in (await world.bureau.get("/v1/imports")).json()["items"]] == [job["id"]]
    assert (await world.other_bureau.get("/v1/imports")).json()["items"] == []
