"""Compliance benchmark (issue 3): a bureau with 10,000 open cases with realistic milestones.

Measures, against a live uvicorn on loopback, the portfolio view (`GET /v1/compliance`, first page) and one
case's compliance (`GET /v1/cases/{id}/compliance`). Targets: portfolio < 1 s, one case < 20 ms at the median.

    make bench            # or: .venv/bin/python -m bench.portfolio --cases 10000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date

import httpx

from bench.common import (
    fresh_database,
    live_server,
    plain_dsn,
    refresh_snapshots,
    summary,
    time_portfolio_and_cases,
)
from bench.seed import seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7, help="portfolio requests to time")
    parser.add_argument("--singles", type=int, default=300, help="single-case requests to time")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url = fresh_database("spoorwijzer_bench_portfolio")
    started = time.perf_counter()
    seeded = asyncio.run(
        seed(plain_dsn(url), bureaus=1, employers=100, cases_per_bureau=args.cases, today=date.today())
    )
    print(f"seeded {args.cases} cases in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    refreshed = refresh_snapshots(url)
    print(f"computed {refreshed['refreshed']} compliance snapshots in {time.perf_counter() - started:.1f} s")
    headers = {"Authorization": f"Bearer {seeded.bureau_keys[0]}"}
    with live_server(url, port=args.port) as base, httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        page, portfolio, singles = time_portfolio_and_cases(
            client, "/v1/compliance", "/v1/cases/{case_id}/compliance", seeded.case_ids, args.rounds, args.singles
        )

    p, s = summary(portfolio), summary(singles)
    print(f"portfolio: {page['cases']} cases, counts {page['counts']['by_status']}")
    print("| measurement | n | median | p95 | min | target |")
    print("|---|---|---|---|---|---|")
    print(
        f"| portfolio compliance, {args.cases} cases | {p['n']} | {p['median_ms']:.0f} ms | {p['p95_ms']:.0f} ms "
        f"| {p['min_ms']:.0f} ms | < 1000 ms |"
    )
    print(
        f"| one case's compliance | {s['n']} | {s['median_ms']:.1f} ms | {s['p95_ms']:.1f} ms | {s['min_ms']:.1f} ms "
        f"| < 20 ms median |"
    )


if __name__ == "__main__":
    main()
