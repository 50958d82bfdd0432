"""Deliveries: written with their events (the fan-out), and posted by the dispatcher (a background job).

Fan-out: just before a transaction commits, its events are joined to every enabled endpoint whose organization may
see them (`app/audit/repository.py::visible_events`, the feed's rule) and subscribes to their type; one delivery
row each, in the same transaction, so an event and its deliveries commit together or not at all. A NOTIFY (sent
at commit) wakes the dispatchers.

Dispatch: each service process runs a dispatcher. A pass claims due deliveries with FOR UPDATE SKIP LOCKED (no
two processes get one row), never one with an earlier pending delivery of the same endpoint and case (in order
per case), posts them concurrently (10 s timeout), records the outcome and commits. An acknowledged (2xx)
delivery is marked delivered in that commit; a crash before it leaves the row pending, so it is sent again
(at least once). A failure is retried on the schedule below, with jitter, for up to 3 days; then it fails.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import (
    BigInteger,
    Text,
    and_,
    any_,
    cast,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.models import Event
from app.audit.repository import visible_events
from app.background import Job, JobContext, claim
from app.core.crypto import decrypt
from app.core.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_LAG
from app.core.settings import Settings
from app.webhooks import ssrf
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import headers

CHANNEL = "spoorwijzer_webhooks"

# Delay before each retry (Standard Webhooks' recommended start, then capped at 14 h): 11 attempts over about
# 2.9 days; each delay is shortened by up to 20% at random (jitter), so retries never pass 3 days.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=14),
    timedelta(hours=14),
)
RETRY_WINDOW = timedelta(days=3)
DISABLE_AFTER = timedelta(days=5)  # an endpoint failing this long without a success is disabled
_JITTER = 0.2


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt, or None when none is left."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    factor = 1 - (rng or random).random() * _JITTER
    return RETRY_SCHEDULE[attempts - 1] * factor


async def fan_out(
    session: AsyncSession, now: datetime, tenants: Sequence[uuid.UUID], event_uids: Sequence[uuid.UUID]
) -> int:
    """Deliveries for events this transaction inserted (their tenants and uids); answers how many."""
    if not tenants or not event_uids:
        return 0
    ev, ep = Event, WebhookEndpoint
    this_transaction = cast(cast(func.pg_current_xact_id(), Text), BigInteger)
    subscribed = or_(func.cardinality(ep.event_types) == 0, ev.type == any_(ep.event_types))
    rows = (
        select(
            ep.id,
            ep.organization_id,
            ev.uid,
            ev.id,
            ev.txid,
            ev.type,
            ev.occurred_at,
            ev.entity_type,
            ev.entity_id,
            ev.case_id,
            literal(now),
            literal(now + RETRY_WINDOW),
        )
        .select_from(ev)
        .join(
            ep,
            and_(
                # Implied by the rule below (each branch names one of these); lets the organization index work.
                ep.organization_id.in_([ev.bureau_id, ev.employer_id, ev.arbodienst_id, ev.organization_id]),
                visible_events(ep.organization_id, ep.organization_kind),
                not_(ep.disabled),
                subscribed,
            ),
        )
        .where(ev.bureau_id.in_(list(tenants)), ev.txid == this_transaction, ev.uid.in_(list(event_uids)))
    )
    d = WebhookDelivery
    columns = [
        d.endpoint_id,
        d.organization_id,
        d.event_uid,
        d.event_seq,
        d.event_txid,
        d.event_type,
        d.occurred_at,
        d.entity_type,
        d.entity_id,
        d.case_id,
        d.next_attempt_at,
        d.give_up_at,
    ]
    statement = pg_insert(d).from_select(columns, rows).on_conflict_do_nothing().returning(d.id)
    made = len((await session.execute(statement)).all())
    if made:
        await session.execute(select(func.pg_notify(CHANNEL, "")))  # delivered at commit, to every process
    return made


async def fan_out_queued(session: AsyncSession, now: datetime, written: Mapping[str, list[dict[str, Any]]]) -> None:
    """After-rows hook of a request's commit: deliveries for the events it queued."""
    events = written.get("events")
    if events:
        await fan_out(session, now, sorted({row["bureau_id"] for row in events}), [row["uid"] for row in events])


def payload(delivery: WebhookDelivery) -> bytes:
    """The thin payload: what happened and where to look; no personal data (fetch it with your key)."""
    return orjson.dumps(
        {
            "id": str(delivery.event_uid),
            "type": delivery.event_type,
            "occurred_at": delivery.occurred_at.isoformat(),
            "data": {
                "entity_type": delivery.entity_type,
                "entity_id": str(delivery.entity_id),
                "case_id": str(delivery.case_id) if delivery.case_id else None,
            },
        }
    )


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    found = [decrypt(endpoint.secret)]
    if endpoint.previous_secret is not None and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        found.append(decrypt(endpoint.previous_secret))
    return found


class Outcome:
    __slots__ = ("error", "status_code")

    def __init__(self, status_code: int | None, error: str | None) -> None:
        self.status_code = status_code
        self.error = error

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post(
    client: httpx.AsyncClient, settings: Settings, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime
) -> Outcome:
    """One attempt. The signature's timestamp is the real time of sending (receivers check it against theirs)."""
    body = payload(delivery)
    try:
        await ssrf.check_url(endpoint.url, settings)  # again at send time: DNS may have changed since
        signed = headers(signing_secrets(endpoint, now), str(delivery.event_uid), int(time.time()), body)
        response = await client.post(endpoint.url, content=body, headers=signed)
        return Outcome(response.status_code, None if response.is_success else f"HTTP {response.status_code}")
    except ssrf.UnsafeUrl as exc:
        return Outcome(None, str(exc)[:300])
    except httpx.TimeoutException:
        return Outcome(None, "timed out")
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:300])


def _due(now: datetime) -> Any:
    """Due deliveries, each the head of its endpoint's and case's queue (in order per case).

    The head test is a scalar subquery ordered like ix_webhook_deliveries_case_order, so PostgreSQL answers it
    with one index probe per row whatever its statistics say (a NOT EXISTS anti-join was planned as a scan of
    every pending row per row while the statistics still described an empty table: quadratic, 0.26 s for 600).
    """
    d, earlier = WebhookDelivery, aliased(WebhookDelivery)
    head = (
        select(earlier.event_txid, earlier.event_seq)
        .where(earlier.endpoint_id == d.endpoint_id, earlier.case_id == d.case_id, earlier.status == "pending")
        .order_by(earlier.event_txid, earlier.event_seq)
        .limit(1)
        .correlate(d)
        .scalar_subquery()
    )
    first_of_its_case = or_(d.case_id.is_(None), tuple_(d.event_txid, d.event_seq) == head)
    return (
        select(d, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(d.status == "pending", d.next_attempt_at <= now, not_(WebhookEndpoint.disabled), first_of_its_case)
        .order_by(d.next_attempt_at, d.event_txid, d.event_seq)
    )


class Dispatcher:
    """The dispatcher job of one process (its HTTP client keeps connections to receivers open)."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def job(self, interval: float = 2.0) -> Job:
        return Job("webhooks", self.run, interval=interval, channel=CHANNEL)

    def client(self, settings: Settings) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
            )
        return self._client

    async def run(self, ctx: JobContext) -> bool:
        settings: Settings = ctx.settings
        now = ctx.clock.now()
        async with ctx.sessionmaker() as session, session.begin():
            claimed = await claim(session, _due(now).limit(settings.webhook_batch), of=WebhookDelivery)
            if not claimed:
                return False
            client = self.client(settings)
            outcomes = await asyncio.gather(*(post(client, settings, ep, d, now) for d, ep in claimed))
            # Endpoint rows are updated in id order: two dispatchers never lock them crosswise (no deadlock).
            results = sorted(zip(claimed, outcomes, strict=True), key=lambda r: (r[0][1].id, r[0][0].id))
            for (delivery, endpoint), outcome in results:
                await _record(session, delivery, endpoint, outcome, now)
        return len(claimed) == settings.webhook_batch


async def _record(
    session: AsyncSession, delivery: WebhookDelivery, endpoint: WebhookEndpoint, outcome: Outcome, now: datetime
) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        WEBHOOK_ATTEMPTS.labels("delivered").inc()
        # Real time on both ends (the row's creation is the database's clock), whatever clock the jobs run on.
        WEBHOOK_LAG.observe(max((datetime.now(UTC) - delivery.created_at).total_seconds(), 0.0))
        if endpoint.failing_since is not None:
            await session.execute(
                update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(failing_since=None)
            )
        return
    delay = retry_delay(delivery.attempts)
    if delay is None or now + delay > delivery.give_up_at:
        delivery.status, delivery.next_attempt_at = "failed", None
        WEBHOOK_ATTEMPTS.labels("failed").inc()
    else:
        delivery.next_attempt_at = now + delay
        WEBHOOK_ATTEMPTS.labels("retry").inc()
    # The endpoint's run of failures: its start, and after 5 days without a success it is disabled.
    since = (
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id)
            .values(failing_since=func.coalesce(WebhookEndpoint.failing_since, now))
            .returning(WebhookEndpoint.failing_since, WebhookEndpoint.disabled)
        )
    ).one()
    if not since.disabled and now - since.failing_since >= DISABLE_AFTER:
        await disable_failing(session, endpoint, now)


async def disable_failing(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable an endpoint that kept failing, and tell the organization's other endpoints (and its feed)."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id)
        .values(disabled=True, disabled_reason="failing", version=WebhookEndpoint.version + 1, updated_at=now)
    )
    # An organization-level event: reaches only organization_id; its tenant key is the organization itself.
    uid = uuid.uuid4()
    await session.execute(
        insert(Event).values(
            uid=uid,
            type="webhook_endpoint.disabled",
            entity_type="webhook_endpoint",
            entity_id=endpoint.id,
            case_id=None,
            organization_id=endpoint.organization_id,
            bureau_id=endpoint.organization_id,
            occurred_at=now,
        )
    )
    await fan_out(session, now, [endpoint.organization_id], [uid])
