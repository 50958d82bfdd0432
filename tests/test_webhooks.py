"""Webhook endpoints through the API: registration, secrets, SSRF rules, and deliveries that follow the feed's rule.

The dispatcher and real HTTP delivery are in tests/test_webhook_delivery.py (real commits, a real receiver).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.core.settings import Settings
from app.webhooks import ssrf
from app.webhooks.delivery import RETRY_SCHEDULE, RETRY_WINDOW, payload, retry_delay
from app.webhooks.models import WebhookDelivery
from app.webhooks.signing import headers
from tests.conftest import Actor, World, assert_problem, create_case
from tests.workflows import add_proposal, add_report, report_content, spoor_2

HOOK = "http://127.0.0.1:9/hook"  # never called here: the dispatcher does not run in these tests


async def register(actor: Actor, **body: Any) -> dict[str, Any]:
    response = await actor.post("/v1/webhook-endpoints", json={"url": HOOK, **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_register_shows_the_secret_once_and_crud_follows_conventions(world: World) -> None:
    created = await register(world.employer, event_types=["case.created"], description="Portaal")
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["case.created"]
    url = f"/v1/webhook-endpoints/{created['id']}"
    got = await world.employer.get(url)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert "secret" not in got.json()
    listed = (await world.employer.get("/v1/webhook-endpoints")).json()
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    # Another organization sees nothing of it.
    assert_problem(await world.bureau.get(url), 404)
    assert (await world.bureau.get("/v1/webhook-endpoints")).json()["items"] == []
    assert_problem(await world.bureau.patch(url, json={"description": "x"}, headers={"If-Match": '"1"'}), 404)
    # PATCH needs If-Match.
    assert_problem(await world.employer.patch(url, json={"description": "x"}), 428)
    assert_problem(await world.employer.patch(url, json={"description": "x"}, headers={"If-Match": '"7"'}), 412)
    patched = await world.employer.patch(url, json={"event_types": [], "disabled": True}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["disabled"] is True and patched.json()["disabled_reason"] == "manual"
    assert patched.json()["event_types"] == [] and patched.headers["ETag"] == '"2"'
    assert_problem(await world.employer.patch(url, json={"url": None}, headers={"If-Match": '"2"'}), 422)
    assert_problem(await world.employer.post("/v1/webhook-endpoints", json={"url": HOOK, "bogus": 1}), 422)
    assert_problem(await world.employer.post("/v1/webhook-endpoints", json={"url": HOOK, "event_types": ["X"]}), 422)
    assert (await world.employer.delete(url)).status_code == 204
    assert_problem(await world.employer.get(url), 404)
    assert_problem(await world.employer.delete(url), 404)


async def test_an_idempotent_replay_does_not_show_the_secret_again(world: World) -> None:
    first = await world.bureau.post("/v1/webhook-endpoints", json={"url": HOOK}, headers={"Idempotency-Key": "wh-1"})
    again = await world.bureau.post("/v1/webhook-endpoints", json={"url": HOOK}, headers={"Idempotency-Key": "wh-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["secret"].startswith("whsec_")
    assert again.json()["id"] == first.json()["id"] and again.json()["secret"] is None
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_rotation_signs_with_both_secrets_for_24_hours(world: World, sessionmaker: Any) -> None:
    created = await register(world.bureau)
    rotated = await world.bureau.post(f"/v1/webhook-endpoints/{created['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    expires = datetime.fromisoformat(body["previous_secret_expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert_problem(await world.employer.post(f"/v1/webhook-endpoints/{created['id']}/rotate-secret"), 404)
    # A delivery signed now verifies with the old and with the new secret; after 24 hours only with the new one.
    await create_case(world)
    from app.webhooks.delivery import signing_secrets
    from app.webhooks.models import WebhookEndpoint

    async with sessionmaker() as session:
        endpoint = await session.get(WebhookEndpoint, uuid.UUID(created["id"]))
        delivery = (
            await session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
        ).one()
    now = datetime.now(UTC)
    body_bytes = payload(delivery)
    signed = headers(signing_secrets(endpoint, now), str(delivery.event_uid), int(now.timestamp()), body_bytes)
    for secret in (created["secret"], body["secret"]):
        Webhook(secret).verify(body_bytes, signed)
    later = signing_secrets(endpoint, now + timedelta(hours=24, seconds=1))
    signed_later = headers(later, str(delivery.event_uid), int(now.timestamp()), body_bytes)
    Webhook(body["secret"]).verify(body_bytes, signed_later)
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(body_bytes, signed_later)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hook",  # private
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[fd00::1]/hook",  # unique local IPv6
        "http://8.8.8.8/hook",  # plain http to a public address
        "ftp://127.0.0.1/hook",
        "https://user:pw@127.0.0.1/hook",
        "not a url at all",
    ],
)
async def test_unsafe_urls_are_refused(world: World, url: str) -> None:
    problem = assert_problem(await world.bureau.post("/v1/webhook-endpoints", json={"url": url}), 422)
    assert problem["errors"][0]["field"] == "url" if problem.get("errors") else True


async def test_loopback_http_is_allowed_in_test_and_https_public_too(world: World) -> None:
    await register(world.bureau, description="local receiver")
    ok = await world.bureau.post("/v1/webhook-endpoints", json={"url": "https://1.1.1.1/hook"})
    assert ok.status_code == 201, ok.text


def _production(**extra: Any) -> Settings:
    return Settings.model_construct(**{**Settings().model_dump(), "environment": "production", **extra})


async def test_production_takes_https_to_public_addresses_only_unless_allow_listed() -> None:
    settings = _production()
    await ssrf.check_url("https://1.1.1.1/hook", settings)
    for refused in ("http://1.1.1.1/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/h"):
        with pytest.raises(ssrf.UnsafeUrl):
            await ssrf.check_url(refused, settings)
    on_premise = _production(webhook_allowed_hosts=["10.1.0.0/16", "receiver.internal"])
    await ssrf.check_url("https://10.1.2.3/h", on_premise)
    with pytest.raises(ssrf.UnsafeUrl):
        await ssrf.check_url("https://10.2.0.1/h", on_premise)
    with pytest.raises(ssrf.UnsafeUrl):  # still https only
        await ssrf.check_url("http://10.1.2.3/h", on_premise)


async def _deliveries(sessionmaker: async_sessionmaker[AsyncSession], endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == uuid.UUID(endpoint["id"]))
        )
        return [{"event_id": str(r.event_uid), "type": r.event_type, "status": r.status} for r in rows]


async def _feed_ids(actor: Actor, after: str) -> list[str]:
    ids, cursor = [], after
    while True:
        page = (await actor.get("/v1/events", params={"after": cursor, "limit": 200})).json()
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return ids


async def test_each_endpoint_gets_exactly_what_its_organization_sees_in_the_feed(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    actors = {
        "bureau": world.bureau,
        "employer": world.employer,
        "arbodienst": world.arbodienst,
        "other_bureau": world.other_bureau,
        "other_employer": world.other_employer,
    }
    starts = {name: (await a.get("/v1/events")).json()["next_cursor"] for name, a in actors.items()}
    endpoints = {name: await register(a) for name, a in actors.items()}
    only_cases = await register(world.employer, event_types=["case.created"])
    # A dossier with a draft and a submitted report, a proposal, and a medical status push.
    case, track = await spoor_2(world)
    draft = await add_report(world.bureau, track["id"], "2026-03", **report_content("2026-03"))
    assert draft["submitted_on"] is None
    sent = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    assert (await world.bureau.post(f"/v1/progress-reports/{sent['id']}/submit", json={})).status_code == 200
    await add_proposal(world.bureau, track["id"])
    registered = await world.bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "Nieuw BV"})
    assert registered.status_code == 201
    for name, actor in actors.items():
        feed = await _feed_ids(actor, starts[name])
        delivered = await _deliveries(sessionmaker, endpoints[name])
        assert sorted(d["event_id"] for d in delivered) == sorted(feed), name
        assert all(d["status"] == "pending" for d in delivered)
    employer_types = {d["type"] for d in await _deliveries(sessionmaker, endpoints["employer"])}
    assert "progress_report.created" not in employer_types  # a draft report's event never reaches the employer
    assert "candidate_proposal.created" not in {
        d["type"] for d in await _deliveries(sessionmaker, endpoints["arbodienst"])
    }
    assert await _deliveries(sessionmaker, endpoints["other_bureau"]) == []
    assert [d["type"] for d in await _deliveries(sessionmaker, only_cases)] == ["case.created"]
    assert case["id"]


async def test_deliveries_list_and_redeliver(world: World, sessionmaker: Any) -> None:
    endpoint = await register(world.bureau)
    await create_case(world)
    url = f"/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    page = (await world.bureau.get(url)).json()
    assert [d["event_type"] for d in page["items"]] == ["case.created"]
    delivery = page["items"][0]
    assert delivery["status"] == "pending" and delivery["attempts"] == 0 and delivery["next_attempt_at"]
    assert (await world.bureau.get(url, params={"status": "delivered"})).json()["items"] == []
    assert_problem(await world.bureau.get(url, params={"status": "weird"}), 422)
    assert_problem(await world.employer.get(url), 404)
    assert_problem(await world.employer.post(f"/v1/webhook-deliveries/{delivery['id']}/redeliver"), 404)
    assert_problem(await world.bureau.post(f"/v1/webhook-deliveries/{uuid.uuid4()}/redeliver"), 404)
    again = await world.bureau.post(f"/v1/webhook-deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 202, again.text
    assert again.json()["status"] == "pending" and again.json()["id"] == delivery["id"]
    # The feed's event id is the delivery's event id.
    feed = (await world.bureau.get("/v1/events")).json()["items"]
    assert delivery["event_id"] in {e["id"] for e in feed}


def test_the_retry_schedule_stays_within_three_days_with_jitter() -> None:
    import random

    rng = random.Random(14)
    for _ in range(200):
        total = sum((retry_delay(n, rng) for n in range(1, len(RETRY_SCHEDULE) + 1)), timedelta())  # type: ignore[misc]
        assert timedelta(days=2) < total <= RETRY_WINDOW
    assert retry_delay(len(RETRY_SCHEDULE) + 1) is None
    delays = [retry_delay(n, rng) for n in (1, 2, 3)]
    assert delays[0] < delays[1] < delays[2]  # type: ignore[operator]


async def test_a_rolled_back_change_leaves_no_delivery_and_a_disabled_endpoint_gets_none(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    live = await register(world.bureau)
    off = await register(world.bureau)
    patched = await world.bureau.patch(
        f"/v1/webhook-endpoints/{off['id']}", json={"disabled": True}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200
    case = await create_case(world)
    assert [d["type"] for d in await _deliveries(sessionmaker, live)] == ["case.created"]
    # A refused change (stale If-Match) writes no event, so no delivery either.
    refused = await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": '"9"'}
    )
    assert_problem(refused, 412)
    assert [d["type"] for d in await _deliveries(sessionmaker, live)] == ["case.created"]
    assert await _deliveries(sessionmaker, off) == []
