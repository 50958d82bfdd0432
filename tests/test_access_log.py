"""The read-access log (NEN 7513 style): every read of a case's personal data (the case by any party, its masked
BSN also in answers to writes, the medical status, progress reports, milestones with notes or WIA percentages, the
audit log) is logged with who (organization, key, `X-Acting-User`), when and what; only the case's bureau reads
the log."""

from __future__ import annotations

from typing import Any

from tests.conftest import Actor, World, assert_problem, case_body, create_case
from tests.test_medical import first_push, url


async def access_log(world: World, case: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    """The case's access log, less the row of its creation (the answer to POST /v1/cases shows the case)."""
    response = await world.bureau.get(f"/v1/cases/{case['id']}/access-log", params=params)
    assert response.status_code == 200, response.text
    items = list(response.json()["items"])
    if "cursor" not in params:
        creation = items.pop(0)
        assert (creation["actor_organization_id"], creation["path"]) == (world.bureau.id, "/v1/cases")
    return items


def entry(actor: Actor, what: str, path: str) -> tuple[str, str, str, str]:
    return (actor.id, actor.key_id, what, path)


def shape(log: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(e["actor_organization_id"], e["actor_key_id"], e["what"], e["path"]) for e in log]


async def test_medical_status_reads_are_logged(world: World) -> None:
    case = await create_case(world, employee={"name": "J. de Vries", "date_of_birth": "1980-05-17"})
    await first_push(world, case)
    assert await access_log(world, case) == []  # pushing is no read
    history = f"{url(case)}/history"
    for reader in (world.bureau, world.employer, world.arbodienst):
        assert (await reader.get(url(case))).status_code == 200
    assert (await world.employer.get(history)).status_code == 200
    log = await access_log(world, case)
    assert shape(log) == [
        entry(world.bureau, "medical_status", url(case)),
        entry(world.employer, "medical_status", url(case)),
        entry(world.arbodienst, "medical_status", url(case)),
        entry(world.employer, "medical_status", history),
    ]
    assert log[0]["at"] <= log[-1]["at"]
    assert [e["id"] for e in log] == sorted(e["id"] for e in log)


async def test_failed_reads_are_not_logged(world: World) -> None:
    case = await create_case(world)
    assert_problem(await world.employer.get(url(case)), 404)  # no status yet: nothing was read
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url(case)), 404)
        assert_problem(await outsider.get(f"/v1/cases/{case['id']}"), 404)
    assert await access_log(world, case) == []


async def test_case_reads_with_a_bsn_are_logged(world: World) -> None:
    case = await create_case(world)
    path = f"/v1/cases/{case['id']}"
    for reader in (world.bureau, world.employer, world.arbodienst):
        assert (await reader.get(path)).status_code == 200
    # The arbodienst is not shown the BSN: its read is a read of the case, not of a BSN.
    assert shape(await access_log(world, case)) == [
        entry(world.bureau, "bsn", path),
        entry(world.employer, "bsn", path),
        entry(world.arbodienst, "case", path),
    ]


async def test_lists_log_one_entry_per_case_answered(world: World) -> None:
    with_bsn = [await create_case(world), await create_case(world)]
    without = await create_case(world, employee={"name": "A. Bakker", "date_of_birth": "1990-01-01"})
    listed = (await world.employer.get("/v1/cases")).json()["items"]
    assert {c["id"] for c in listed} == {c["id"] for c in [*with_bsn, without]}
    for case in with_bsn:
        assert shape(await access_log(world, case)) == [entry(world.employer, "bsn", "/v1/cases")]
    assert shape(await access_log(world, without)) == [entry(world.employer, "case", "/v1/cases")]
    # Only the cases returned on the page are logged.
    page = (await world.bureau.get("/v1/cases", params={"limit": 1})).json()["items"]
    assert [c["id"] for c in page] == [with_bsn[0]["id"]]
    assert len(await access_log(world, with_bsn[0])) == 2
    assert len(await access_log(world, with_bsn[1])) == 1
    # The arbodienst's list shows no BSN: each case is logged as a case read.
    assert len((await world.arbodienst.get("/v1/cases")).json()["items"]) == 3
    assert shape(await access_log(world, with_bsn[1]))[-1] == entry(world.arbodienst, "case", "/v1/cases")


async def test_only_the_bureau_reads_the_access_log(world: World) -> None:
    case = await create_case(world)
    path = f"/v1/cases/{case['id']}/access-log"
    for party in (world.employer, world.arbodienst):
        assert_problem(await party.get(path), 403)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(path), 404)
    assert_problem(await world.bureau.client.get(path), 401)


async def test_access_log_pages(world: World) -> None:
    case = await create_case(world)
    for _ in range(3):
        await world.employer.get(f"/v1/cases/{case['id']}")
    first = (await world.bureau.get(f"/v1/cases/{case['id']}/access-log", params={"limit": 2})).json()
    assert len(first["items"]) == 2
    rest = await access_log(world, case, cursor=first["next_cursor"])
    assert len(rest) == 2  # the creation's row and three reads
    assert rest[0]["id"] > first["items"][-1]["id"]


async def test_every_read_of_personal_data_is_logged_with_the_acting_user(world: World) -> None:
    from tests.workflows import add_report, report_content, start_track

    name = "Consulent Şahin (id 4411)"
    who = {"X-Acting-User": name.encode()}  # UTF-8 on the wire
    created = await world.bureau.post("/v1/cases", json=case_body(world), headers=who)
    case = created.json()
    cid = case["id"]
    patched = await world.bureau.patch(
        f"/v1/cases/{cid}", json={"employer_case_manager": "Y"}, headers={"If-Match": '"1"', **who}
    )
    assert patched.status_code == 200
    track = await start_track(world.bureau, cid)
    report = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    submitted = await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    wia = {"type": "wia_beslissing", "occurred_on": "2026-01-10", "percentage": 50, "uitkering": "wga"}
    noted = {"type": "eerstejaarsevaluatie", "occurred_on": "2026-01-05", "note": "Gesprek met werknemer"}
    plain = await world.bureau.post(f"/v1/cases/{cid}/milestones", json=wia)
    assert plain.status_code == 201, plain.text
    assert (await world.bureau.post(f"/v1/cases/{cid}/milestones", json=noted)).status_code == 201

    async def whole_log() -> list[dict[str, Any]]:
        response = await world.bureau.get(f"/v1/cases/{cid}/access-log", params={"limit": 200})
        return list(response.json()["items"])

    log_start = len(await whole_log())

    reads = [
        (world.employer, f"/v1/progress-reports/{report['id']}", {}, "progress_report"),
        (world.employer, f"/v1/progress-reports/{report['id']}", {"Accept": "application/pdf"}, "progress_report"),
        (world.bureau, f"/v1/tracks/{track['id']}/progress-reports", {}, "progress_report"),
        (world.arbodienst, f"/v1/cases/{cid}/milestones", {}, "milestone"),
        (world.bureau, f"/v1/cases/{cid}/milestones/{plain.json()['id']}", {}, "milestone"),
        (world.bureau, f"/v1/cases/{cid}/audit-log", {}, "audit_log"),
        (world.arbodienst, f"/v1/cases/{cid}", {}, "case"),
    ]
    for actor, path, headers, _ in reads:
        response = await actor.get(path, headers={**headers, **who})
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == "no-store", path
    closed = await world.bureau.post(f"/v1/cases/{cid}/close", json={"closed_on": "2026-03-01", "reason": "hersteld"})
    assert closed.status_code == 200, closed.text

    log = await whole_log()
    assert [(e["what"], e["path"], e["acting_user"]) for e in log[:2]] == [
        ("bsn", "/v1/cases", name),
        ("bsn", f"/v1/cases/{cid}", name),
    ]
    read_rows = log[log_start : log_start + len(reads)]
    assert [(e["actor_organization_id"], e["path"], e["what"], e["acting_user"]) for e in read_rows] == [
        (actor.id, path, what, name) for actor, path, _, what in reads
    ]
    assert (log[-1]["what"], log[-1]["path"], log[-1]["acting_user"]) == ("bsn", f"/v1/cases/{cid}/close", None)


async def test_acting_user_is_validated(world: World) -> None:
    for bad in ("x" * 201, "   "):
        problem = assert_problem(await world.bureau.get("/v1/cases", headers={"X-Acting-User": bad}), 422)
        assert problem["errors"][0]["field"] == "X-Acting-User"
    assert (await world.bureau.get("/v1/cases", headers={"X-Acting-User": "x" * 200})).status_code == 200


async def test_a_replayed_create_is_logged_like_the_first_answer(world: World) -> None:
    # The replay (same Idempotency-Key and body) shows the case again, masked BSN included.
    body, key = case_body(world), {"Idempotency-Key": "replayed-create-1"}
    first = await world.bureau.post("/v1/cases", json=body, headers=key)
    again = await world.bureau.post("/v1/cases", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    log = (await world.bureau.get(f"/v1/cases/{first.json()['id']}/access-log")).json()["items"]
    assert shape(log) == [entry(world.bureau, "bsn", "/v1/cases")] * 2
