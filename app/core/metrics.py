"""Prometheus metrics at `GET /metrics`: requests and their latency per route template, method and status; the
database pools (in use, waiting); background job results (retention, and any job that reports through
`JOB_RUNS`); outstanding obligations by status and party (refreshed by a background job).

With several uvicorn workers every worker counts its own requests. `spoorwijzer run` then points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start, and /metrics adds up all workers' files
(prometheus-client's multiprocess mode). Without that variable each worker answers only its own counts.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from app.core.errors import Unauthorized
from app.core.openapi import problems

REQUESTS = Counter(
    "spoorwijzer_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "spoorwijzer_http_request_duration_seconds",
    "Time from receiving a request to the end of its answer, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# Gauges of a process add up over the workers ("livesum"); the obligations gauge is the same figure in every
# process that refreshed it, so the freshest one counts ("mostrecent").
POOL_IN_USE = Gauge(
    "spoorwijzer_db_pool_in_use",
    "Database connections checked out, by pool (orm: the session engine, raw: the hot reads' asyncpg pool).",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "spoorwijzer_db_pool_waiting",
    "Requests waiting for a database connection, by pool (raw: the fair pool's queue; orm: overflow in use).",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "spoorwijzer_db_pool_size", "Connections a pool may open, by pool.", ["pool"], multiprocess_mode="livesum"
)
JOB_RUNS = Counter(
    "spoorwijzer_job_runs_total", "Passes of background jobs, by job and result (ok, failed).", ["job", "result"]
)
JOB_LAST_SUCCESS = Gauge(
    "spoorwijzer_job_last_success_timestamp_seconds",
    "When a background job last finished a pass without error (Unix time).",
    ["job"],
    multiprocess_mode="max",
)
IDEMPOTENCY_PURGED = Counter(
    "spoorwijzer_idempotency_records_purged_total",
    "Idempotency records deleted after their time to live (their stored answers hold personal data).",
)
RETENTION = Counter(
    "spoorwijzer_retention_total",
    "What retention did: cases anonymised (by the run or by erasure), held cases skipped, log rows deleted.",
    ["outcome"],
)
WEBHOOK_ATTEMPTS = Counter(
    "spoorwijzer_webhook_attempts_total",
    "Webhook delivery attempts, by result: delivered (2xx), retry (failed, another attempt is scheduled), failed "
    "(failed, no attempt left: the delivery is given up).",
    ["result"],
)
WEBHOOK_LAG = Histogram(
    "spoorwijzer_webhook_delivery_lag_seconds",
    "From the event's commit (its delivery row) to the receiver's 2xx, retries included.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600),
)
OUTSTANDING_OBLIGATIONS = Gauge(
    "spoorwijzer_outstanding_obligations",
    "Obligations of all cases that are open or overdue today, by status and party (from the stored compliance "
    "snapshots; refreshed every minute by a background job).",
    ["status", "party"],
    multiprocess_mode="mostrecent",
)


def observe_pools(app: Any) -> None:
    """Read this process's pools into the gauges: at each scrape, and every few seconds in every worker (a
    background job, app/main.py), so that the sum over the workers is current."""
    engine = getattr(app.state, "engine", None)
    pool = getattr(engine, "pool", None) if engine is not None else None
    if pool is not None and hasattr(pool, "checkedout"):
        POOL_IN_USE.labels("orm").set(pool.checkedout())
        POOL_WAITING.labels("orm").set(max(pool.overflow(), 0))
        POOL_SIZE.labels("orm").set(pool.size())
    raw = getattr(app.state, "pool", None)
    if raw is not None:
        turns = raw._turns
        size = raw.get_max_size()
        POOL_IN_USE.labels("raw").set(size - turns._value)
        POOL_WAITING.labels("raw").set(len(turns._waiters or ()))
        POOL_SIZE.labels("raw").set(size)


# Labels stay few whatever clients send: unknown methods are "other", unmatched paths "unmatched" (middleware).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method if method in _METHODS else "other", route, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def exposition() -> bytes:
    """The metrics in Prometheus' text format: of this process, or of all workers in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={
        200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
        **problems(401),
    },
)
async def metrics(request: Request) -> Response:
    """Request counts and latencies, database pools, background jobs and outstanding obligations for Prometheus.
    Open unless `SPOORWIJZER_METRICS_TOKEN` is set; then it asks `Authorization: Bearer <that token>` (401
    otherwise)."""
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Unauthorized("Send the metrics token as `Authorization: Bearer <token>`.")
    observe_pools(request.app)
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
