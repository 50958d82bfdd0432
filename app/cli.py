"""Operator CLI: run the service, migrate, manage organizations and API keys, load demo data.

Every command prints JSON on stdout (except `run`), so scripts can read it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.config
import os
import shutil
import signal
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.keys import hash_secret, new_secret
from app.auth.models import ApiKey
from app.cases.service import today
from app.compliance.repository import cases_needing_snapshot
from app.compliance.snapshots import refresh, refresh_changed, refresh_stale
from app.core.db import commit, database_url, make_engine, make_sessionmaker
from app.core.embedded import stop_embedded_postgres
from app.core.logging import logging_config
from app.core.settings import PROJECT_ROOT, Settings, get_settings
from app.operations import backup as backup_database
from app.operations import restore as restore_database
from app.operations import rotate_bsn_keys
from app.organizations.models import Organization, OrganizationKind
from app.poortwachter.snapshot import RULES_VERSION

log = logging.getLogger("spoorwijzer")


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def migrate(url: str) -> None:
    """Bring the database to the newest schema (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def runner() -> Any:
        engine = make_engine(database_url(settings), settings)
        sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
        try:
            async with sessionmaker() as session:
                result = await work(session)
                await commit(session, [lambda s: refresh_changed(s, today(), settings.report_grace_days)])
                return result
        finally:
            await engine.dispose()

    return asyncio.run(runner())


async def _refresh_in_batches(session: AsyncSession, grace: int, *, everything: bool) -> dict[str, int]:
    """refresh-compliance: one transaction per batch of cases, each committed before the next begins."""

    async def commit_batch() -> None:
        await commit(session, [])

    return await refresh_stale(session, today(), grace, everything=everything, after_batch=commit_batch)


def _with_sessionmaker(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[Any]]) -> Any:
    """For work that commits in batches of its own (retention, key rotation)."""

    async def runner() -> Any:
        engine = make_engine(database_url(settings), settings)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(runner())


async def _retention(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, as_of: date | None, dry_run: bool
) -> dict[str, Any]:
    from app.retention.job import run_retention

    result = await run_retention(sessionmaker, settings, as_of or today(), dry_run=dry_run)
    return result.as_json()


async def create_organization(
    session: AsyncSession, kind: OrganizationKind, name: str, kvk: str | None
) -> Organization:
    if kvk is not None:
        existing = await session.scalar(select(Organization).where(Organization.kvk == kvk))
        if existing is not None:
            raise SystemExit(
                f"KvK {kvk} is already organization {existing.id} ({existing.kind.value}, {existing.name})"
            )
    org = Organization(id=uuid.uuid4(), kind=kind, name=name, kvk=kvk)
    session.add(org)
    await session.flush()
    await session.refresh(org)
    return org


async def create_key(session: AsyncSession, org_id: uuid.UUID, name: str) -> tuple[ApiKey, str]:
    if await session.get(Organization, org_id) is None:
        raise SystemExit(f"no organization {org_id}")
    secret = new_secret()
    key = ApiKey(id=uuid.uuid4(), organization_id=org_id, name=name, prefix=secret[:8], key_hash=hash_secret(secret))
    session.add(key)
    await session.flush()
    await session.refresh(key)
    return key, secret


def _org_json(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "kind": org.kind.value,
        "name": org.name,
        "kvk": org.kvk,
        "created_at": org.created_at,
    }


def _key_json(key: ApiKey, secret: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": key.id,
        "organization_id": key.organization_id,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }
    if secret is not None:
        data["key"] = secret
    return data


async def _demo(session: AsyncSession) -> dict[str, Any]:
    from app.demo import load_demo

    result: dict[str, Any] = await load_demo(session, create_organization, create_key)
    return result


def refresh_in_batches(settings: Settings, batch: int = 1000) -> dict[str, int]:
    """Rebuild missing or outdated compliance snapshots, committing each batch of cases on its own."""
    grace = settings.report_grace_days
    batches = _with_session(
        settings,
        lambda s: cases_needing_snapshot(s, today(), grace, RULES_VERSION, everything=False, batch=batch),
    )
    written = 0
    for ids in batches:

        async def one_batch(session: AsyncSession, ids: list[uuid.UUID] = ids) -> int:
            return await refresh(session, ids, today=today(), report_grace_days=grace)

        written += _with_session(settings, one_batch)
    return {"refreshed": written}


def run(settings: Settings) -> None:
    """Start the API: the embedded PostgreSQL when no DATABASE_URL is set, migrations, then uvicorn."""
    import uvicorn

    # The service's JSON log format from the start: the migrations and the snapshot rebuild log before uvicorn runs.
    logging.config.dictConfig(logging_config(settings.log_level))
    url = database_url(settings)
    migrate(url)
    # A rules change (a new RULES_VERSION) leaves the stored snapshots stale; the portfolio stays exact without
    # them (it evaluates such cases directly), and they are rebuilt here, one committed batch at a time.
    log.info("compliance snapshots rebuilt", extra=refresh_in_batches(settings))
    # Workers are separate processes: hand them the resolved URL instead of starting PostgreSQL again.
    os.environ["DATABASE_URL"] = url
    if settings.demo_data:
        _print(_with_session(settings, _demo))
    metrics_dir = None
    if settings.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers count into files in a fresh folder, which /metrics adds up (app/core/metrics.py).
        metrics_dir = tempfile.mkdtemp(prefix="spoorwijzer-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    base = f"http://{settings.host}:{settings.port}"
    print(
        f"Spoorwijzer on {base} (API docs: {base}/docs)\n"
        "First API key: spoorwijzer org create --kind reintegratiebureau --name 'My bureau', then\n"
        "               spoorwijzer key create --org <id> --name 'back office'   (or `make demo`)",
        flush=True,
    )
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again; with Python's default action the
    # process would die right there, skipping the clean-up below and at exit, and the embedded PostgreSQL would
    # keep running. As an exception instead, the clean-up runs.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "app.asgi:app",
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            proxy_headers=False,
            timeout_graceful_shutdown=20,
            log_config=logging_config(settings.log_level),
            access_log=False,  # the RequestId middleware logs each request, with its route template
        )
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        if not settings.database_url:
            stop_embedded_postgres(settings.data_dir)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="spoorwijzer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve the API (embedded PostgreSQL when DATABASE_URL is unset)")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("demo", help="create demo organizations, keys and cases; prints the keys")

    org = commands.add_parser("org", help="organizations").add_subparsers(dest="action", required=True)
    org_create = org.add_parser("create", help="create an organization")
    org_create.add_argument("--kind", required=True, choices=[k.value for k in OrganizationKind])
    org_create.add_argument("--name", required=True)
    org_create.add_argument("--kvk")
    org.add_parser("list", help="list organizations")

    key = commands.add_parser("key", help="API keys").add_subparsers(dest="action", required=True)
    key_create = key.add_parser("create", help="create an API key; its secret is printed once")
    key_create.add_argument("--org", required=True, type=uuid.UUID)
    key_create.add_argument("--name", required=True)
    key_revoke = key.add_parser("revoke", help="revoke an API key")
    key_revoke.add_argument("--id", required=True, type=uuid.UUID)
    key.add_parser("list", help="list API keys (never their secrets)")
    importing = commands.add_parser(
        "import", help="import case bundles (JSON Lines, as POST /v1/imports takes them) for a bureau, with progress"
    )
    importing.add_argument("file", help="the JSON Lines file, one case bundle per line")
    importing.add_argument("--org", required=True, type=uuid.UUID, help="the bureau the cases belong to")
    importing.add_argument("--no-progress", action="store_true", help="no progress bar (it goes to stderr)")
    refresh = commands.add_parser(
        "refresh-compliance", help="recompute stored compliance snapshots (after bulk imports or a rules change)"
    )
    refresh.add_argument("--all", action="store_true", help="every case, not only those without a current one")
    retention = commands.add_parser("retention", help="AVG retention").add_subparsers(dest="action", required=True)
    retention_run = retention.add_parser(
        "run", help="anonymise closed cases past SPOORWIJZER_RETENTION_DAYS, delete log rows past their term"
    )
    retention_run.add_argument("--dry-run", action="store_true", help="print what it would do, change nothing")
    retention_run.add_argument("--as-of", type=date.fromisoformat, help="the reference date (default today)")
    rotate = commands.add_parser(
        "rotate-bsn-key", help="re-encrypt every BSN with the first key of SPOORWIJZER_BSN_KEYS (resumable)"
    )
    rotate.add_argument("--batch-size", type=int, default=500)
    backup = commands.add_parser("backup", help="pg_dump the database to FILE (the embedded server's pg_dump)")
    backup.add_argument("file", type=Path)
    restore = commands.add_parser("restore", help="restore FILE (made by `backup`) over the database")
    restore.add_argument("file", type=Path)

    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "run":
        run(settings)
    elif args.command == "migrate":
        migrate(database_url(settings))
        # After a rules change the stored snapshots are stale: rebuilt here too (the image migrates, then serves).
        _print({"migrated": True, "compliance_snapshots": refresh_in_batches(settings)})
    elif args.command == "demo":
        migrate(database_url(settings))
        _print(_with_session(settings, _demo))
    elif args.command == "import":
        with open(args.file, "rb") as file:
            body = file.read()
        _print(asyncio.run(import_file(settings, args.org, body, progress=not args.no_progress)))
    elif args.command == "refresh-compliance":
        grace = settings.report_grace_days
        _print(_with_session(settings, lambda s: _refresh_in_batches(s, grace, everything=args.all)))
    elif args.command == "retention":
        _print(_with_sessionmaker(settings, lambda sm: _retention(sm, settings, args.as_of, args.dry_run)))
    elif args.command == "rotate-bsn-key":
        _print(_with_sessionmaker(settings, lambda sm: rotate_bsn_keys(sm, args.batch_size)))
    elif args.command == "backup":
        _print(backup_database(database_url(settings), args.file))
    elif args.command == "restore":
        _print(restore_database(database_url(settings), args.file))
    elif args.command == "org" and args.action == "create":
        if args.kvk is not None and not (len(args.kvk) == 8 and args.kvk.isdigit()):
            parser.error("--kvk must be 8 digits")
        kind = OrganizationKind(args.kind)
        _print(_with_session(settings, lambda s: _created_org(s, kind, args.name, args.kvk)))
    elif args.command == "org" and args.action == "list":
        _print(_with_session(settings, _list_orgs))
    elif args.command == "key" and args.action == "create":
        _print(_with_session(settings, lambda s: _created_key(s, args.org, args.name)))
    elif args.command == "key" and args.action == "revoke":
        _print(_with_session(settings, lambda s: _revoke_key(s, args.id)))
    elif args.command == "key" and args.action == "list":
        _print(_with_session(settings, _list_keys))


async def _created_org(session: AsyncSession, kind: OrganizationKind, name: str, kvk: str | None) -> dict[str, Any]:
    return _org_json(await create_organization(session, kind, name, kvk))


async def _created_key(session: AsyncSession, org_id: uuid.UUID, name: str) -> dict[str, Any]:
    key, secret = await create_key(session, org_id, name)
    return _key_json(key, secret)


async def _list_orgs(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Organization).order_by(Organization.created_at))
    return [_org_json(o) for o in rows]


async def _list_keys(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(select(ApiKey).order_by(ApiKey.created_at))
    return [_key_json(k) for k in rows]


async def _revoke_key(session: AsyncSession, key_id: uuid.UUID) -> dict[str, Any]:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise SystemExit(f"no API key {key_id}")
    if key.revoked_at is None:
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=datetime.now(UTC)))
        await session.refresh(key)
    return _key_json(key)


async def import_file(settings: Settings, bureau_id: uuid.UUID, body: bytes, *, progress: bool) -> dict[str, Any]:
    """`spoorwijzer import`: the API's code path (app/imports) run in this process, the bar fed by its counters.
    A running service's import workers may take some of the lines too; the bar counts them all the same."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.auth.principal import Principal
    from app.core.errors import ProblemError
    from app.imports import service as imports
    from app.imports.models import Import
    from app.imports.worker import run_batch

    engine = make_engine(database_url(settings), settings)
    sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            bureau = await session.get(Organization, bureau_id)
            if bureau is None or bureau.kind is not OrganizationKind.reintegratiebureau:
                raise SystemExit(f"no reintegratiebureau {bureau_id}")
            # key_id None: the operator, not an API key, made these (the audit rows say so).
            principal = Principal(bureau.id, bureau.kind, None)
            try:
                job = await imports.create(session, principal, body)
            except ProblemError as exc:
                raise SystemExit(exc.detail) from None
            await commit(session, [])
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), disable=not progress) as bar:
            task = bar.add_task(f"import {job.id}", total=job.total, completed=job.done)
            while True:
                more = await run_batch(sessionmaker, today, settings.report_grace_days)
                async with sessionmaker() as session:
                    current = await session.get(Import, job.id)
                    assert current is not None
                    job = imports.to_read(current)
                bar.update(task, completed=job.done)
                if job.status == "done":
                    break
                if not more:
                    await asyncio.sleep(0.5)  # the rest is held by another process's workers
        return job.model_dump(mode="json")
    finally:
        await engine.dispose()


def entry() -> None:
    """The `spoorwijzer` command: Ctrl-C ends it quietly (the clean-up has run by then)."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    entry()
