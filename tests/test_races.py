"""Races against real PostgreSQL, with real commits: concurrent requests through the app on its own engine.

- 20 PATCHes with the same If-Match: exactly one wins, the others answer 412, one audit row.
- 20 POSTs with one Idempotency-Key: exactly one case; every answer is that case (replayed) or a 409.
- Milestone writes racing compliance reads: every read is the evaluation of a set of committed milestones, and
  the stored snapshot equals a fresh evaluation at the end.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from app import poortwachter
from app.audit.models import AuditEntry
from app.cases.models import Case
from app.compliance import repository
from app.compliance.facts import to_facts
from app.compliance.snapshots import refresh
from app.core.settings import Settings
from tests.conftest import Factory, case_body
from tests.live import Parties, committed_database, committing_app, parties

N = 20


@pytest.fixture(scope="module")
def races_database() -> str:
    return committed_database("races")


@pytest.fixture
async def live(races_database: str) -> AsyncIterator[tuple[Any, Factory, Parties]]:
    async with committing_app(races_database) as (app, _, factory):
        yield app, factory, await parties(factory, uuid.uuid4().hex[:6])


async def test_concurrent_patches_with_one_if_match_exactly_one_wins(live: tuple[Any, Factory, Parties]) -> None:
    app, _, p = live
    created = await p.bureau.post("/v1/cases", json=case_body(p))
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]

    async def patch(i: int) -> httpx.Response:
        return await p.bureau.patch(
            f"/v1/cases/{case_id}", json={"employer_case_manager": f"Manager {i}"}, headers={"If-Match": '"1"'}
        )

    responses = await asyncio.gather(*(patch(i) for i in range(N)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (N - 1), statuses
    [winner] = [r for r in responses if r.status_code == 200]
    assert winner.json()["version"] == 2
    final = (await p.bureau.get(f"/v1/cases/{case_id}")).json()
    assert final["version"] == 2
    assert final["employer_case_manager"] == winner.json()["employer_case_manager"]
    async with app.state.sessionmaker() as session:
        updates = await session.scalar(
            select(func.count()).where(AuditEntry.entity_id == uuid.UUID(case_id), AuditEntry.action == "updated")
        )
    assert updates == 1


async def test_concurrent_posts_with_one_idempotency_key_make_one_case(live: tuple[Any, Factory, Parties]) -> None:
    app, _, p = live
    payload = case_body(p)
    key = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    responses = await asyncio.gather(*(p.bureau.post("/v1/cases", json=payload, headers=key) for _ in range(N)))
    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert len([r for r in created if "idempotent-replayed" not in r.headers]) == 1
    assert len({r.json()["id"] for r in created}) == 1
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.headers["retry-after"]
    async with app.state.sessionmaker() as session:
        rows = await session.scalar(select(func.count()).where(Case.external_ref == payload["external_ref"]))
    assert rows == 1
    # The losers' retry gets the one case.
    retry = await p.bureau.post("/v1/cases", json=payload, headers=key)
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == created[0].json()["id"]


# Each completes an obligation of its own, so every subset of them gives a different compliance answer.
MILESTONES = [
    ("probleemanalyse", "2025-02-10"),
    ("plan_van_aanpak", "2025-02-24"),
    ("casemanager", "2025-02-24"),
    ("ziekmelding_uwv", "2025-10-10"),
    ("eerstejaarsevaluatie", "2025-12-15"),
    ("actueel_oordeel", "2026-08-20"),
    ("eindevaluatie", "2026-09-01"),
    ("reintegratieverslag", "2026-09-10"),
]


def shape(obligations: list[dict[str, Any]] | tuple[Any, ...]) -> list[tuple[Any, ...]]:
    def get(ob: Any, name: str) -> Any:
        value = ob[name] if isinstance(ob, dict) else getattr(ob, name)
        return value.isoformat() if hasattr(value, "isoformat") else value

    fields = ("code", "period", "track_id", "status", "due_on", "completed_on", "evidence_id")
    return sorted(tuple(get(ob, f) for f in fields) for ob in obligations)


async def test_milestone_writes_racing_compliance_reads_stay_consistent(live: tuple[Any, Factory, Parties]) -> None:
    app, _, p = live
    created = await p.bureau.post("/v1/cases", json=case_body(p))
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    url = f"/v1/cases/{case_id}/compliance"
    writing = True

    async def write(kind: str, on: str) -> httpx.Response:
        return await p.bureau.post(f"/v1/cases/{case_id}/milestones", json={"type": kind, "occurred_on": on})

    async def read(actor: Any) -> list[dict[str, Any]]:
        seen = []
        while writing or not seen:
            response = await actor.get(url)
            assert response.status_code == 200, response.text
            seen.append(response.json())
        return seen

    readers = [asyncio.create_task(read(actor)) for actor in (p.bureau, p.employer, p.bureau, p.employer)]
    writes = await asyncio.gather(*(write(kind, on) for kind, on in MILESTONES))
    writing = False
    answers = [answer for seen in await asyncio.gather(*readers) for answer in seen]
    assert all(w.status_code == 201 for w in writes), [w.text for w in writes if w.status_code != 201]
    answers.append((await p.bureau.get(url)).json())

    settings: Settings = app.state.settings
    async with app.state.sessionmaker() as session:
        [rows] = await repository.load_for_snapshots(session, [uuid.UUID(case_id)])
    assert len(rows.milestones) == len(writes)

    # Every answer is exactly the evaluation of some set of committed milestones, never a torn mixture.
    evaluations: dict[str, list[tuple[Any, ...]]] = {}
    as_of = date.fromisoformat(answers[0]["as_of"])
    for size in range(len(rows.milestones) + 1):
        for subset in itertools.combinations(range(len(rows.milestones)), size):
            partial = copy.copy(rows)
            partial.milestones = [rows.milestones[i] for i in subset]
            result = poortwachter.evaluate(to_facts(partial), as_of, report_grace_days=settings.report_grace_days)
            evaluations.setdefault(repr(shape(result.obligations)), shape(result.obligations))
    for answer in answers:
        assert answer["as_of"] == answers[0]["as_of"]
        assert repr(shape(answer["obligations"])) in evaluations, answer
    assert shape(answers[-1]["obligations"]) == shape(
        poortwachter.evaluate(to_facts(rows), as_of, report_grace_days=settings.report_grace_days).obligations
    )

    # The stored history is what a fresh computation over the committed facts gives (none of it reused).
    stored = await snapshot_rows(app, case_id)
    async with app.state.sessionmaker() as session:
        await session.execute(text("DELETE FROM compliance_snapshots WHERE case_id = :id"), {"id": case_id})
        await refresh(session, [uuid.UUID(case_id)], today=as_of, report_grace_days=settings.report_grace_days)
        fresh = await snapshot_rows(app, case_id, session)
        await session.rollback()
    assert stored == fresh
    assert stored[0], "the case has a snapshot"


async def snapshot_rows(app: Any, case_id: str, session: Any = None) -> tuple[list[Any], list[Any]]:
    snapshot_sql = text(
        "SELECT facts_through, valid_until, recovered_on, lapses_on, closed_on, rules_version, report_grace_days "
        "FROM compliance_snapshots WHERE case_id = :id"
    )
    items_sql = text(
        "SELECT code, parties, due_on, window_opens_on, overdue_after, listed_from, final_status, completed_on, "
        "late_by_days, evidence_id, waiting_for, period, track_id, valid_from, valid_to FROM compliance_items "
        "WHERE case_id = :id ORDER BY code, period NULLS FIRST, track_id NULLS FIRST, valid_from, due_on, final_status"
    )
    if session is None:
        async with app.state.sessionmaker() as own:
            return await snapshot_rows(app, case_id, own)
    snapshots = [tuple(r) for r in await session.execute(snapshot_sql, {"id": case_id})]
    items = [tuple(r) for r in await session.execute(items_sql, {"id": case_id})]
    return snapshots, items
