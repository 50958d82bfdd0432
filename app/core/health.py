"""Liveness and readiness: the process is alive; the database answers and its schema is at head."""

from __future__ import annotations

from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.core.errors import Code, problem_response
from app.core.openapi import problems
from app.core.settings import PROJECT_ROOT

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@lru_cache
def migration_head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/healthz", operation_id="health_live", response_model=Health)
async def healthz() -> Health:
    """The process is alive (no database call)."""
    return Health(status="ok")


@router.get("/readyz", operation_id="health_ready", response_model=Health, responses=problems(503))
async def readyz(request: Request) -> Health | JSONResponse:
    """Ready to serve: the database answers and its migrations are at head."""
    try:
        async with request.app.state.engine.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()
    except Exception:
        return problem_response(
            request, 503, "Service Unavailable", Code.not_ready, detail="The database is not reachable."
        )
    if current != migration_head():
        return problem_response(
            request,
            503,
            "Service Unavailable",
            Code.not_ready,
            detail=f"The database schema is at {current}, not at {migration_head()}: run the migrations.",
        )
    return Health(status="ready")
