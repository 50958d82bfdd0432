"""EXPLAIN ANALYZE of the portfolio's statements on a seeded database (bench/scale.py), as docs/performance.md
shows them: `.venv/bin/python -m bench.explain [--database spoorwijzer_bench_scale] [--as-of YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from app.auth.principal import Principal
from app.compliance import repository
from app.organizations.models import OrganizationKind
from bench.common import ROOT


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


async def explain(url: str, bureau: uuid.UUID, employer: uuid.UUID, as_of: date) -> None:
    engine = create_async_engine(url)
    principal = Principal(organization_id=bureau, kind=OrganizationKind.reintegratiebureau, key_id=uuid.uuid4())
    whole = repository.PortfolioQuery(principal, as_of, 14, None)
    one = repository.PortfolioQuery(principal, as_of, 14, employer)
    statements = {
        "cases and covered cases": repository.coverage_statement(whole),
        "counts: range sum": repository.bureau_counts_statement(whole, bureau),
        "first page": repository.stored_rows_statement(
            whole, statuses={"open", "overdue"}, parties=None, due_before=None, after=None, limit=51, covered=True
        ),
        "one employer: cases and covered cases": repository.coverage_statement(one),
        "one employer: counts": repository.stored_counts_statement(one),
        "one employer: first page": repository.stored_rows_statement(
            one, statuses={"open", "overdue"}, parties=None, due_before=None, after=None, limit=51
        ),
    }
    async with engine.connect() as conn:
        for name, statement in statements.items():
            plan = await conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + _sql(statement)))
            print(f"-- {name} (as of {as_of})")
            print("\n".join(row[0] for row in plan))
            print()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="spoorwijzer_bench_scale")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    data = json.loads((ROOT / ".data" / f"{args.database}.seed.json").read_text())
    bureau = uuid.UUID(data["bureau_ids"][int(os.environ.get("BUREAU", "0"))])
    employer = next(uuid.UUID(e) for c, e in data["case_employer"].items() if data["case_bureau"][c] == str(bureau))
    asyncio.run(explain(data["url"], bureau, employer, args.as_of))


if __name__ == "__main__":
    main()
