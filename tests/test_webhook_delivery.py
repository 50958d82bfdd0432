"""Webhooks end to end, with real commits: a real receiver on loopback, the service's own dispatcher and deadline
scheduler (in its lifespan), a movable clock, a restart mid-way, and two worker processes sharing the work.

Every request the receiver gets is verified with the `standardwebhooks` package (not our code). The expected
events are the feed's: each endpoint must acknowledge exactly the events its organization sees in /v1/events,
each once, and per case in feed order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from app.background import MovableClock
from app.core.settings import Settings
from app.main import create_app
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import Actor, Factory
from tests.live import committed_database, parties, serve
from tests.receiver import Received, Receiver


@pytest.fixture(scope="module")
def delivery_database() -> str:
    return committed_database("webhooks")


@asynccontextmanager
async def service(url: str, clock: MovableClock, **settings: Any) -> AsyncIterator[tuple[Any, Factory]]:
    """The app with its lifespan (engine, dispatcher, scheduler) on the movable clock."""
    app = create_app(Settings(environment="test", database_url=url, **settings), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield app, Factory(client, app.state.sessionmaker)


def rebind(actor: Actor, factory: Factory) -> Actor:
    return Actor(factory.client, actor.id, actor.kind, actor.key, actor.key_id)


async def until(condition: Callable[[], Any], within: float = 30.0, what: str = "") -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await _value(condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached in time: {what}")
        await asyncio.sleep(0.05)


async def _value(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


async def pending(app: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.status == "pending", ~WebhookEndpoint.disabled)
            )
            or 0
        )


async def feed(actor: Actor, cursor: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = (await actor.get("/v1/events", params={"limit": 200, **({"after": cursor} if cursor else {})})).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items


def verified(received: list[Received], secret: str) -> list[dict[str, Any]]:
    """Each request's payload, after standardwebhooks verified its signature (raises otherwise)."""
    hook = Webhook(secret)
    out = []
    for r in received:
        payload = hook.verify(r.body, r.headers)
        assert payload["id"] == r.headers["webhook-id"]
        assert set(payload) == {"id", "type", "occurred_at", "data"}
        assert set(payload["data"]) == {"entity_type", "entity_id", "case_id"}
        out.append(payload)
    return out


CASE = {
    "external_ref": "WH-1",
    "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn": "111222333"},
    "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
}


async def test_every_event_arrives_once_signed_through_failures_restart_and_a_moving_clock(
    delivery_database: str,
) -> None:
    failures: Counter[str] = Counter()

    def answer(r: Received) -> int:
        if r.path == "/bureau" and failures[r.path] < 3:  # the bureau's receiver fails 3 times first
            failures[r.path] += 1
            return 500
        return 204

    def slow_milestone(r: Received) -> float:  # the restart below happens while this one is in flight
        return 1.5 if r.path == "/bureau" and b"milestone.recorded" in r.body else 0.0

    receiver = await Receiver(answer=answer, delay_for=slow_milestone).start()
    clock = MovableClock(datetime(2025, 1, 20, 9, tzinfo=UTC))
    try:
        async with service(delivery_database, clock) as (app, factory):
            p = await parties(factory, uuid.uuid4().hex[:6])
            secrets, starts = {}, {}
            for name, actor in (("bureau", p.bureau), ("employer", p.employer)):
                made = await actor.post("/v1/webhook-endpoints", json={"url": f"{receiver.base}/{name}"})
                assert made.status_code == 201, made.text
                secrets[name] = made.json()["secret"]
                # Events from here on are the expected ones (the organizations were registered before).
                starts[name] = (await actor.get("/v1/events", params={"limit": 200})).json()["next_cursor"]
            created = await p.bureau.post("/v1/cases", json={**CASE, "employer_id": p.employer.id})
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            # The employer's endpoint gets it at once; the bureau's fails, and is retried 5 s, 5 min, 30 min later.
            await until(lambda: len(receiver.acknowledged("/employer")) == 1, what="employer's case.created")
            await until(lambda: failures["/bureau"] == 1, what="first failure")
            for step in (timedelta(seconds=6), timedelta(minutes=6), timedelta(minutes=31)):
                before = len([r for r in receiver.received if r.path == "/bureau"])
                clock.advance(step)
                await until(lambda b=before: len([r for r in receiver.received if r.path == "/bureau"]) > b)
            await until(lambda: len(receiver.acknowledged("/bureau")) >= 1, what="bureau acknowledged")
            # Meanwhile later events of the case waited for the first (in order per case).
            milestone = await p.bureau.post(
                f"/v1/cases/{case_id}/milestones", json={"type": "ziekmelding_uwv", "occurred_on": "2025-01-10"}
            )
            assert milestone.status_code == 201, milestone.text
            await until(
                lambda: any(b"milestone.recorded" in r.body for r in receiver.received if r.path == "/bureau"),
                what="the milestone's delivery in flight",
            )
        # The service stops while that delivery is in flight (its workers first: the pass finishes and commits)
        # and starts again: nothing is lost, nothing acknowledged is sent twice.
        assert len([r for r in receiver.received if b"milestone.recorded" in r.body and r.path == "/bureau"]) == 1
        async with service(delivery_database, clock) as (app, factory):
            bureau, employer = rebind(p.bureau, factory), rebind(p.employer, factory)
            patch = await bureau.patch(
                f"/v1/cases/{case_id}", json={"employer_case_manager": "A. Bakker"}, headers={"If-Match": '"1"'}
            )
            assert patch.status_code == 200, patch.text
            # The calendar moves: due soon, then overdue, from the scheduler (once each, however often it runs).
            for day in (date(2025, 2, 10), date(2025, 2, 11), date(2025, 3, 5), date(2025, 3, 6)):
                clock.set(day)
                await until(lambda: app.state.workers.passes("deadlines") > 0)
                await asyncio.sleep(0.3)
            await until(_no_pending(app), what="every delivery done")
            metrics = (await factory.client.get("/metrics")).text
            assert 'spoorwijzer_webhook_attempts_total{result="delivered"}' in metrics
            assert 'spoorwijzer_webhook_attempts_total{result="retry"}' in metrics
            assert "spoorwijzer_webhook_delivery_lag_seconds_count" in metrics
            bureau_feed = await feed(bureau, starts["bureau"])
            employer_feed = await feed(employer, starts["employer"])
    finally:
        await receiver.stop()

    bureau_types = [e["type"] for e in bureau_feed]
    assert {"case.created", "milestone.recorded", "case.updated", "obligation.due_soon", "obligation.overdue"} <= set(
        bureau_types
    )
    assert {"obligation.due_soon", "obligation.overdue"} <= {e["type"] for e in employer_feed}
    for name, expected in (("bureau", bureau_feed), ("employer", employer_feed)):
        got = verified(receiver.acknowledged(f"/{name}"), secrets[name])
        ids = [g["id"] for g in got]
        assert len(ids) == len(set(ids)), f"{name}: an acknowledged event arrived twice"
        missing = [(e["type"], e["occurred_at"]) for e in expected if e["id"] not in set(ids)]
        assert sorted(ids) == sorted(e["id"] for e in expected), (name, missing)
        # In order per case: the receiver saw this case's events in feed order.
        assert [i for i in ids] == [e["id"] for e in expected if e["case_id"] == case_id], name
    # The failed attempts were signed too, and were the bureau's first event.
    first = verified([r for r in receiver.received if r.status == 500], secrets["bureau"])
    assert {f["type"] for f in first} == {"case.created"} and len(first) == 3


def _no_pending(app: Any) -> Callable[[], Any]:
    async def check() -> bool:
        return await pending(app) == 0

    return check


async def test_an_endpoint_failing_for_five_days_is_disabled_and_the_others_are_told(delivery_database: str) -> None:
    receiver = await Receiver(answer=lambda r: 503 if r.path == "/down" else 200).start()
    clock = MovableClock(datetime(2025, 1, 20, 9, tzinfo=UTC))
    try:
        async with service(delivery_database, clock) as (_, factory):
            p = await parties(factory, uuid.uuid4().hex[:6])
            down = (await p.employer.post("/v1/webhook-endpoints", json={"url": f"{receiver.base}/down"})).json()
            up = (await p.employer.post("/v1/webhook-endpoints", json={"url": f"{receiver.base}/up"})).json()
            created = await p.bureau.post(
                "/v1/cases", json={**CASE, "external_ref": "WH-2", "employer_id": p.employer.id}
            )
            assert created.status_code == 201
            await until(lambda: len(receiver.acknowledged("/up")) >= 1)
            # Keep failing: a new event each day for 6 days (each failing delivery also retries on its schedule).
            for n in range(6):
                clock.advance(days=1)
                await p.bureau.patch(
                    f"/v1/cases/{created.json()['id']}",
                    json={"employer_case_manager": f"M{n}"},
                    headers={"If-Match": f'"{n + 1}"'},
                )
                await asyncio.sleep(0.3)
            await until(_disabled(p.employer, down["id"]), what="disabled")
            await until(
                lambda: any(
                    orjson.loads(r.body)["type"] == "webhook_endpoint.disabled" for r in receiver.acknowledged("/up")
                ),
                what="the other endpoint told",
            )
            notice = next(
                orjson.loads(r.body) for r in receiver.acknowledged("/up") if b"webhook_endpoint.disabled" in r.body
            )
            assert notice["data"]["entity_id"] == down["id"] and notice["data"]["case_id"] is None
            Webhook(up["secret"]).verify(
                next(r.body for r in receiver.acknowledged("/up") if b"webhook_endpoint.disabled" in r.body),
                next(r.headers for r in receiver.acknowledged("/up") if b"webhook_endpoint.disabled" in r.body),
            )
            # The employer's feed shows it too; the bureau's does not (an organization-level event).
            assert "webhook_endpoint.disabled" in {e["type"] for e in await feed(p.employer)}
            assert "webhook_endpoint.disabled" not in {e["type"] for e in await feed(p.bureau)}
            sent_before = len([r for r in receiver.received if r.path == "/down"])
            clock.advance(days=1)
            await asyncio.sleep(0.5)
            assert len([r for r in receiver.received if r.path == "/down"]) == sent_before  # nothing more sent
    finally:
        await receiver.stop()


def _disabled(actor: Actor, endpoint_id: str) -> Callable[[], Any]:
    async def check() -> bool:
        body = (await actor.get(f"/v1/webhook-endpoints/{endpoint_id}")).json()
        return bool(body["disabled"] and body["disabled_reason"] == "failing")

    return check


async def test_two_worker_processes_dispatch_without_sending_anything_twice(
    delivery_database: str, tmp_path: Path
) -> None:
    receiver = await Receiver(delay=0.02).start()
    try:
        # Organizations and keys through the app (committed), then the real service with two worker processes.
        async with service(delivery_database, MovableClock(), background_workers=False) as (_, factory):
            p = await parties(factory, uuid.uuid4().hex[:6])
        with serve(delivery_database, tmp_path / "server.log", env={"SPOORWIJZER_WORKERS": "2"}) as server:
            async with httpx.AsyncClient(base_url=server.base, headers=p.bureau.headers, timeout=30) as http:
                # case.created only: on the real clock the deadline scheduler adds events for these 2025 cases.
                hook = {"url": f"{receiver.base}/two", "event_types": ["case.created"]}
                made = await http.post("/v1/webhook-endpoints", json=hook)
                assert made.status_code == 201, made.text
                secret = made.json()["secret"]

                async def one_case(n: int) -> None:
                    body = {**CASE, "external_ref": f"TWO-{n}", "employer_id": p.employer.id}
                    response = await http.post("/v1/cases", json=body)
                    assert response.status_code == 201, response.text

                for batch in range(6):
                    await asyncio.gather(*(one_case(batch * 10 + n) for n in range(10)))
                await until(lambda: len(receiver.acknowledged("/two")) >= 60, within=60, what="60 deliveries")
                await asyncio.sleep(1.0)  # anything sent twice would arrive by now
                rows = await http.get(f"/v1/webhook-endpoints/{made.json()['id']}/deliveries", params={"limit": 200})
    finally:
        await receiver.stop()
    ids = [p["id"] for p in verified(receiver.acknowledged("/two"), secret)]
    assert len(ids) == 60 and len(set(ids)) == 60
    deliveries = rows.json()["items"]
    assert len(deliveries) == 60
    assert all(d["status"] == "delivered" and d["attempts"] == 1 for d in deliveries)
