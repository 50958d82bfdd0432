"""RIV portfolio benchmark (issue 13): a bureau with 10,000 open cases with realistic milestones and, for every
milestone a RIV part needs, a document reference.

Measures, against a live uvicorn on loopback, the RIV portfolio (`GET /v1/reintegratieverslag`, first page,
defaults: RIVs due within 42 days or late) and one case's check (`GET /v1/cases/{id}/reintegratieverslag`).

    .venv/bin/python -m bench.reintegratieverslag --cases 10000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date

import asyncpg
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

# Each needed milestone gets a reference, signed as required (the arbeidsdeskundig rapport: one per spoor 2 case).
_DOCUMENTS = """
INSERT INTO document_references (id, case_id, bureau_id, kind, title, dated_on, supplied_by, signed_by,
    bsn_on_document, media_type, size_bytes, sha256, milestone_id, recorded_by_organization_id)
SELECT gen_random_uuid(), m.case_id, m.bureau_id, m.type, initcap(replace(m.type, '_', ' ')), m.occurred_on,
    CASE WHEN m.type IN ('probleemanalyse', 'bijstellingsadvies', 'actueel_oordeel') THEN 'bedrijfsarts'
         ELSE 'werkgever' END,
    CASE WHEN m.type IN ('probleemanalyse', 'bijstellingsadvies', 'actueel_oordeel') THEN ARRAY['bedrijfsarts']
         ELSE ARRAY['werkgever', 'werknemer'] END,
    true, 'application/pdf', 200000 + (random() * 1000000)::int, md5(m.id::text) || md5(m.case_id::text), m.id,
    m.bureau_id
FROM milestones m
WHERE m.type IN ('probleemanalyse', 'plan_van_aanpak', 'bijstellingsadvies', 'bijstelling_plan_van_aanpak',
    'eerstejaarsevaluatie', 'actueel_oordeel', 'eindevaluatie')
"""
_ARBEIDSDESKUNDIG = """
INSERT INTO document_references (id, case_id, bureau_id, kind, title, dated_on, supplied_by, signed_by,
    bsn_on_document, media_type, size_bytes, sha256, milestone_id, recorded_by_organization_id)
SELECT gen_random_uuid(), t.case_id, t.bureau_id, 'arbeidsdeskundig_rapport', 'Arbeidsdeskundig rapport',
    t.started_on - 10, 'reintegratiebureau', ARRAY['reintegratiebureau'], true, 'application/pdf', 400000,
    md5(t.id::text) || md5(t.case_id::text), NULL, t.bureau_id
FROM tracks t WHERE t.spoor = 2
"""


async def _add_documents(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(_DOCUMENTS)
        await conn.execute(_ARBEIDSDESKUNDIG)
        await conn.execute("ANALYZE document_references")
        return int(await conn.fetchval("SELECT count(*) FROM document_references"))
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9, help="portfolio requests to time")
    parser.add_argument("--singles", type=int, default=200, help="single-case requests to time")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()

    url = fresh_database("spoorwijzer_bench_riv")
    started = time.perf_counter()
    seeded = asyncio.run(
        seed(plain_dsn(url), bureaus=1, employers=100, cases_per_bureau=args.cases, today=date.today(), bsn_share=0.9)
    )
    documents = asyncio.run(_add_documents(plain_dsn(url)))
    print(f"seeded {args.cases} cases and {documents} document references in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    refreshed = refresh_snapshots(url)
    print(f"computed {refreshed['refreshed']} compliance snapshots in {time.perf_counter() - started:.1f} s")
    headers = {"Authorization": f"Bearer {seeded.bureau_keys[0]}"}
    with live_server(url, port=args.port) as base, httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        page, portfolio, singles = time_portfolio_and_cases(
            client,
            "/v1/reintegratieverslag",
            "/v1/cases/{case_id}/reintegratieverslag",
            seeded.case_ids,
            args.rounds,
            args.singles,
        )

    p, s = summary(portfolio), summary(singles)
    print(f"RIV portfolio: counts {page['counts']}, {len(page['items'])} rows on the first page")
    print("| measurement | n | median | p95 | min |")
    print("|---|---|---|---|---|")
    print(
        f"| RIV portfolio, {args.cases} open cases ({page['counts']['cases']} due within 42 days or late) "
        f"| {p['n']} | {p['median_ms']:.0f} ms | {p['p95_ms']:.0f} ms | {p['min_ms']:.0f} ms |"
    )
    print(
        f"| one case's RIV check | {s['n']} | {s['median_ms']:.1f} ms | {s['p95_ms']:.1f} ms | {s['min_ms']:.1f} ms |"
    )


if __name__ == "__main__":
    main()
