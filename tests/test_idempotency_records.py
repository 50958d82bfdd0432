"""Idempotency records hold personal data only as long as needed: a keyed fingerprint (no brute-forceable hash of
a body with a BSN), and records that expire after `idempotency_ttl_hours`, purged by the service by itself."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cases.schemas import CaseCreate
from app.core.settings import Settings, derived_key
from tests.conftest import World, case_body
from tests.live import committed_database, committing_app, parties


async def _record(sessionmaker: async_sessionmaker[AsyncSession], key: str) -> Any:
    async with sessionmaker() as session:
        return (await session.execute(text("SELECT * FROM idempotency_keys WHERE key = :k"), {"k": key})).one_or_none()


async def test_the_fingerprint_is_keyed(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    body = case_body(world)
    key = uuid.uuid4().hex
    created = await world.bureau.post("/v1/cases", json=body, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.text
    stored = await _record(sessionmaker, key)
    canonical = json.dumps(
        ["POST", "/v1/cases", CaseCreate.model_validate(body).model_dump(mode="json")],
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    # Not the plain SHA-256 that anyone could recompute for every BSN, but an HMAC with the server's secret.
    assert stored.request_hash != hashlib.sha256(canonical).hexdigest()
    assert stored.request_hash == hmac.new(derived_key(settings, "idempotency"), canonical, hashlib.sha256).hexdigest()
    again = await world.bureau.post("/v1/cases", json=body, headers={"Idempotency-Key": key})
    assert again.headers["idempotent-replayed"] == "true"


async def test_an_expired_record_no_longer_replays(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    key = uuid.uuid4().hex
    first = await world.bureau.post("/v1/cases", json=case_body(world), headers={"Idempotency-Key": key})
    assert first.status_code == 201
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = :k"), {"k": key}
        )
    # Past the 24 hours the key is free: another body is a new request, not a 422 for a reused key.
    second = await world.bureau.post("/v1/cases", json=case_body(world), headers={"Idempotency-Key": key})
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    stored = await _record(sessionmaker, key)
    assert stored.response_body["id"] == second.json()["id"]


@pytest.fixture(scope="module")
def purge_database() -> str:
    return committed_database("idempotency")


async def test_expired_records_are_purged_by_the_running_service(purge_database: str) -> None:
    url = purge_database
    async with committing_app(url, idempotency_purge_seconds=0.2) as (app, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        old, fresh = uuid.uuid4().hex, uuid.uuid4().hex
        for key in (old, fresh):
            response = await p.bureau.post("/v1/cases", json=case_body(p), headers={"Idempotency-Key": key})
            assert response.status_code == 201
        async with app.state.sessionmaker() as session, session.begin():
            await session.execute(
                text("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = :k"),
                {"k": old},
            )
        for _ in range(50):
            if await _record(app.state.sessionmaker, old) is None:
                break
            await asyncio.sleep(0.1)
        assert await _record(app.state.sessionmaker, old) is None
        assert await _record(app.state.sessionmaker, fresh) is not None
        metrics = (await factory.client.get("/metrics")).text
        assert 'spoorwijzer_job_runs_total{job="idempotency_purge",result="ok"}' in metrics
        purged = [m for m in metrics.splitlines() if m.startswith("spoorwijzer_idempotency_records_purged_total")]
        assert purged and float(purged[0].split()[-1]) >= 1
