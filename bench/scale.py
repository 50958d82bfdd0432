"""The portfolio at the scale of the largest bureaus (issue 17) and a past as_of (issue 12, section 3).

Seeds one bureau with `--open-cases` open cases (100,000 by default; a tenth more closed ones), a bureau with
10,000 open cases and three small ones around them (so the tenant filter is real), about 200 cases per employer
of the large bureau, computes the compliance histories, then times on the service (uvicorn, 2 workers), with
sequential requests and alternating servers within each round when `--compare` is given:

- the large bureau's portfolio (default filters, first page, with counts), as of today and a year back;
- the 10,000-case bureau's portfolio, as of today and a year back (issue 12's side-by-side);
- the large bureau's portfolio filtered by one employer (about 200 cases);
- one case's compliance.

    .venv/bin/python -m bench.scale                 # seeds (several minutes), keeps the keys in .data/
    .venv/bin/python -m bench.scale --reuse         # later runs
    .venv/bin/python -m bench.scale --reuse --compare /tmp/before   # another checkout, on its own database,
                                                   # seeded alike and migrated and refreshed by its own code

A request that takes longer than `--timeout` seconds stops that scenario for that server (shown as "> N s").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from datetime import date, timedelta
from pathlib import Path

import httpx

from app.core.embedded import start_embedded_postgres
from bench.common import ROOT, live_server, load_seeded, plain_dsn, save_seeded
from bench.seed import Seeded, seed

DATABASE = "spoorwijzer_bench_scale"
TARGETS_MS = {"large, today": 250.0, "one employer": 20.0, "one case": 5.0}


def _layout(open_cases: int) -> tuple[list[int], list[int]]:
    """Cases and employers per bureau: every tenth case is closed (bench/seed.py)."""
    large = -(-open_cases * 10 // 9)
    cases = [large, 11_112, 2_000, 2_000, 2_000]
    employers = [max(1, large // 200), 56, 10, 10, 10]
    return cases, employers


def _in_checkout(cwd: Path, code: str, server: str) -> str:
    """Run Python in a checkout (its own app and bench code) against our database server; its last line."""
    env = {**os.environ, "PYTHONPATH": str(cwd), "BENCH_DATABASE_URL": server}
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def seed_file(database: str) -> Path:
    return ROOT / ".data" / f"{database}.seed.json"


def prepare(database: str, open_cases: int, cwd: Path, server: str, reuse: bool) -> tuple[str, Seeded]:
    saved = seed_file(database)
    if reuse and saved.exists():
        print(f"reusing the seeded database {database}")
        return load_seeded(saved)
    started = time.perf_counter()
    # Created and migrated by the checkout's own code: its schema, its migrations.
    url = _in_checkout(cwd, f"from bench.common import fresh_database; print(fresh_database({database!r}))", server)
    cases, employers = _layout(open_cases)
    seeded = asyncio.run(
        seed(
            plain_dsn(url),
            bureaus=len(cases),
            employers=sum(employers),
            arbodiensten=20,
            cases_per_bureau=0,
            bureau_cases=cases,
            employers_per_bureau=employers,
            today=date.today(),
            closed_share=0.1,
            bsn_share=0.9,
        )
    )
    print(f"{database}: seeded {len(seeded.case_ids)} cases in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    refreshed = _in_checkout(
        cwd, f"from bench.common import refresh_snapshots; print(refresh_snapshots({url!r}))", server
    )
    print(f"{database}: computed the compliance snapshots ({refreshed}) in {time.perf_counter() - started:.0f} s")
    save_seeded(saved, url, seeded)
    return url, seeded


Scenario = list[tuple[str, dict[str, str]]]  # (path, headers) per request, cycled


def scenarios(seeded: Seeded, rng: random.Random) -> dict[str, Scenario]:
    today = date.today()
    year_back = (today - timedelta(days=365)).isoformat()
    large, mid = seeded.bureau_ids[0], seeded.bureau_ids[1]
    keys = dict(zip(seeded.bureau_ids, seeded.bureau_keys, strict=True))
    auth = {b: {"Authorization": f"Bearer {keys[b]}"} for b in (large, mid)}
    open_large = [c for c in seeded.open_case_ids if seeded.case_bureau[c] == large]
    employers = sorted({seeded.case_employer[c] for c in open_large}, key=str)
    return {
        "large, today": [("/v1/compliance", auth[large])],
        "large, a year back": [(f"/v1/compliance?as_of={year_back}", auth[large])],
        "10k, today": [("/v1/compliance", auth[mid])],
        "10k, a year back": [(f"/v1/compliance?as_of={year_back}", auth[mid])],
        "one employer": [
            (f"/v1/compliance?employer_id={e}", auth[large]) for e in rng.sample(employers, min(20, len(employers)))
        ],
        "one case": [
            (f"/v1/cases/{c}/compliance", auth[large]) for c in rng.sample(open_large, min(300, len(open_large)))
        ],
    }


def measure(
    servers: dict[str, str],
    plans: dict[str, dict[str, Scenario]],
    rounds: int,
    per_round: dict[str, int],
    timeout: float,
) -> dict[str, dict[str, list[float]]]:
    """`plans`: per server, its requests (each server has its own database, seeded alike: its own keys)."""
    results: dict[str, dict[str, list[float]]] = {s: {n: [] for n in servers} for s in plans["service"]}
    gave_up: set[tuple[str, str]] = set()
    clients = {n: httpx.Client(base_url=base, timeout=timeout) for n, base in servers.items()}
    try:
        for name, client in clients.items():  # warm-up: connections, statement caches, the page cache
            for requests in plans[name].values():
                for path, headers in requests[:2]:
                    with suppress(httpx.TimeoutException):
                        client.get(path, headers=headers)
        names = list(servers)
        for round_ in range(rounds):
            order = names if round_ % 2 == 0 else names[::-1]
            for scenario in results:
                for name in order:
                    requests = plans[name][scenario]
                    if not requests:
                        continue
                    if (scenario, name) in gave_up:
                        continue
                    n = per_round.get(scenario, 1)
                    start = round_ * n
                    for i in range(n):
                        path, headers = requests[(start + i) % len(requests)]
                        t = time.perf_counter()
                        try:
                            clients[name].get(path, headers=headers).raise_for_status()
                        except httpx.TimeoutException:
                            gave_up.add((scenario, name))
                            break
                        results[scenario][name].append(time.perf_counter() - t)
                    times = results[scenario][name][-n:]
                    shown = f"p50 {statistics.median(times) * 1000:8.1f} ms" if times else f"> {timeout:.0f} s"
                    print(f"  round {round_ + 1} {scenario:<20} {name:<9} {shown}")
    finally:
        for client in clients.values():
            client.close()
    for scenario, name in gave_up:
        results[scenario][name] = [float("inf")]
    return results


def report(results: dict[str, dict[str, list[float]]], open_counts: dict[str, int], timeout: float) -> None:
    names = list(next(iter(results.values())))
    print()
    print("| scenario | " + " | ".join(f"{n} p50" for n in names) + " | target |")
    print("|---|" + "---|" * len(names) + "---|")
    today_ms = statistics.median(results["large, today"]["service"]) * 1000
    targets = {**TARGETS_MS, "large, a year back": 2 * today_ms}
    for scenario, by_server in results.items():
        cells = []
        for name in names:
            median = statistics.median(by_server[name]) * 1000 if by_server[name] else float("nan")
            if not by_server[name]:
                cells.append("not measured")
            else:
                cells.append(f"> {timeout:.0f} s" if median == float("inf") else f"{median:,.1f} ms")
        target = targets.get(scenario)
        if target is None:
            verdict = ""
        else:
            ok = statistics.median(by_server["service"]) * 1000 < target
            verdict = f"< {target:,.0f} ms: {'met' if ok else 'MISSED'}"
        print(f"| {scenario} | " + " | ".join(cells) + f" | {verdict} |")
    print()
    print(f"open cases: {open_counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open-cases", type=int, default=100_000, help="open cases of the large bureau")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true", help="reuse the seeded databases of an earlier run")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--compare", type=Path, help="another checkout, measured alongside on its own database")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a scenario is given up")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="SERVER:SCENARIO",
        help="leave a scenario out for one server (e.g. 'compared:large, a year back': the code before this "
        "evaluates every such case in Python, minutes per request, and would load the machine for the others)",
    )
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()

    total = time.perf_counter()
    server = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(ROOT / ".data", "postgres")
    url, seeded = prepare(args.database, args.open_cases, ROOT, server, args.reuse)
    databases = {"service": (url, ROOT)}
    plans = {"service": scenarios(seeded, random.Random(7))}
    if args.compare:
        other = args.compare.resolve()
        compare_url, compared = prepare(f"{args.database}_compare", args.open_cases, other, server, args.reuse)
        databases["compared"] = (compare_url, other)
        plans["compared"] = scenarios(compared, random.Random(7))
    for skipped in args.skip:
        name, scenario = skipped.split(":", 1)
        plans[name][scenario] = []
    large, mid = seeded.bureau_ids[0], seeded.bureau_ids[1]
    open_counts = {
        "large": sum(1 for c in seeded.open_case_ids if seeded.case_bureau[c] == large),
        "10k": sum(1 for c in seeded.open_case_ids if seeded.case_bureau[c] == mid),
    }
    env = {"SPOORWIJZER_DB_POOL_SIZE": "10"}
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                live_server(db, port=args.port + i, workers=2, ready="/healthz", cwd=cwd, env=env)
            )
            for i, (name, (db, cwd)) in enumerate(databases.items())
        }
        results = measure(servers, plans, args.rounds, {"one employer": 5, "one case": 30}, args.timeout)
    report(results, open_counts, args.timeout)
    print(f"\ntotal {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
