"""The yardstick: a minimal Starlette + asyncpg server serving the same two reads from the same database.

    REFERENCE_DATABASE_URL=postgresql://... uvicorn bench.reference:app --workers 2

`GET /v1/cases/{id}` and `GET /v1/cases?limit=50` with the same visibility rule, the same JSON shape, and the
same database work per request as the service, so that the ratio measures the stack and nothing else:
- the API key's hash is looked up per request (api_keys joined to organizations), as the service does;
- a case answered with a BSN is logged in `access_log` in the same statement (the service must, by law;
  REFERENCE_ACCESS_LOG=0 leaves it out, to see what the log costs).
No framework above Starlette, no validation beyond the path's UUID, no ORM, orjson for the body. It does not
answer problem+json or ETags; errors are bare status codes.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ACCESS_LOG = os.environ.get("REFERENCE_ACCESS_LOG", "1") == "1"
COLUMNS = """id, bureau_id, employer_id, arbodienst_id, external_ref, employee_name, employee_date_of_birth,
employee_bsn_masked, absence_periods::text AS absence_periods, leave_periods::text AS leave_periods,
employer_is_wga_eigenrisicodrager, employer_case_manager, status, first_sick_day, closed_on, close_reason,
version, created_at, updated_at"""
VISIBLE = {"reintegratiebureau": "bureau_id", "werkgever": "employer_id", "arbodienst": "arbodienst_id"}
KEY = """SELECT k.id, k.organization_id, k.revoked_at, o.kind FROM api_keys k
JOIN organizations o ON o.id = k.organization_id WHERE k.key_hash = $1"""
LOG = """, logged AS (INSERT INTO access_log (bureau_id, case_id, actor_organization_id, actor_key_id, what, path)
SELECT bureau_id, id, $2, $3, 'bsn', $4 FROM {rows} WHERE employee_bsn_masked IS NOT NULL)"""


def one_case_sql(kind: str) -> str:
    log = LOG.format(rows="c") if ACCESS_LOG and kind != "arbodienst" else ""
    return f"WITH c AS (SELECT {COLUMNS} FROM cases WHERE id = $1 AND {VISIBLE[kind]} = $2){log} SELECT * FROM c"


def page_sql(kind: str) -> str:
    answered = "(SELECT * FROM c ORDER BY created_at, id LIMIT $1 - 1) page"  # not the look-ahead row
    log = LOG.format(rows=answered) if ACCESS_LOG and kind != "arbodienst" else ""
    return (
        f"WITH c AS (SELECT {COLUMNS} FROM cases WHERE {VISIBLE[kind]} = $2 ORDER BY created_at, id LIMIT $1)"
        f"{log} SELECT * FROM c ORDER BY created_at, id"
    )


def shape(row: asyncpg.Record, kind: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "bureau_id": row["bureau_id"],
        "employer_id": row["employer_id"],
        "arbodienst_id": row["arbodienst_id"],
        "external_ref": row["external_ref"],
        "employee": {
            "name": row["employee_name"],
            "date_of_birth": row["employee_date_of_birth"],
            "bsn_masked": None if kind == "arbodienst" else row["employee_bsn_masked"],
        },
        "absence_periods": orjson.Fragment(row["absence_periods"]),
        "leave_periods": orjson.Fragment(row["leave_periods"]),
        "employer_is_wga_eigenrisicodrager": row["employer_is_wga_eigenrisicodrager"],
        "employer_case_manager": row["employer_case_manager"],
        "status": row["status"],
        "first_sick_day": row["first_sick_day"],
        "closed_on": row["closed_on"],
        "close_reason": row["close_reason"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def json(body: Any) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z, default=str), media_type="application/json")


async def caller(request: Request, connection: asyncpg.Connection) -> asyncpg.Record | None:
    secret = request.headers.get("authorization", "").removeprefix("Bearer ")
    key = await connection.fetchrow(KEY, hashlib.sha256(secret.encode()).hexdigest())
    return None if key is None or key["revoked_at"] is not None else key


async def one_case(request: Request) -> Response:
    try:
        case_id = uuid.UUID(request.path_params["case_id"])
    except ValueError:
        return Response(status_code=422)
    async with request.app.state.pool.acquire() as connection:
        key = await caller(request, connection)
        if key is None:
            return Response(status_code=401)
        args = [key["id"], request.url.path] if ACCESS_LOG and key["kind"] != "arbodienst" else []
        row = await connection.fetchrow(one_case_sql(key["kind"]), case_id, key["organization_id"], *args)
    if row is None:
        return Response(status_code=404)
    return json(shape(row, key["kind"]))


async def page(request: Request) -> Response:
    limit = min(max(int(request.query_params.get("limit", "50")), 1), 200)
    async with request.app.state.pool.acquire() as connection:
        key = await caller(request, connection)
        if key is None:
            return Response(status_code=401)
        args = [key["id"], request.url.path] if ACCESS_LOG and key["kind"] != "arbodienst" else []
        rows = await connection.fetch(page_sql(key["kind"]), limit + 1, key["organization_id"], *args)
    items = [shape(r, key["kind"]) for r in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return json({"items": items, "next_cursor": f"{last['created_at']}|{last['id']}" if last else None})


async def healthz(request: Request) -> Response:
    return Response(b"ok")


async def _no_reset(connection: asyncpg.Connection) -> None:
    # Same pool settings as the service's raw pool: no session state to reset between requests.
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    size = int(os.environ.get("SPOORWIJZER_DB_POOL_SIZE", "10"))
    app.state.pool = await asyncpg.create_pool(
        os.environ["REFERENCE_DATABASE_URL"],
        min_size=1,
        max_size=size,
        reset=_no_reset,
        server_settings={"timezone": "UTC"},
    )
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[Route("/v1/cases/{case_id}", one_case), Route("/v1/cases", page), Route("/healthz", healthz)],
    lifespan=lifespan,
)
