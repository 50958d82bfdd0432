"""Migrations: upgrade, downgrade to base and upgrade again on an empty database; no drift from the models."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from app.core.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE, fresh_database


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


def _schema(url: str) -> set[str]:
    async def read() -> set[str]:
        conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            return {row[0] for row in await conn.fetch(_SCHEMA)}
        finally:
            await conn.close()

    return asyncio.run(read())


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
