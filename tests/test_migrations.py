"""Migrations: upgrade, downgrade to base and upgrade again on an empty database; no drift from the models."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.core.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE, fresh_database

T = TypeVar("T")


def _config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    return config


def test_upgrade_downgrade_upgrade_and_no_drift() -> None:
    config = _config(fresh_database(f"{TEST_DATABASE}_migrations"))
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)  # raises when the models and the migrations disagree


# Columns, constraints and indexes as PostgreSQL prints them back (not alembic_version: a downgrade to base empties it
# and leaves it).
_SCHEMA = """
WITH tables AS (
    SELECT oid FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'alembic_version'
)
SELECT format('%s.%s %s not null=%s default=%s identity=%s', a.attrelid::regclass, a.attname,
              format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity)
FROM pg_attribute a JOIN tables t ON t.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT format('%s %s %s', conrelid::regclass, conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c JOIN tables t ON t.oid = c.conrelid
UNION ALL
SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN tables t ON t.oid = i.indrelid
"""


def _on(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `work` on a connection of its own to the database."""

    async def run() -> T:
        conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def _schema(url: str) -> set[str]:
    async def read(conn: asyncpg.Connection) -> set[str]:
        return {row[0] for row in await conn.fetch(_SCHEMA)}

    return _on(url, read)


def test_each_downgrade_restores_the_schema_before_its_upgrade() -> None:
    url = fresh_database(f"{TEST_DATABASE}_migrations_steps")
    config = _config(url)
    revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    before: dict[str, set[str]] = {}
    for revision in revisions:
        before[revision] = _schema(url)
        command.upgrade(config, revision)
    for revision in reversed(revisions):
        command.downgrade(config, "-1")
        assert _schema(url) == before[revision], revision


# Migration 0007: rows without a case, as the code before it wrote them (bureau_id null), get the acting bureau.
_BUREAU, _EMPLOYER, _CASE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
_AT_0006 = f"""
INSERT INTO organizations (id, kind, name) VALUES ('{_BUREAU}', 'reintegratiebureau', 'Bureau Een'),
                                                  ('{_EMPLOYER}', 'werkgever', 'Bakkerij De Vries');
INSERT INTO events (type, entity_type, entity_id, case_id, organization_id, bureau_id, employer_id)
VALUES ('organization.created', 'organization', '{_EMPLOYER}', NULL, '{_BUREAU}', NULL, NULL),
       ('case.created', 'case', '{_CASE}', '{_CASE}', NULL, '{_BUREAU}', '{_EMPLOYER}');
INSERT INTO audit_log (bureau_id, case_id, actor_organization_id, actor_key_id, action, entity_type, entity_id)
VALUES (NULL, NULL, '{_BUREAU}', gen_random_uuid(), 'created', 'organization', '{_EMPLOYER}'),
       ('{_BUREAU}', '{_CASE}', '{_BUREAU}', gen_random_uuid(), 'created', 'case', '{_CASE}');
"""
_TENANTS = """
SELECT 'events' AS "table", entity_type, bureau_id FROM events
UNION ALL SELECT 'audit_log', entity_type, bureau_id FROM audit_log ORDER BY 1, 2, 3
"""
_KEYS = """
SELECT c.relname AS "table", a.attnotnull AS not_null, pg_get_constraintdef(k.oid) AS primary_key
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'bureau_id'
JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
WHERE c.relname IN ('audit_log', 'events') ORDER BY 1
"""


def _fetch(url: str, query: str) -> list[dict[str, Any]]:
    async def fetch(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        return [dict(row) for row in await conn.fetch(query)]

    return _on(url, fetch)


def _execute(url: str, statements: str) -> None:
    async def execute(conn: asyncpg.Connection) -> None:
        await conn.execute(statements)

    _on(url, execute)


def _tenants(url: str) -> list[tuple[str, str, uuid.UUID | None]]:
    return [(row["table"], row["entity_type"], row["bureau_id"]) for row in _fetch(url, _TENANTS)]


def test_0007_gives_rows_without_a_case_the_acting_bureau() -> None:
    url = fresh_database(f"{TEST_DATABASE}_migrations_0007")
    config = _config(url)
    command.upgrade(config, "0006")
    _execute(url, _AT_0006)

    command.upgrade(config, "0007")
    assert _tenants(url) == [
        ("audit_log", "case", _BUREAU),
        ("audit_log", "organization", _BUREAU),
        ("events", "case", _BUREAU),
        ("events", "organization", _BUREAU),
    ]
    assert _fetch(url, _KEYS) == [
        {"table": table, "not_null": True, "primary_key": "PRIMARY KEY (id, bureau_id)"}
        for table in ("audit_log", "events")
    ]

    # The downgrade takes the tenant off the rows without a case again (the rows of cases keep theirs).
    command.downgrade(config, "0006")
    at_0006 = [
        ("audit_log", "case", _BUREAU),
        ("audit_log", "organization", None),
        ("events", "case", _BUREAU),
        ("events", "organization", None),
    ]
    assert _tenants(url) == at_0006
    assert _fetch(url, _KEYS) == [
        {"table": table, "not_null": False, "primary_key": "PRIMARY KEY (id)"} for table in ("audit_log", "events")
    ]

    # A row whose tenant cannot be known stops the upgrade, which then leaves everything as it was: an audit row
    # without an actor, an event without a case addressed to a non-bureau. Neither gets a made-up bureau.
    _execute(url, f"INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('x', 'organization', '{_EMPLOYER}')")
    with pytest.raises(
        DBAPIError,
        match=r"audit_log: 1 row\(s\) without bureau_id that cannot be derived \(a row without a case takes the "
        r"bureau in actor_organization_id\); first ids: {\d+}",
    ):
        command.upgrade(config, "0007")
    _execute(
        url,
        f"""DELETE FROM audit_log WHERE actor_organization_id IS NULL;
            INSERT INTO events (type, entity_type, entity_id, organization_id)
            VALUES ('organization.x', 'organization', '{_BUREAU}', '{_EMPLOYER}')""",
    )
    with pytest.raises(DBAPIError, match=r"events: 1 row\(s\) without bureau_id that cannot be derived"):
        command.upgrade(config, "0007")
    assert _fetch(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0006"}]
    assert _tenants(url) == [*at_0006, ("events", "organization", None)]


# Migration 0008 (rules v2): v1 afwijkingen stay readable and are counted; v1 WIA decisions get their uitkering.
_AT_0007 = f"""
INSERT INTO organizations (id, kind, name) VALUES ('{_BUREAU}', 'reintegratiebureau', 'Bureau Een'),
                                                  ('{_EMPLOYER}', 'werkgever', 'Bakkerij De Vries');
INSERT INTO cases (id, bureau_id, employer_id, employee_name, employee_date_of_birth, absence_periods, leave_periods,
                   first_sick_day, employer_is_wga_eigenrisicodrager, status, version)
VALUES ('{_CASE}', '{_BUREAU}', '{_EMPLOYER}', 'J. de Vries', '1980-05-17',
        '[{{"first_day": "2025-01-06", "last_day": null}}]', '[]', '2025-01-06', false, 'open', 1);
INSERT INTO milestones (id, case_id, bureau_id, type, occurred_on, obligation, reason, percentage,
                        recorded_by_organization_id)
VALUES (gen_random_uuid(), '{_CASE}', '{_BUREAU}', 'afwijking', '2026-01-10', 'start_spoor_2', 'terugkeer', NULL,
        '{_BUREAU}'),
       (gen_random_uuid(), '{_CASE}', '{_BUREAU}', 'afwijking', '2025-03-01', 'casemanager', 'klein', NULL,
        '{_BUREAU}'),
       (gen_random_uuid(), '{_CASE}', '{_BUREAU}', 'wia_beslissing', '2026-12-01', NULL, NULL, 30, '{_BUREAU}'),
       (gen_random_uuid(), '{_CASE}', '{_BUREAU}', 'wia_beslissing', '2026-12-02', NULL, NULL, 60, '{_BUREAU}'),
       (gen_random_uuid(), '{_CASE}', '{_BUREAU}', 'wia_beslissing', '2026-12-03', NULL, NULL, 90, '{_BUREAU}');
"""


def test_0008_counts_v1_afwijkingen_and_derives_the_uitkering(caplog: pytest.LogCaptureFixture) -> None:
    url = fresh_database(f"{TEST_DATABASE}_migrations_0008")
    config = _config(url)
    command.upgrade(config, "0007")
    _execute(url, _AT_0007)
    with caplog.at_level(logging.WARNING, logger="spoorwijzer.migrations"):
        command.upgrade(config, "0008")
    message = caplog.text
    assert "2 afwijking milestone(s) without new_due_on" in message
    assert "1 wia_beslissing milestone(s) of 80% or more" in message
    rows = _fetch(
        url, "SELECT type, percentage, uitkering, new_due_on, obligation FROM milestones ORDER BY occurred_on"
    )
    assert [(r["percentage"], r["uitkering"]) for r in rows if r["type"] == "wia_beslissing"] == [
        (30, "geen"),
        (60, "wga"),
        (90, None),
    ]
    assert {r["obligation"] for r in rows if r["type"] == "afwijking" and r["new_due_on"] is None} == {
        "start_spoor_2",
        "casemanager",
    }
