"""Prometheus metrics: requests and their latency per route template, method and status, at `GET /metrics`.

With several uvicorn workers every worker counts its own requests. `spoorwijzer run` then points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start, and /metrics adds up all workers' files
(prometheus-client's multiprocess mode). Without that variable each worker answers only its own counts.
"""

from __future__ import annotations

import hmac
import os

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
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
    """Request counts and latencies for Prometheus. Open unless `SPOORWIJZER_METRICS_TOKEN` is set; then it asks
    `Authorization: Bearer <that token>` (401 otherwise)."""
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Unauthorized("Send the metrics token as `Authorization: Bearer <token>`.")
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
