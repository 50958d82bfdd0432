"""Operations: JSON logs with request ids and one access line per request, never a key or a BSN; Prometheus
metrics at /metrics (also summed over several workers); graceful shutdown that finishes requests in flight."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.core.logging import JsonFormatter
from tests.conftest import World, case_body, create_case
from tests.live import BSN, Server, committed_database, committing_app, parties, serve

FORMATTER = JsonFormatter()


def server_side(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The service's records, without those of the test's own HTTP client."""
    return [r for r in records if not r.name.startswith(("httpx", "httpcore"))]


def lines(records: list[logging.LogRecord]) -> list[dict[str, Any]]:
    return [json.loads(FORMATTER.format(record)) for record in server_side(records)]


def text(records: list[logging.LogRecord]) -> str:
    return "\n".join(FORMATTER.format(record) for record in server_side(records))


async def test_access_log_has_request_id_route_template_and_caller_and_no_secrets(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await world.bureau.post("/v1/cases", json=case_body(world), headers={"X-Request-ID": "trace42"})
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    read = await world.bureau.get(f"/v1/cases/{case_id}", params={"note": BSN})
    refused = await world.bureau.get("/v1/cases", params={"limit": 0})
    logged = lines(caplog.records)

    access = [line for line in logged if line["logger"] == "spoorwijzer.access"]
    assert len(access) == 3, access
    post, get, bad = access
    assert post == {
        **post,
        "method": "POST",
        "route": "/v1/cases",
        "status": 201,
        "request_id": "trace42",
        "organization_id": world.bureau.id,
    }
    assert isinstance(post["duration_ms"], float)
    assert get["route"] == "/v1/cases/{case_id}" and get["status"] == 200
    assert get["request_id"] == read.headers["x-request-id"]
    assert bad["status"] == 422 and bad["request_id"] == refused.headers["x-request-id"]
    logged_text = text(caplog.records)
    assert BSN not in logged_text and world.bureau.key not in logged_text and case_id not in logged_text


async def test_unauthenticated_and_unmatched_requests_are_logged_without_a_caller(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.bureau.client.get("/v1/me", headers={"Authorization": f"Bearer {world.bureau.key}x"})
    await world.bureau.get(f"/nowhere/{BSN}")
    access = [line for line in lines(caplog.records) if line["logger"] == "spoorwijzer.access"]
    assert [(a["route"], a["status"], a["organization_id"]) for a in access] == [
        ("/v1/me", 401, None),
        ("unmatched", 404, None),
    ]
    logged_text = text(caplog.records)
    assert BSN not in logged_text and world.bureau.key not in logged_text


def test_the_formatter_redacts_keys_and_bsns_whatever_a_message_carries() -> None:
    try:
        raise ValueError(f"duplicate key (bsn)=({BSN}) for Bearer spw_abc123-XYZ_9")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", (f"spw_{BSN}",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = FORMATTER.format(record)
    assert BSN not in line and "spw_abc123" not in line and "abc123" not in line
    assert json.loads(line)["exception"].startswith("Traceback")


def counter(exposition: str, name: str, **labels: str) -> float:
    """One sample of a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in exposition.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


async def test_metrics_count_requests_per_route_template_and_status(world: World) -> None:
    case = await create_case(world)
    before = (await world.bureau.client.get("/metrics")).text
    for _ in range(3):
        assert (await world.employer.get(f"/v1/cases/{case['id']}")).status_code == 200
    assert (await world.employer.get(f"/v1/cases/{case['id']}", headers={"If-None-Match": "x"})).status_code == 200
    assert (await world.other_bureau.get(f"/v1/cases/{case['id']}")).status_code == 404
    assert (await world.bureau.client.request("BREW", "/healthz")).status_code == 405
    response = await world.bureau.client.get("/metrics")  # no key: it is not part of the authenticated API
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    name = "spoorwijzer_http_requests_total"
    labels = {"method": "GET", "route": "/v1/cases/{case_id}"}
    assert counter(after, name, **labels, status="200") - counter(before, name, **labels, status="200") == 4
    assert counter(after, name, **labels, status="404") - counter(before, name, **labels, status="404") == 1
    histogram = "spoorwijzer_http_request_duration_seconds_count"
    assert counter(after, histogram, **labels, status="200") >= 4
    assert case["id"] not in after  # labelled by template, never by the raw path
    assert "BREW" not in after  # nor by whatever method a client makes up
    other = {"method": "other", "route": "/healthz", "status": "405"}
    assert counter(after, name, **other) - counter(before, name, **other) == 1


# Live servers below: `spoorwijzer run` as the README starts it, with real commits in a database of their own.


@pytest.fixture(scope="module")
def ops_database() -> str:
    return committed_database("ops")


async def test_graceful_shutdown_finishes_a_request_in_flight(ops_database: str, tmp_path: Path) -> None:
    async with committing_app(ops_database) as (_, _, factory):
        world = await parties(factory, "shutdown")
    with serve(ops_database, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(base_url=server.base, headers=world.bureau.headers, timeout=60) as http:
            created = await http.post("/v1/cases", json=shutdown_case(world.employer.id))
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            # Hold the case's row lock, so the PATCH below is provably in flight (waiting inside its transaction).
            blocker = await asyncpg.connect(plain(ops_database))
            try:
                transaction = blocker.transaction()
                await transaction.start()
                await blocker.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", created.json()["id"])
                change = {"employer_case_manager": "A. Bakker"}
                patch = asyncio.create_task(
                    http.patch(f"/v1/cases/{case_id}", json=change, headers={"If-Match": '"1"'})
                )
                await wait_until_waiting_on_a_lock(blocker)
                server.terminate()  # SIGTERM while the PATCH waits
                await wait_until_not_accepting(server)
                await transaction.rollback()  # release the lock: the PATCH can finish
                response = await patch
            finally:
                await blocker.close()
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2
        # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly; `spoorwijzer run` turns it into
        # exit status 143 (128 + SIGTERM) after its clean-up (app/cli.py)
        assert await asyncio.to_thread(server.process.wait, 30) in (0, 128 + signal.SIGTERM)
        assert "Finished server process" in server.output()
    version = await fetch_one(ops_database, "SELECT version FROM cases WHERE id = $1", case_id)
    assert version == 2
    assert_json_logs_without_secrets(server, world.bureau.key)
    access = [json.loads(line) for line in server.output().splitlines() if '"spoorwijzer.access"' in line]
    patch_line = next(line for line in access if line["method"] == "PATCH")
    assert patch_line["route"] == "/v1/cases/{case_id}" and patch_line["status"] == 200
    assert patch_line["organization_id"] == world.bureau.id
    assert patch_line["request_id"] == response.headers["x-request-id"]


async def test_metrics_add_up_over_two_workers(ops_database: str, tmp_path: Path) -> None:
    with serve(ops_database, tmp_path / "server.log", env={"SPOORWIJZER_WORKERS": "2"}) as server:
        for _ in range(40):  # a new connection each, so both workers answer some
            async with httpx.AsyncClient(timeout=10) as fresh:
                assert (await fresh.get(f"{server.base}/healthz")).status_code == 200
        async with httpx.AsyncClient(timeout=10) as fresh:
            exposition = (await fresh.get(f"{server.base}/metrics")).text
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert counter(exposition, "spoorwijzer_http_requests_total", **labels) == 40
    assert counter(exposition, "spoorwijzer_http_request_duration_seconds_count", **labels) == 40


def shutdown_case(employer_id: str) -> dict[str, Any]:
    return {
        "external_ref": "SHUTDOWN-1",
        "employer_id": employer_id,
        "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn": BSN},
        "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
    }


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fetch_one(url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(plain(url))
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def wait_until_waiting_on_a_lock(conn: asyncpg.Connection) -> None:
    deadline = time.monotonic() + 20
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'spoorwijzer' AND wait_event_type = 'Lock'"
    while not await conn.fetchval(query):
        assert time.monotonic() < deadline, "the request never reached the locked row"
        await asyncio.sleep(0.05)


async def wait_until_not_accepting(server: Server) -> None:
    """uvicorn closes its listening socket first on SIGTERM, then waits for the requests in flight."""
    deadline = time.monotonic() + 20
    while True:
        try:
            async with httpx.AsyncClient(timeout=2) as fresh:
                await fresh.get(f"{server.base}/healthz")
        except httpx.TransportError:
            return
        assert time.monotonic() < deadline, "the server kept accepting connections after SIGTERM"
        await asyncio.sleep(0.05)


def assert_json_logs_without_secrets(server: Server, key: str) -> None:
    output = server.output()
    assert BSN not in output and key not in output
    logged = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(line["logger"] == "spoorwijzer.access" for line in logged)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in logged)
