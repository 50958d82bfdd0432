"""Soak: mixed traffic for five minutes against two uvicorn workers on loopback.

A bureau with a few hundred seeded cases (bench/seed.py), its employers with keys. Clients loop over a mix of
reads (a case, a page of cases as the employer), compliance (one case, the portfolio's first page) and writes
(a milestone, a PATCH with If-Match on a case of the client's own, a new case with an Idempotency-Key). Reports
throughput, p50 and p99 per kind and overall, the error count (anything but the expected 2xx; 0 expected) and the
memory (RSS) of the workers after the warm-up and at the end.

    make soak          # or: .venv/bin/python -m bench.soak --seconds 300 --clients 16
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import httpx
import psutil

from bench.common import fresh_database, live_server, plain_dsn, refresh_snapshots
from bench.seed import Seeded, seed


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


@dataclass
class Client:
    """One caller's loop; it PATCHes only its own cases, so its If-Match versions stay its own to know."""

    n: int
    http: httpx.AsyncClient
    seeded: Seeded
    own: dict[uuid.UUID, int]  # case id -> version
    tally: Tally
    rng: random.Random

    async def call(self, kind: str, method: str, url: str, expect: int, **kwargs: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.tally.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        self.tally.latencies[kind].append(time.perf_counter() - started)
        if response.status_code != expect:
            self.tally.errors[f"{kind}: {response.status_code}"] += 1
            self.tally.examples.setdefault(kind, response.text[:300])
            return None
        return response

    async def step(self) -> None:
        s, rng = self.seeded, self.rng
        bureau = {"Authorization": f"Bearer {s.bureau_keys[0]}"}
        case_id = rng.choice(s.case_ids)
        roll = rng.random()
        if roll < 0.30:
            await self.call("read case", "GET", f"/v1/cases/{case_id}", 200, headers=bureau)
        elif roll < 0.45:
            employer = rng.choice(list(s.employer_keys))
            as_employer = {"Authorization": f"Bearer {s.employer_keys[employer]}"}
            await self.call("list cases (employer)", "GET", "/v1/cases", 200, params={"limit": 20}, headers=as_employer)
        elif roll < 0.62:
            await self.call("case compliance", "GET", f"/v1/cases/{case_id}/compliance", 200, headers=bureau)
        elif roll < 0.67:
            await self.call("portfolio compliance", "GET", "/v1/compliance", 200, params={"limit": 50}, headers=bureau)
        elif roll < 0.82:
            body = {"type": "voortgangsgesprek", "occurred_on": date.today().isoformat(), "note": "Soak"}
            url = f"/v1/cases/{case_id}/milestones"
            await self.call("write milestone", "POST", url, 201, json=body, headers=bureau)
        elif roll < 0.94:
            mine = rng.choice(list(self.own))
            headers = {**bureau, "If-Match": f'"{self.own[mine]}"'}
            body = {"employer_case_manager": f"Casemanager {rng.randint(1, 999)}"}
            response = await self.call("patch case", "PATCH", f"/v1/cases/{mine}", 200, json=body, headers=headers)
            if response is not None:
                self.own[mine] = response.json()["version"]
        else:
            body = {
                "external_ref": f"SOAK-{uuid.uuid4().hex[:12]}",
                "employer_id": str(rng.choice(list(s.employer_keys))),
                "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn": "111222333"},
                "absence_periods": [{"first_day": date.today().replace(day=1).isoformat(), "last_day": None}],
            }
            headers = {**bureau, "Idempotency-Key": uuid.uuid4().hex}
            await self.call("create case", "POST", "/v1/cases", 201, json=body, headers=headers)


def worker_rss(port: int) -> dict[int, int]:
    """RSS (bytes) of each uvicorn worker serving `port` (the supervisor's children)."""
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "uvicorn" in " ".join(cmdline) and str(port) in cmdline:
            workers = [c for c in process.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())]
            return {child.pid: child.memory_info().rss for child in workers}
    return {}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else float("nan")


async def run(base: str, seeded: Seeded, args: argparse.Namespace) -> tuple[Tally, float, dict[int, int], list[str]]:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        rng = random.Random(11)
        own_cases = rng.sample(seeded.case_ids, args.clients * 5)
        clients = [
            Client(n, http, seeded, {c: 1 for c in own_cases[n * 5 : (n + 1) * 5]}, Tally(), random.Random(n))
            for n in range(args.clients)
        ]

        async def loop(client: Client, until: float) -> None:
            while time.monotonic() < until:
                await client.step()

        await asyncio.gather(*(loop(c, time.monotonic() + args.warmup) for c in clients))
        for client in clients:
            client.tally = Tally()  # the warm-up is not measured
        rss_start = worker_rss(args.port)
        trend = []
        started = time.monotonic()
        end = started + args.seconds
        loops = asyncio.gather(*(loop(c, end) for c in clients))
        while time.monotonic() < end:
            await asyncio.sleep(min(30, max(0.0, end - time.monotonic())))
            rss = worker_rss(args.port)
            trend.append(f"{time.monotonic() - started:5.0f} s: " + ", ".join(f"{v / 2**20:.0f}" for v in rss.values()))
        await loops
        elapsed = time.monotonic() - started
    tally = Tally()
    for client in clients:
        for kind, samples in client.tally.latencies.items():
            tally.latencies[kind] += samples
        tally.errors += client.tally.errors
        tally.examples |= client.tally.examples
    return tally, elapsed, rss_start, trend


def _scale_bureau(database: str) -> tuple[str, Seeded]:
    """bench/scale.py's seeded database, narrowed to its large bureau (the soak reads as bureau 0)."""
    import os

    from app.core.embedded import start_embedded_postgres
    from bench.common import ROOT
    from bench.scale import prepare, seed_file

    if not seed_file(database).exists():
        raise SystemExit(f"{database} is not seeded: run `python -m bench.scale` first")
    server = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(ROOT / ".data", "postgres")
    url, seeded = prepare(database, 0, ROOT, server, reuse=True)
    large = seeded.bureau_ids[0]
    # Open cases only: the soak PATCHes and records milestones, which a closed case refuses (409).
    cases = [c for c in seeded.open_case_ids if seeded.case_bureau[c] == large]
    employers = {seeded.case_employer[c] for c in cases}
    return url, Seeded(
        bureau_ids=[large],
        bureau_keys=seeded.bureau_keys[:1],
        employer_ids=sorted(employers, key=str),
        employer_keys={e: k for e, k in seeded.employer_keys.items() if e in employers},
        case_ids=cases,
        case_bureau={c: large for c in cases},
        case_employer={c: seeded.case_employer[c] for c in cases},
        open_case_ids=cases,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16, help="concurrent callers")
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--scale",
        metavar="DATABASE",
        help="soak the large bureau of bench/scale.py's seeded database instead (its portfolio: 100,000 open cases)",
    )
    args = parser.parse_args()

    if args.scale:
        url, seeded = _scale_bureau(args.scale)
        print(f"the large bureau of {args.scale}: {len(seeded.case_ids)} cases; {args.clients} clients, ", end="")
    else:
        url = fresh_database("spoorwijzer_bench_soak")
        seeded = asyncio.run(
            seed(plain_dsn(url), bureaus=1, employers=20, cases_per_bureau=args.cases, today=date.today())
        )
        refresh_snapshots(url)
        print(f"seeded {args.cases} cases; {args.clients} clients, ", end="")
    print(f"{args.workers} workers, {args.seconds:.0f} s")
    with live_server(url, port=args.port, workers=args.workers) as base:
        tally, elapsed, rss_start, trend = asyncio.run(run(base, seeded, args))
        rss_end = worker_rss(args.port)

    everything = [s for samples in tally.latencies.values() for s in samples]
    print("| traffic | requests | req/s | p50 | p99 |")
    print("|---|---|---|---|---|")
    for kind, samples in sorted(tally.latencies.items()):
        print(
            f"| {kind} | {len(samples)} | {len(samples) / elapsed:.1f} | {percentile(samples, 0.5):.1f} ms "
            f"| {percentile(samples, 0.99):.1f} ms |"
        )
    print(
        f"| **all** | {len(everything)} | {len(everything) / elapsed:.1f} | {percentile(everything, 0.5):.1f} ms "
        f"| {percentile(everything, 0.99):.1f} ms |"
    )
    print(f"errors: {sum(tally.errors.values())} {dict(tally.errors) or ''}")
    for kind, example in tally.examples.items():
        print(f"  e.g. {kind}: {example}")
    print("worker RSS, MiB, every 30 s:\n  " + "\n  ".join(trend))
    for pid, start in rss_start.items():
        end = rss_end.get(pid)
        growth = f"{(end - start) / 2**20:+.1f} MiB" if end else "worker gone"
        at_end = (end or 0) / 2**20
        print(f"worker {pid}: RSS {start / 2**20:.1f} MiB after warm-up, {at_end:.1f} MiB at the end ({growth})")


if __name__ == "__main__":
    main()
