"""Answer headers that keep personal data out of caches and content sniffing, the optional /metrics token, and
database errors that never carry bound values (a BSN, a name) into a log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.settings import Settings
from app.main import create_app
from tests.conftest import World, assert_problem, create_case


async def test_answers_with_personal_data_are_not_stored(world: World) -> None:
    case = await create_case(world)
    for response in (
        await world.bureau.get(f"/v1/cases/{case['id']}"),
        await world.bureau.get("/v1/cases"),
        await world.bureau.post("/v1/cases", json={}),  # a problem about a body with personal data
        await world.employer.get(f"/v1/cases/{case['id']}/compliance"),
        await world.bureau.get(f"/v1/cases/{case['id']}/audit-log"),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_json_or_pdf_answers_vary_on_accept(world: World) -> None:
    from tests.workflows import add_report, spoor_2

    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02")
    url = f"/v1/progress-reports/{report['id']}"
    for accept in ("application/json", "application/pdf"):
        response = await world.bureau.get(url, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["vary"] == "Accept"


def _client(settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_metrics_are_open_without_a_token(settings: Settings) -> None:
    async with _client(settings) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "spoorwijzer_http_requests_total" in response.text


async def test_metrics_ask_for_the_token_when_one_is_set(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me-0123456789")})
    async with _client(guarded) as client:
        assert_problem(await client.get("/metrics"), 401)
        assert_problem(await client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
    assert ok.status_code == 200
    assert "spoorwijzer_http_requests_total" in ok.text


@pytest.mark.parametrize("value", ["111222333", "Şahin Łukasz"])
async def test_database_errors_hide_bound_values(engine: AsyncEngine, value: Any) -> None:
    with pytest.raises(DBAPIError) as raised:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT CAST(:v AS text), 1 / 0"), {"v": value})
    assert "division by zero" in str(raised.value)
    assert value not in str(raised.value)
