"""The tenant key in every key (docs/scaling.md, section 2; migrations 0006 and 0007), read from the migrated database.

A case-owned table is one with both a `bureau_id` and a `case_id` column (and `cases` itself), found in the catalog,
so that a new table is held to the rule without being listed here. Its case_id may be nullable (audit rows and events
without a case); its bureau_id may not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import Base
from tests.conftest import World, case_body, create_case

_CASE_OWNED = """
SELECT c.relname AS name,
       (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'bureau_id') AS not_null
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'bureau_id' AND NOT a.attisdropped)
  AND (c.relname = 'cases' OR EXISTS (
      SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'case_id' AND NOT a.attisdropped))
"""

# Every unique index: those of primary keys and unique constraints, and plain (also partial) unique indexes.
# An expression's position has no column name: such an index never counts as holding bureau_id.
_UNIQUE_INDEXES = """
SELECT t.relname AS "table", x.relname AS name, i.indisprimary AS is_primary,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
WHERE t.relnamespace = 'public'::regnamespace AND i.indisunique
"""

_FOREIGN_KEYS = """
SELECT con.conname AS name, src.relname AS "table", dst.relname AS referred,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS referred_columns
FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
WHERE con.contype = 'f' AND src.relnamespace = 'public'::regnamespace
"""


async def _rows(connection: AsyncConnection, query: str) -> list[Any]:
    return list((await connection.execute(text(query))).mappings().all())


@dataclass
class Findings:
    tables: set[str]
    problems: list[str]


async def tenant_key_problems(connection: AsyncConnection) -> Findings:
    """The case-owned tables, and every key of theirs that lacks the tenant key."""
    owned = {r["name"]: r["not_null"] for r in await _rows(connection, _CASE_OWNED)}
    problems = [f"{table}: bureau_id is nullable" for table in sorted(owned) if not owned[table]]
    has_primary_key = set()
    for index in await _rows(connection, _UNIQUE_INDEXES):
        if index["table"] not in owned:
            continue
        if index["is_primary"]:
            has_primary_key.add(index["table"])
        if "bureau_id" not in index["columns"]:
            kind = "primary key" if index["is_primary"] else "unique index"
            problems.append(f"{index['table']}: {kind} {index['name']} {index['columns']} lacks bureau_id")
    problems += [f"{table}: no primary key" for table in sorted(set(owned) - has_primary_key)]
    for fk in await _rows(connection, _FOREIGN_KEYS):
        if fk["table"] not in owned or fk["referred"] not in owned:
            continue  # references to organizations or api_keys (reference tables) stay single-column
        if ("bureau_id", "bureau_id") not in zip(fk["columns"], fk["referred_columns"], strict=True):
            problems.append(
                f"{fk['table']}: foreign key {fk['name']} {fk['columns']} -> {fk['referred']} "
                f"{fk['referred_columns']} does not pair bureau_id with bureau_id"
            )
    return Findings(set(owned), sorted(problems))


async def test_every_key_of_a_case_owned_table_holds_the_tenant_key(connection: AsyncConnection) -> None:
    found = await tenant_key_problems(connection)
    # The catalog query finds the tables (not an empty list that checks nothing), those whose case_id is nullable
    # (rows without a case) included.
    assert {"cases", "milestones", "compliance_items", "audit_log", "events"} <= found.tables
    assert found.problems == []


async def test_the_check_catches_a_table_that_forgets_the_tenant_key(connection: AsyncConnection) -> None:
    # A future table done the old way (created in the test's transaction, rolled back with it). Its foreign key
    # cannot even name cases (id) any more: only (id, bureau_id) is unique there.
    await connection.execute(
        text("""
        CREATE TABLE forgetful_notes (
            id uuid PRIMARY KEY,
            case_id uuid NOT NULL,
            bureau_id uuid,
            track_id uuid NOT NULL,
            FOREIGN KEY (case_id, bureau_id) REFERENCES cases (id, bureau_id),
            FOREIGN KEY (track_id, case_id) REFERENCES tracks (id, bureau_id),
            UNIQUE (case_id, track_id)
        )""")
    )
    await connection.execute(
        text("CREATE UNIQUE INDEX forgetful_notes_one_open ON forgetful_notes (case_id) WHERE track_id IS NULL")
    )
    with pytest.raises(ProgrammingError, match="no unique constraint matching given keys"):
        async with connection.begin_nested():
            await connection.execute(
                text("ALTER TABLE forgetful_notes ADD FOREIGN KEY (case_id) REFERENCES cases (id)")
            )
    problems = (await tenant_key_problems(connection)).problems
    assert problems == [
        "forgetful_notes: bureau_id is nullable",
        "forgetful_notes: foreign key forgetful_notes_track_id_case_id_fkey ['track_id', 'case_id'] -> tracks "
        "['id', 'bureau_id'] does not pair bureau_id with bureau_id",
        "forgetful_notes: primary key forgetful_notes_pkey ['id'] lacks bureau_id",
        "forgetful_notes: unique index forgetful_notes_case_id_track_id_key ['case_id', 'track_id'] lacks bureau_id",
        "forgetful_notes: unique index forgetful_notes_one_open ['case_id'] lacks bureau_id",
    ]


async def test_the_models_have_the_primary_keys_of_the_database(connection: AsyncConnection) -> None:
    # `alembic check` (tests/test_migrations.py) does not compare primary keys; the ORM's identity depends on them.
    in_database = {r["table"]: r["columns"] for r in await _rows(connection, _UNIQUE_INDEXES) if r["is_primary"]}
    for table in Base.metadata.sorted_tables:
        assert [c.name for c in table.primary_key.columns] == in_database[table.name], table.name


# The database itself keeps every fact in its case's bureau.


async def _refused(connection: AsyncConnection, statement: str, **params: Any) -> str:
    """Run the statement in a savepoint; it must fail on a foreign key. Answers the constraint's name."""
    with pytest.raises(IntegrityError) as caught:
        async with connection.begin_nested():
            await connection.execute(text(statement), params)
    cause = caught.value.orig.__cause__ if caught.value.orig is not None else None
    assert isinstance(cause, asyncpg.ForeignKeyViolationError), caught.value
    return str(cause.constraint_name)


_MILESTONE = """
INSERT INTO milestones (id, case_id, bureau_id, type, occurred_on, recorded_by_organization_id)
VALUES (:id, :case_id, :bureau_id, 'probleemanalyse', '2025-02-10', :bureau_id)
"""
_TRACK = """
INSERT INTO tracks (id, case_id, bureau_id, spoor, started_on, version) VALUES (:id, :case_id, :bureau_id, 2, :on, 1)
"""
_REPORT = """
INSERT INTO progress_reports (id, track_id, case_id, bureau_id, period, status, plan_progress, activities,
                              bottlenecks, next_steps, version)
VALUES (:id, :track_id, :case_id, :bureau_id, '2025-09', 'draft', '[]', '[]', '[]', '[]', 1)
"""
_MEDICAL = """
INSERT INTO medical_status_versions (id, case_id, bureau_id, version, functional_capacities, prognosis, assessed_on,
                                     bedrijfsarts_name, milestone_id, pushed_by_organization_id, pushed_by_key_id)
VALUES (:id, :case_id, :bureau_id, 1, '{}', 'onbekend', '2025-02-10', 'Dr. Bakker', :milestone_id, :arbodienst,
        :key_id)
"""
_ITEM = """
INSERT INTO compliance_items (case_id, bureau_id, code, parties, due_on, overdue_after, valid_from, valid_to)
VALUES (:case_id, :bureau_id, 'probleemanalyse', '{werkgever}', '2025-02-10', '2025-02-17', '2025-01-01', 'infinity')
"""


async def test_the_database_refuses_a_fact_in_another_bureau_than_its_case(
    world: World, connection: AsyncConnection
) -> None:
    mine = uuid.UUID((await create_case(world))["id"])
    body = case_body(world, employer_id=world.other_employer.id, arbodienst_id=world.other_arbodienst.id)
    response = await world.other_bureau.post("/v1/cases", json=body)
    assert response.status_code == 201, response.text
    theirs = uuid.UUID(response.json()["id"])
    bureau, other = uuid.UUID(world.bureau.id), uuid.UUID(world.other_bureau.id)

    # A milestone of my case filed under the other bureau: refused; under mine: accepted.
    milestone = uuid.uuid4()
    wrong = {"id": milestone, "case_id": mine, "bureau_id": other}
    assert await _refused(connection, _MILESTONE, **wrong) == "fk_milestones_case_id_cases"
    await connection.execute(text(_MILESTONE), {**wrong, "bureau_id": bureau})
    # Moving it to the other bureau afterwards: refused too.
    moved = "UPDATE milestones SET bureau_id = :bureau_id WHERE id = :id"
    assert await _refused(connection, moved, id=milestone, bureau_id=other) == "fk_milestones_case_id_cases"

    # One level down: a report of the other bureau's case, on my case's track.
    track = uuid.uuid4()
    await connection.execute(text(_TRACK), {"id": track, "case_id": mine, "bureau_id": bureau, "on": date(2025, 9, 1)})
    report = {"id": uuid.uuid4(), "track_id": track, "case_id": theirs, "bureau_id": other}
    assert await _refused(connection, _REPORT, **report) == "fk_progress_reports_track_id_tracks"

    # The nullable reference: no milestone is fine, another bureau's milestone is not.
    medical = {
        "id": uuid.uuid4(),
        "case_id": theirs,
        "bureau_id": other,
        "milestone_id": milestone,
        "arbodienst": uuid.UUID(world.other_arbodienst.id),
        "key_id": uuid.UUID(world.other_arbodienst.key_id),
    }
    assert await _refused(connection, _MEDICAL, **medical) == "fk_medical_status_versions_milestone_id_milestones"
    await connection.execute(text(_MEDICAL), {**medical, "milestone_id": None})

    # Derived rows too: an item under another bureau than its snapshot's (written when the case was created).
    item = {"case_id": mine, "bureau_id": other}
    assert await _refused(connection, _ITEM, **item) == "fk_compliance_items_case_id_compliance_snapshots"
    await connection.execute(text(_ITEM), {**item, "bureau_id": bureau})
