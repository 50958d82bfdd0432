"""Liveness and readiness: the process is alive; the database answers and its schema is one this build serves.

Zero-downtime upgrades (docs/operations.md, "Upgrades"): migrations run before a rolling deploy, so the old pods
meet the new schema. A migration that only adds (expand) declares, in the table `schema_compatibility`, which
earlier revisions' builds still work on it; such a build stays ready. A migration that removes or renames what
an old build uses (contract) comes one release later and declares nothing: the old build then answers 503.
"""

from __future__ import annotations

from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.errors import problem_response
from app.core.openapi import problems
from app.core.settings import PROJECT_ROOT

router = APIRouter(tags=["operations"])


class SchemaCompatibility(Base):
    """Per expand-only revision: the earlier revisions whose builds still serve on its schema."""

    __tablename__ = "schema_compatibility"

    revision: Mapped[str] = mapped_column(String(32), primary_key=True)
    serves_revisions: Mapped[list[str]] = mapped_column(ARRAY(String(32)))


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


async def _serves(conn: AsyncConnection, current: str | None, head: str | None) -> bool:
    """Whether this build (at `head`) works on a database at revision `current`: the same, or a later one that
    declares this build's revision compatible (an expand-only migration)."""
    if current == head:
        return True
    if current is None or head is None:
        return False
    if (await conn.execute(text("SELECT to_regclass('schema_compatibility')"))).scalar_one() is None:
        return False
    served = await conn.execute(
        text("SELECT serves_revisions FROM schema_compatibility WHERE revision = :current"), {"current": current}
    )
    revisions = served.scalar_one_or_none() or []
    return head in revisions


@router.get("/readyz", operation_id="health_ready", response_model=Health, responses=problems(503))
async def readyz(request: Request) -> Health | JSONResponse:
    """Ready to serve: the database answers and its schema is this build's, or a later one declared compatible
    with it (expand before contract, docs/operations.md)."""
    try:
        async with request.app.state.engine.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()
            serves = await _serves(conn, current, migration_head())
    except Exception:
        return problem_response(
            request, 503, "Service Unavailable", detail="The database is not reachable.", slug="not-ready"
        )
    if not serves:
        return problem_response(
            request,
            503,
            "Service Unavailable",
            detail=f"The database schema is at {current}, which this build (at {migration_head()}) does not serve: "
            "run the migrations, or deploy the build that matches them.",
            slug="not-ready",
        )
    return Health(status="ready")
