"""Forgetting the person behind a case while keeping the bureau's accountability.

Default-deny: in every table that belongs to a case (a `case_id` and a `bureau_id` column) every text column is
blanked unless its name is a code or reference in KEPT_COLUMNS, and every JSON value is walked and each string is
blanked unless its key is a code (KEPT_KEYS) or the string is an id or a date. So a free-text column another
change adds later is forgotten too, without anyone remembering to list it here. Dates, numbers, flags, statuses,
outcomes and ids stay: portfolio statistics and the audit trail (who did what when) survive.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Text columns that hold codes, statuses or references, never a person's data.
KEPT_COLUMNS = frozenset(
    {
        "external_ref",  # the bureau's own case number: the pseudonymous key its own systems use
        "status",
        "close_reason",
        "type",
        "obligation",
        "period",
        "channel",
        "prognosis",
        "assessment_kind",
        "action",
        "entity_type",
        "what",
        "path",
        "code",
        "final_status",
        "evidence_id",
        "waiting_for",
        "track_id",
        "kind",
        "uitkering",
        "agreement",
        "source",
        "level",
        "werk",  # gedeeltelijke_hervatting: eigen or ander werk, a code
        "party",
        "event_type",
        "occurrence",  # which occurrence of an obligation a deadline transition is (part of a unique key)
        "acting_user",  # who read or changed (the bureau's user, not the employee): the access log keeps it
        "supplied_by",  # document references: a party code
        "media_type",
        "sha256",  # the checksum of a file the party keeps (its format is checked: a blank would not fit)
    }
)
# JSON keys whose string values are codes (enums) and stay.
KEPT_KEYS = KEPT_COLUMNS | {"spoor", "legal_basis", "title", "parties"}
# JSON keys whose values are personal whatever they look like (a date of birth looks like any date).
PERSONAL_KEYS = frozenset({"date_of_birth", "bsn", "bsn_masked", "employee_bsn_masked"})
# Columns set to NULL rather than blanked: a blank would break their format check, or they are the person.
NULLED_COLUMNS = {
    "cases": ("employee_date_of_birth", "employee_bsn_encrypted", "employee_bsn_masked", "employer_case_manager"),
    "candidate_proposals": ("employer_kvk",),
}
_ID_OR_DATE = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9]{4}-[0-9]{2}(-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?)?)$"
)


def blank(value: Any, key: str | None = None) -> Any:
    """`value` with every personal string emptied (see the module docstring)."""
    if isinstance(value, dict):
        # A document reference's title is free text beside its codes (app/documents): forgotten like any free text.
        free = ("title",) if "sha256" in value and "kind" in value else ()
        return {k: "" if k in free and isinstance(v, str) else blank(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [blank(v, key) for v in value]
    if isinstance(value, str):
        if key in PERSONAL_KEYS:
            return ""
        if key in KEPT_KEYS or _ID_OR_DATE.match(value):
            return value
        return ""
    if key in PERSONAL_KEYS:
        return None
    return value


async def case_tables(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Every table that belongs to a case, with its text and JSON columns (name -> data type)."""
    rows = await session.execute(
        text(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            WHERE c.table_schema = current_schema()
              AND c.table_name IN (
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND column_name = 'case_id'
                INTERSECT
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND column_name = 'bureau_id')
              AND c.data_type IN ('text', 'character varying', 'jsonb', 'json')
            ORDER BY c.table_name, c.ordinal_position
            """
        )
    )
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return tables


async def _blank_table(
    session: AsyncSession, table: str, columns: dict[str, str], key: str, bureau_id: uuid.UUID, case_id: uuid.UUID
) -> int:
    nulled = NULLED_COLUMNS.get(table, ())
    texts = [c for c, t in columns.items() if t in ("text", "character varying") and c not in KEPT_COLUMNS]
    jsons = [c for c, t in columns.items() if t in ("jsonb", "json")]
    where = f"bureau_id = :bureau_id AND {key} = :case_id"
    params = {"bureau_id": bureau_id, "case_id": case_id}
    count = 0
    sets = [f"{c} = NULL" for c in nulled] + [
        f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE '' END" for c in texts if c not in nulled
    ]
    if sets:
        result = await session.execute(text(f"UPDATE {table} SET {', '.join(sets)} WHERE {where}"), params)
        count = result.rowcount  # type: ignore[attr-defined]
    if jsons:
        selected = ", ".join(f"{c}::text AS {c}" for c in jsons)
        result = await session.execute(
            text(f"SELECT ctid::text AS row_id, {selected} FROM {table} WHERE {where} FOR UPDATE"), params
        )
        rows = result.mappings().all()
        for row in rows:
            values = {c: _blank_json(row[c]) for c in jsons}
            assignments = ", ".join(f"{c} = CAST(:{c} AS {columns[c]})" for c in jsons)
            await session.execute(
                text(f"UPDATE {table} SET {assignments} WHERE ctid = CAST(CAST(:row_id AS text) AS tid)"),
                {**values, "row_id": row["row_id"]},
            )
        count = max(count, len(rows))
    return count


def _blank_json(raw: str | None) -> str | None:
    if raw is None:
        return None
    return orjson.dumps(blank(orjson.loads(raw))).decode()


async def anonymise_case(session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID) -> dict[str, int]:
    """Remove the employee's personal data from the case and everything that belongs to it, in the session's
    transaction. The caller holds the case's row lock. Answers the number of rows touched per table."""
    touched: dict[str, int] = {}
    await session.execute(
        text(
            "UPDATE cases SET anonymised_at = COALESCE(anonymised_at, clock_timestamp()), "
            "version = version + 1, updated_at = clock_timestamp() WHERE bureau_id = :bureau_id AND id = :case_id"
        ),
        {"bureau_id": bureau_id, "case_id": case_id},
    )
    # The catalogue is read once per transaction (a retention batch anonymises many cases in one).
    catalogue: dict[str, dict[str, str]] | None = session.info.get("anonymise_catalogue")
    if catalogue is None:
        cases_columns = await session.execute(
            text(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'cases' AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
            )
        )
        catalogue = {"cases": {str(name): str(kind) for name, kind in cases_columns.all()}}
        catalogue.update(await case_tables(session))
        session.info["anonymise_catalogue"] = catalogue
    for table, columns in catalogue.items():
        key = "id" if table == "cases" else "case_id"
        touched[table] = await _blank_table(session, table, columns, key, bureau_id, case_id)
    # The stored first answers of idempotent creates of this case repeat its data (app/core/idempotency.py).
    stored = await session.execute(
        text(
            "SELECT organization_id, key, response_body::text AS body FROM idempotency_keys "
            "WHERE strpos(response_body::text, :case_id) > 0"
        ),
        {"case_id": str(case_id)},
    )
    replays = stored.mappings().all()
    for row in replays:
        await session.execute(
            text(
                "UPDATE idempotency_keys SET response_body = CAST(:body AS jsonb) "
                "WHERE organization_id = :organization_id AND key = :key"
            ),
            {"body": _blank_json(row["body"]), "organization_id": row["organization_id"], "key": row["key"]},
        )
    touched["idempotency_keys"] = len(replays)
    return touched
