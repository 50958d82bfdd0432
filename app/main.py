"""The application: routers, middleware, error handlers and the database engine's lifecycle."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.router import router as audit_router
from app.auth.router import router as api_keys_router
from app.background import Clock, Job, JobContext, SystemClock, register_job, running
from app.calendar.router import router as calendar_router
from app.cases.router import router as cases_router
from app.cases.service import today
from app.compliance.router import router as compliance_router
from app.compliance.snapshots import refresh_changed
from app.core import health, metrics
from app.core.db import ReleaseHeldConnection, database_url, make_engine, make_pool, make_sessionmaker
from app.core.docs import install_docs
from app.core.errors import install_error_handlers
from app.core.idempotency import purge_expired
from app.core.metrics import observe_pools
from app.core.metrics import router as metrics_router
from app.core.middleware import InputGuard, RequestGuard, RequestId, RetryOnDeadlock
from app.core.openapi import api_version, install_openapi
from app.core.settings import Settings, derived_key, get_settings
from app.deadlines import scheduler as deadline_scheduler
from app.documents.router import router as documents_router
from app.imports import worker as imports_worker
from app.imports.router import router as imports_router
from app.medical.router import router as medical_router
from app.milestones.router import router as milestones_router
from app.organizations.router import router as organizations_router
from app.proposals.router import router as proposals_router
from app.reintegratieverslag.router import router as reintegratieverslag_router
from app.reports.router import router as reports_router
from app.retention.router import router as retention_router
from app.retention.schedule import jobs as retention_jobs
from app.tracks.router import router as tracks_router
from app.webhooks.delivery import Dispatcher, fan_out_queued
from app.webhooks.router import router as webhooks_router

log = logging.getLogger("spoorwijzer")

DESCRIPTION = """\
Re-integration dossiers under the Wet verbetering poortwachter, for re-integratiebureaus, employers and
arbodiensten. Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem documents.
Optionally name the person at your side who makes a request in `X-Acting-User` (1-200 characters): it is stored
with every row the request adds to a case's read-access log (NEN 7513). List cursors are opaque and signed: pass
`next_cursor` back unchanged with the same filters (else 422, type `invalid-cursor`).
"""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Tests install their own engine on app.state before the first request.
        if getattr(app.state, "engine", None) is None:
            url = database_url(settings)
            engine = make_engine(url, settings)
            app.state.engine = engine
            app.state.sessionmaker = make_sessionmaker(engine)
            app.state.pool = await make_pool(url, settings)  # the hot reads' raw pool (app/core/db.py)
        async with running(app):  # this process's background workers (app/background), stopped first
            yield
        if app.state.pool is not None:
            await app.state.pool.close()
        await app.state.engine.dispose()

    app = FastAPI(
        title="Spoorwijzer",
        version=api_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        # Swagger UI and ReDoc come from the service itself (app/core/docs.py), not from FastAPI's CDN pages.
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "organizations", "description": "Organizations and API callers"},
            {"name": "api keys", "description": "Partner keys a bureau issues for the organizations it registered"},
            {"name": "cases", "description": "Re-integratiedossiers"},
            {"name": "milestones", "description": "Dated facts of a dossier"},
            {"name": "tracks", "description": "Spoor 1, 2 and 3 track assignments"},
            {"name": "progress-reports", "description": "Monthly progress reports (voortgangsrapportages)"},
            {"name": "candidate-proposals", "description": "Employers a candidate was proposed to, with outcomes"},
            {"name": "medical", "description": "Functional medical status pushed by the arbodienst"},
            {"name": "compliance", "description": "Poortwachter obligations per party, with deadlines"},
            {"name": "audit", "description": "Change feed, audit log and access log"},
            {"name": "imports", "description": "Bulk import of case bundles (JSON Lines), run in the background"},
            {"name": "calendar", "description": "iCalendar feeds of outstanding obligations"},
            {"name": "webhooks", "description": "Signed webhook deliveries of the change feed (docs/webhooks.md)"},
            {"name": "operations", "description": "Health, readiness and metrics"},
        ],
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.background_jobs = []  # app.background.register_job; started per process by the lifespan
    app.state.workers = None
    app.state.engine = None
    app.state.pool = None
    for job in retention_jobs(settings):
        register_job(app, job)

    async def pool_metrics(_: JobContext) -> bool:
        observe_pools(app)
        return False

    register_job(app, Job("pool_metrics", pool_metrics, interval=5.0))

    async def purge_idempotency_records(ctx: JobContext) -> bool:
        # Their stored answers hold personal data: kept for idempotency_ttl_hours, then deleted.
        cutoff = ctx.clock.now() - timedelta(hours=settings.idempotency_ttl_hours)
        try:
            async with ctx.sessionmaker() as session, session.begin():
                purged = await purge_expired(session, cutoff)
        except Exception:
            metrics.JOB_RUNS.labels("idempotency_purge", "failed").inc()
            raise
        metrics.JOB_RUNS.labels("idempotency_purge", "ok").inc()
        metrics.JOB_LAST_SUCCESS.labels("idempotency_purge").set(time.time())
        metrics.IDEMPOTENCY_PURGED.inc(purged)
        return False

    register_job(app, Job("idempotency_purge", purge_idempotency_records, interval=settings.idempotency_purge_seconds))

    async def refresh_compliance(session: AsyncSession) -> None:
        await refresh_changed(session, today(), settings.report_grace_days)

    # Derived data written in each request's transaction, just before its commit.
    app.state.before_commit = [refresh_compliance]
    register_job(app, imports_worker.job(settings.report_grace_days, settings.import_concurrency))

    async def deliveries_for_events(session: AsyncSession, written: Mapping[str, list[dict[str, Any]]]) -> None:
        await fan_out_queued(session, app.state.clock.now(), written)

    # After the queued rows: the webhook deliveries of the transaction's events (the outbox, app/webhooks).
    app.state.after_rows = [deliveries_for_events]
    register_job(app, Dispatcher().job())
    register_job(app, deadline_scheduler.job())
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    app.add_middleware(ReleaseHeldConnection)
    app.add_middleware(RetryOnDeadlock)
    app.add_middleware(
        RequestGuard, max_body_bytes=settings.max_body_bytes, bulk_paths={"/v1/imports": settings.max_import_bytes}
    )
    app.add_middleware(InputGuard, cursor_key=derived_key(settings, "cursor"))
    app.add_middleware(RequestId)
    for router in (
        health.router,
        metrics_router,
        organizations_router,
        api_keys_router,
        cases_router,
        milestones_router,
        tracks_router,
        reports_router,
        proposals_router,
        medical_router,
        documents_router,
        compliance_router,
        reintegratieverslag_router,
        audit_router,
        imports_router,
        webhooks_router,
        calendar_router,
        retention_router,
    ):
        app.include_router(router)
    return app
