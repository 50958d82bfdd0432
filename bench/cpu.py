"""CPU per request (issue 7): what one request costs a worker, steadier than requests per second.

On a 2-core machine shared by the workers, PostgreSQL and the load generator, requests per second move by 10-25%
between runs of the same code; the CPU time a worker spends per request moves much less, so this is the figure
to compare two versions by. It starts one worker (of this checkout and, with --compare, of another), loads it
with wrk (one case by id at 64 connections; recording milestones at 4), and divides the worker's CPU time
(user + system, from /proc) by the requests it answered. Rounds alternate between the checkouts; medians.

    .venv/bin/python -m bench.cpu --reuse                 # on `make bench`'s seeded database
    .venv/bin/python -m bench.cpu --reuse --compare DIR   # and another checkout (`git archive` of a commit)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
from pathlib import Path

from bench.common import ROOT, live_server
from bench.load import Request, ensure_wrk, load
from bench.run import DATABASE, milestone_requests, prepare, read_requests


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _measure(
    url: str, checkout: Path, requests: list[Request], connections: int, seconds: float, port: int
) -> tuple[float, float, float]:
    """(CPU microseconds per request, requests per second, p99 ms) of one worker of `checkout`."""
    wrk = ensure_wrk()
    # /healthz: an older checkout may not know the newest migration, and /readyz would say so.
    with live_server(url, port=port, workers=1, cwd=checkout, ready="/healthz") as base:
        pid = int(subprocess.check_output(["pgrep", "-f", f"uvicorn .*port {port}"]).split()[0])
        load(wrk, base, requests, connections=connections, seconds=2)  # warm-up
        before = _cpu_seconds(pid)
        result = load(wrk, base, requests, connections=connections, seconds=seconds)
        spent = _cpu_seconds(pid) - before
    return spent / result.requests * 1e6, result.rps, result.p99_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true", help="reuse the seeded database of an earlier run")
    parser.add_argument("--compare", type=Path, help="another checkout of the service to measure alongside")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()

    if ensure_wrk() is None:
        raise SystemExit("bench.cpu needs wrk (apt-get install wrk)")
    url, seeded = prepare(args)
    rng = random.Random(11)
    scenarios = {
        "one case by id, 64 connections": (read_requests(seeded, rng)["one case by id"], 64),
        "record a milestone, 4 connections": (milestone_requests(seeded, rng), 4),
    }
    checkouts = {"this checkout": ROOT, **({"compared": args.compare.resolve()} if args.compare else {})}
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for round_ in range(args.rounds):
        order = list(checkouts) if round_ % 2 == 0 else list(checkouts)[::-1]
        for scenario, (requests, connections) in scenarios.items():
            for name in order:
                measured = _measure(url, checkouts[name], requests, connections, args.seconds, args.port)
                results.setdefault((scenario, name), []).append(measured)
                print(f"  round {round_ + 1} {scenario:<34} {name:<14} {measured[0]:6.0f} us/request")
    print("\n| scenario | checkout | CPU per request | req/s (1 worker) | p99 |")
    print("|---|---|---|---|---|")
    for (scenario, name), runs in results.items():
        cpu, rps, p99 = (statistics.median(run[i] for run in runs) for i in range(3))
        print(f"| {scenario} | {name} | {cpu:,.0f} us | {rps:,.0f} | {p99:.0f} ms |")


if __name__ == "__main__":
    main()
