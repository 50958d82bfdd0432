"""audit events tenant key

audit_log and events get the tenant key in their primary keys, as migration 0006 gave the other case-owned tables
(docs/scaling.md, section 2, "What the migrations need", step 3). Rows without a case (organization-level: today
only `organization.created`) had no bureau_id; they get the acting bureau, as app/audit/service.py::record_change
now writes them: events from organization_id, audit_log from actor_organization_id (both the registering bureau).
A row that still has none stops the upgrade: its tenant is not known, and a made-up one would be a wrong audit
record. Then bureau_id is NOT NULL and the primary keys are (id, bureau_id). The feed's rule changes with it
(app/audit/repository.py): the tenant of an event without a case is not one of its readers. The application only
inserts audit rows; this backfill and its downgrade are the only updates they get.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the column naming the acting bureau on a row without a case)
_TABLES = (("events", "organization_id"), ("audit_log", "actor_organization_id"))

# Only rows without a case, and only a bureau as tenant (what record_change writes now). Anything else is left for
# the check below.
_BACKFILL = """
UPDATE {table} t SET bureau_id = o.id
FROM organizations o
WHERE t.bureau_id IS NULL AND t.case_id IS NULL AND o.id = t.{column} AND o.kind = 'reintegratiebureau'
"""

# In SQL rather than Python, so that `alembic upgrade --sql` keeps the check.
_NO_ROW_WITHOUT_TENANT = """
DO $$
DECLARE
    missing bigint;
    ids text;
BEGIN
    SELECT count(*), (array_agg(id ORDER BY id))[1:10]::text INTO missing, ids FROM {table} WHERE bureau_id IS NULL;
    IF missing > 0 THEN
        RAISE EXCEPTION '{table}: % row(s) without bureau_id that cannot be derived (a row without a case takes '
                        'the bureau in {column}); first ids: %',
            missing, ids
            USING HINT = 'Migration 0007 cannot tell which bureau they belong to. Set their bureau_id by hand '
                         '(or delete them if they are not needed), then upgrade again.';
    END IF;
END
$$
"""


def upgrade() -> None:
    for table, column in _TABLES:
        op.execute(_BACKFILL.format(table=table, column=column))
        op.execute(_NO_ROW_WITHOUT_TENANT.format(table=table, column=column))
        op.alter_column(table, "bureau_id", existing_type=sa.Uuid(), nullable=False)
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id", "bureau_id"])


def downgrade() -> None:
    for table, _ in _TABLES:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id"])
        op.alter_column(table, "bureau_id", existing_type=sa.Uuid(), nullable=True)
        # Before 0007 a row without a case had no bureau_id (the acting bureau stays in the column it came from).
        op.execute(f"UPDATE {table} SET bureau_id = NULL WHERE case_id IS NULL")
