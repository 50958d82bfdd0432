"""Shared pieces of the benchmarks: a fresh database, a live uvicorn, timing helpers."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from app.cli import migrate
from app.core.embedded import asyncpg_url, start_embedded_postgres
from bench.seed import Seeded

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(name: str) -> str:
    """An empty, migrated database (on BENCH_DATABASE_URL's server, or the embedded one); its asyncpg URL."""
    import asyncpg

    server = os.environ.get("BENCH_DATABASE_URL")
    base = asyncpg_url(server) if server else start_embedded_postgres(ROOT / ".data", "postgres")

    async def recreate() -> None:
        dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    return url


def plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def live_server(
    database_url: str,
    *,
    port: int,
    workers: int = 1,
    app: str = "app.asgi:app",
    ready: str = "/readyz",
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """uvicorn serving `app` (from `cwd`) on loopback; stopped (gracefully) at exit."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPOORWIJZER_ENVIRONMENT": "development",
        "PYTHONPATH": str(cwd),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    # The service logs every request (JSON lines); formatting them is part of its cost, keeping them is not.
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}{ready}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the server did not become ready: try `{' '.join(command)}` by hand")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def load_seeded(saved: Path) -> tuple[str, Seeded]:
    """The URL and keys a seeding run saved (save_seeded)."""
    data = json.loads(saved.read_text())
    return data["url"], Seeded(
        bureau_ids=[uuid.UUID(x) for x in data["bureau_ids"]],
        bureau_keys=data["bureau_keys"],
        employer_ids=[uuid.UUID(x) for x in data["employer_ids"]],
        employer_keys={uuid.UUID(k): v for k, v in data["employer_keys"].items()},
        case_ids=[uuid.UUID(x) for x in data["case_ids"]],
        case_bureau={uuid.UUID(k): uuid.UUID(v) for k, v in data["case_bureau"].items()},
        case_employer={uuid.UUID(k): uuid.UUID(v) for k, v in data["case_employer"].items()},
        open_case_ids=[uuid.UUID(x) for x in data["open_case_ids"]],
    )


def save_seeded(saved: Path, url: str, seeded: Seeded) -> None:
    fields = asdict(seeded)
    fields = {k: {str(a): str(b) for a, b in v.items()} if isinstance(v, dict) else v for k, v in fields.items()}
    saved.write_text(json.dumps({"url": url, **fields}, default=str))


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
        "min_ms": ordered[0] * 1000,
    }


def refresh_snapshots(database_url: str, processes: int = 2) -> dict[str, int]:
    """Compute the compliance snapshots of every seeded case, as `spoorwijzer refresh-compliance` does.

    About 1.3 ms per case, three quarters of it the rules in Python: the cases are split over `processes`
    worker processes (each commits per batch of 1,000), then the planner's statistics are refreshed.
    """
    import asyncpg

    async def case_ids() -> list[str]:
        conn = await asyncpg.connect(plain_dsn(database_url))
        try:
            return [str(r["id"]) for r in await conn.fetch("SELECT id FROM cases ORDER BY id")]
        finally:
            await conn.close()

    ids = asyncio.run(case_ids())
    parts = [ids[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        written = sum(pool.map(_refresh_part, [database_url] * processes, parts))

    async def analyze() -> None:
        conn = await asyncpg.connect(plain_dsn(database_url))
        try:
            await conn.execute("ANALYZE compliance_snapshots; ANALYZE compliance_items")
        finally:
            await conn.close()

    asyncio.run(analyze())
    return {"refreshed": written}


def _refresh_part(database_url: str, ids: list[str], batch: int = 1000) -> int:
    import uuid

    from app.cases.service import today
    from app.compliance.snapshots import refresh
    from app.core.db import make_engine, make_sessionmaker
    from app.core.settings import Settings

    async def run() -> int:
        settings = Settings(database_url=database_url)
        engine = make_engine(database_url, settings)
        written = 0
        try:
            async with make_sessionmaker(engine)() as session:
                for i in range(0, len(ids), batch):
                    chunk = [uuid.UUID(x) for x in ids[i : i + batch]]
                    written += await refresh(
                        session, chunk, today=today(), report_grace_days=settings.report_grace_days
                    )
                    await session.commit()
            return written
        finally:
            await engine.dispose()

    return asyncio.run(run())


def time_portfolio_and_cases(
    client: httpx.Client, portfolio_path: str, case_path: str, case_ids: list[uuid.UUID], rounds: int, singles: int
) -> tuple[dict[str, Any], list[float], list[float]]:
    """Time `rounds` portfolio requests (after a warm-up) and `singles` one-case requests (`case_path` with
    `{case_id}`, cases drawn with a fixed seed); answers the last portfolio page and both samples in seconds."""
    rng = random.Random(7)
    client.get(portfolio_path).raise_for_status()  # warm-up
    portfolio = []
    for _ in range(rounds):
        t = time.perf_counter()
        response = client.get(portfolio_path)
        portfolio.append(time.perf_counter() - t)
        response.raise_for_status()
    single = []
    for _ in range(singles):
        path = case_path.format(case_id=rng.choice(case_ids))
        t = time.perf_counter()
        client.get(path).raise_for_status()
        single.append(time.perf_counter() - t)
    return response.json(), portfolio, single
