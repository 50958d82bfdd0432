"""Webhook delivery (issue 14): deliveries per second to a local receiver, and the delay from commit to delivery.

    .venv/bin/python -m bench.webhooks [--cases 500] [--endpoints 10] [--rate 10] [--seconds 20]

1. Backlog: the service runs without background workers (SPOORWIJZER_BACKGROUND_WORKERS=false) while
   `--cases` cases are created (8 at a time) with `--endpoints` endpoints registered: cases x endpoints pending
   deliveries (each case.created event fans out to every endpoint).
2. Throughput: the service restarts with its workers (uvicorn, 2 processes, so 2 dispatchers sharing the
   backlog through SKIP LOCKED); deliveries/s = backlog / time until the receiver acknowledged all of them.
3. Latency: one endpoint; cases are created at `--rate` per second for `--seconds`; the delay of each delivery
   is its arrival at the receiver minus the event's `occurred_at` (PostgreSQL's now(), the start of the
   creating transaction, so the figure includes that transaction's own few milliseconds). p50 and p99.

The receiver is uvicorn on loopback in this process, answering 204 at once; all on one 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
import orjson

from bench.common import fresh_database, live_server
from tests.receiver import Receiver

DATABASE = "spoorwijzer_bench_webhooks"


def _case(employer_id: str, n: int) -> dict[str, Any]:
    return {
        "external_ref": f"WH-{n}-{uuid.uuid4().hex[:6]}",
        "employer_id": employer_id,
        "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn": "111222333"},
        "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
    }


async def _organizations(url: str) -> tuple[str, str]:
    """A bureau key (operator-made) and a registered employer's id."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.cli import create_key, create_organization
    from app.core.db import make_sessionmaker
    from app.organizations.models import OrganizationKind

    engine = create_async_engine(url)
    async with make_sessionmaker(engine)() as session, session.begin():
        org = await create_organization(session, OrganizationKind.reintegratiebureau, "Bench bureau", None)
        _, secret = await create_key(session, org.id, "bench")
    await engine.dispose()
    return secret, str(org.id)


async def _create_cases(http: httpx.AsyncClient, employer_id: str, count: int, concurrency: int = 8) -> None:
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            n = queue.pop()
            response = await http.post("/v1/cases", json=_case(employer_id, n))
            response.raise_for_status()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _until(condition: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for deliveries")
        await asyncio.sleep(0.02)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(args: argparse.Namespace, url: str) -> None:
    receiver = await Receiver().start()
    key, _ = await _organizations(url)
    headers = {"Authorization": f"Bearer {key}"}
    off = {"SPOORWIJZER_BACKGROUND_WORKERS": "false"}
    try:
        with live_server(url, port=args.port, workers=2, env=off) as base:
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
                employer = await http.post("/v1/organizations", json={"kind": "werkgever", "name": "Bench BV"})
                employer_id = employer.json()["id"]
                endpoints = []
                for n in range(args.endpoints):
                    # case.created only: the deadline scheduler's events for these old cases would add to the load.
                    body = {"url": f"{receiver.base}/e{n}", "event_types": ["case.created"]}
                    made = await http.post("/v1/webhook-endpoints", json=body)
                    made.raise_for_status()
                    endpoints.append(made.json()["id"])
                await _create_cases(http, employer_id, args.cases)
        backlog = args.cases * args.endpoints
        with live_server(url, port=args.port, workers=2) as base:
            started = time.monotonic()
            await _until(lambda: len(receiver.acknowledged()) >= backlog, within=600)
            drained = time.monotonic() - started
            per_second = backlog / drained
            print(f"throughput: {backlog} deliveries in {drained:.1f} s = {per_second:.0f} deliveries/s")
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
                for endpoint in endpoints[1:]:
                    (await http.delete(f"/v1/webhook-endpoints/{endpoint}")).raise_for_status()
                receiver.received.clear()
                total = int(args.rate * args.seconds)
                for n in range(total):
                    tick = time.monotonic()
                    (await http.post("/v1/cases", json=_case(employer_id, 100_000 + n))).raise_for_status()
                    await asyncio.sleep(max(0.0, 1 / args.rate - (time.monotonic() - tick)))
                await _until(lambda: len(receiver.acknowledged()) >= total, within=120)
        delays = []
        for r in receiver.acknowledged():
            occurred = datetime.fromisoformat(orjson.loads(r.body)["occurred_at"]).timestamp()
            delays.append((r.at - occurred) * 1000)
        print(
            f"latency over {len(delays)} deliveries: p50 {statistics.median(delays):.1f} ms, "
            f"p99 {_percentile(delays, 0.99):.1f} ms, max {max(delays):.1f} ms"
        )
    finally:
        await receiver.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8731)
    asyncio.run(main(parser.parse_args(), fresh_database(DATABASE)))
