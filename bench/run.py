"""The service against the raw stack (issue 7): `make bench`, or `.venv/bin/python -m bench.run`.

Seeds 5 bureaus, 500 employers and 100,000 cases (milestones, tracks, monthly reports; half of each bureau's
cases closed, so each bureau has 10,000 open ones), computes their compliance snapshots, then starts the service
(uvicorn, 2 workers) and the reference server (`bench/reference.py`: Starlette + asyncpg, 2 workers) on loopback
and loads both with wrk (installed or detected; a Python load generator otherwise), alternating servers in each
round; the table shows medians over the rounds. Then, on the service alone: one case's compliance and the
portfolio of a bureau with 10,000 open cases (sequential requests), and recording milestones under load.

    --reuse          skip seeding when the database was seeded by an earlier run (keys kept in .data/)
    --compare DIR    also measure the service from another checkout (e.g. `git archive` of an older commit)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import httpx

from app.core.embedded import start_embedded_postgres
from bench.common import (
    ROOT,
    fresh_database,
    live_server,
    load_seeded,
    plain_dsn,
    refresh_snapshots,
    save_seeded,
    summary,
)
from bench.load import Request, Result, ensure_wrk, load
from bench.seed import Seeded, seed

DATABASE = "spoorwijzer_bench_perf"
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


def _seed_file(database: str) -> Path:
    return ROOT / ".data" / f"{database}.seed.json"


def prepare(args: argparse.Namespace) -> tuple[str, Seeded]:
    saved = _seed_file(args.database)
    if args.reuse and saved.exists():
        if not os.environ.get("BENCH_DATABASE_URL"):
            start_embedded_postgres(ROOT / ".data", "postgres")  # stopped when its last user exited
        print(f"reusing the seeded database {args.database}")
        return load_seeded(saved)
    started = time.perf_counter()
    url = fresh_database(args.database)
    seeded = asyncio.run(
        seed(
            plain_dsn(url),
            bureaus=5,
            employers=500,
            arbodiensten=20,
            cases_per_bureau=args.cases // 5,
            today=date.today(),
            closed_share=0.5,
            bsn_share=0.9,
        )
    )
    print(f"seeded {len(seeded.case_ids)} cases in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    refreshed = refresh_snapshots(url)
    print(f"computed {refreshed['refreshed']} compliance snapshots in {time.perf_counter() - started:.0f} s")
    save_seeded(saved, url, seeded)
    return url, seeded


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def read_requests(seeded: Seeded, rng: random.Random) -> dict[str, list[Request]]:
    """One case by id (as its bureau), and the first page of 50 cases as the employer that sees them."""
    bureau_key = dict(zip(seeded.bureau_ids, seeded.bureau_keys, strict=True))
    one = [
        Request("GET", f"/v1/cases/{case}", _bearer(bureau_key[seeded.case_bureau[case]]))
        for case in rng.sample(seeded.case_ids, 2000)
    ]
    page = [
        Request("GET", "/v1/cases?limit=50", _bearer(seeded.employer_keys[employer]))
        for employer in rng.sample(seeded.employer_ids, 200)
    ]
    return {"one case by id": one, "page of 50 cases": page}


def measure_reads(
    servers: dict[str, str], scenarios: dict[str, list[Request]], args: argparse.Namespace, wrk: str | None
) -> dict[str, dict[str, list[Result]]]:
    results: dict[str, dict[str, list[Result]]] = {s: {name: [] for name in servers} for s in scenarios}
    for base in servers.values():  # warm up: connections, statement caches, the OS page cache
        for requests in scenarios.values():
            load(wrk, base, requests, connections=args.connections, seconds=2)
    names = list(servers)
    for round_ in range(args.rounds):
        order = names if round_ % 2 == 0 else names[::-1]  # alternate who goes first: the machine drifts
        for scenario, requests in scenarios.items():
            for name in order:
                result = load(wrk, servers[name], requests, connections=args.connections, seconds=args.seconds)
                results[scenario][name].append(result)
                print(
                    f"  round {round_ + 1} {scenario:<16} {name:<10} {result.rps:7.0f} req/s  "
                    f"p50 {result.p50_ms:5.1f} ms  p99 {result.p99_ms:5.1f} ms  non-2xx {result.errors}"
                )
    return results


def measure_compliance(base: str, seeded: Seeded, rng: random.Random, args: argparse.Namespace) -> dict[str, float]:
    bureau = seeded.bureau_ids[0]
    headers = _bearer(seeded.bureau_keys[0])
    open_cases = [c for c in seeded.open_case_ids if seeded.case_bureau[c] == bureau]
    out: dict[str, float] = {"open_cases": len(open_cases)}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        portfolio = []
        for _ in range(args.portfolio_rounds + 1):
            t = time.perf_counter()
            client.get("/v1/compliance").raise_for_status()
            portfolio.append(time.perf_counter() - t)
        singles = []
        for case in rng.sample(open_cases, args.singles):
            t = time.perf_counter()
            client.get(f"/v1/cases/{case}/compliance").raise_for_status()
            singles.append(time.perf_counter() - t)
    out["portfolio_ms"] = summary(portfolio[1:])["median_ms"]
    out["one_case_ms"] = summary(singles)["median_ms"]
    return out


def milestone_requests(seeded: Seeded, rng: random.Random) -> list[Request]:
    bureau = seeded.bureau_ids[0]
    headers = {**_bearer(seeded.bureau_keys[0]), "Content-Type": "application/json"}
    body = json.dumps({"type": "voortgangsgesprek", "occurred_on": date.today().isoformat(), "note": "bench"})
    cases = [c for c in seeded.open_case_ids if seeded.case_bureau[c] == bureau]
    return [Request("POST", f"/v1/cases/{case}/milestones", headers, body) for case in rng.sample(cases, 2000)]


def _median(results: list[Result], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in results)


def report(
    reads: dict[str, dict[str, list[Result]]],
    compliance: dict[str, float],
    milestones: dict[int, list[Result]],
    args: argparse.Namespace,
) -> None:
    rounds = args.rounds
    print()
    print(f"## Results ({rounds} alternating rounds of {args.seconds:.0f} s, {args.connections} connections, medians)")
    print()
    names = list(next(iter(reads.values())))
    header = " | ".join(f"{n} req/s | {n} p99" for n in names)
    print(f"| read | {header} | ratio service / reference | target |")
    print("|---|" + "---|" * (2 * len(names)) + "---|---|")
    for scenario, by_server in reads.items():
        cells = " | ".join(
            f"{_median(by_server[n], 'rps'):,.0f} | {_median(by_server[n], 'p99_ms'):.1f} ms" for n in names
        )
        ratio = _median(by_server["service"], "rps") / _median(by_server["reference"], "rps")
        ok = "ok" if ratio >= TARGET_RATIO and _median(by_server["service"], "p99_ms") < TARGET_P99_MS else "MISSED"
        print(f"| {scenario} | {cells} | {ratio:.2f} | >= {TARGET_RATIO}x, p99 < {TARGET_P99_MS:.0f} ms: {ok} |")
    print()
    print("| service alone | measured | target |")
    print("|---|---|---|")
    print(
        f"| one case's compliance, p50 ({args.singles} sequential requests) | {compliance['one_case_ms']:.1f} ms "
        f"| < 20 ms |"
    )
    print(
        f"| portfolio compliance, bureau with {compliance['open_cases']:,.0f} open cases, p50 "
        f"| {compliance['portfolio_ms']:.0f} ms | < 1000 ms |"
    )
    for connections, results in milestones.items():
        p99 = _median(results, "p99_ms")
        print(
            f"| record a milestone at {connections} connections: {_median(results, 'rps'):,.0f} req/s, "
            f"p50 {_median(results, 'p50_ms'):.1f} ms, p99 | {p99:.1f} ms | < 50 ms: {'ok' if p99 < 50 else 'MISSED'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true", help="reuse the seeded database of an earlier run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per read")
    parser.add_argument("--seconds", type=float, default=8, help="length of one load run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--write-connections",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[2, 4, 8, 16],
        help="concurrent writers to record milestones with, comma-separated (each at least 2: wrk runs 2 threads)",
    )
    parser.add_argument("--singles", type=int, default=300, help="one-case compliance requests to time")
    parser.add_argument("--portfolio-rounds", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="another checkout of the service to measure alongside")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--port", type=int, default=8780)
    args = parser.parse_args()

    total = time.perf_counter()
    wrk = None if args.python_load else ensure_wrk()
    print(f"load generator: {wrk or 'Python (asyncio); install wrk for lower-overhead figures'}")
    url, seeded = prepare(args)
    rng = random.Random(7)
    scenarios = read_requests(seeded, rng)
    env = {"SPOORWIJZER_DB_POOL_SIZE": "10", "REFERENCE_DATABASE_URL": plain_dsn(url)}
    with ExitStack() as stack:
        servers = {
            "service": stack.enter_context(live_server(url, port=args.port, workers=2, env=env)),
            "reference": stack.enter_context(
                live_server(url, port=args.port + 1, workers=2, app="bench.reference:app", ready="/healthz", env=env)
            ),
        }
        if args.compare:
            servers["compared"] = stack.enter_context(
                live_server(url, port=args.port + 2, workers=2, ready="/healthz", cwd=args.compare.resolve(), env=env)
            )
        reads = measure_reads(servers, scenarios, args, wrk)
        stack.close()
    with live_server(url, port=args.port, workers=2, env=env) as base:
        compliance = measure_compliance(base, seeded, rng, args)
        writes = milestone_requests(seeded, rng)
        load(wrk, base, writes, connections=max(args.write_connections), seconds=2)  # warm-up
        milestones: dict[int, list[Result]] = {}
        for connections in args.write_connections:
            milestones[connections] = [
                load(wrk, base, writes, connections=connections, seconds=args.seconds) for _ in range(3)
            ]
            for m in milestones[connections]:
                print(
                    f"  milestones at {connections:2d} connections {m.rps:6.0f} req/s  p50 {m.p50_ms:.1f} ms  "
                    f"p99 {m.p99_ms:.1f} ms  non-2xx {m.errors}"
                )
    report(reads, compliance, milestones, args)
    print(f"\ntotal {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
