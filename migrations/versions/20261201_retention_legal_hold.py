"""retention legal hold

AVG retention and erasure (issue 16): a case gets a legal hold (a flag, its reason and when it was set), the time
it was anonymised, and its date of birth may be blanked (nullable); a table of the daily retention runs. Additive only (expand): a build of revision
0008 keeps working on this schema, see app/core/health.py and docs/operations.md.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-01 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Which builds work on each schema (app/core/health.py): a row per expand-only revision, naming the earlier
    # revisions whose builds still serve on it. This one only adds, so a build at 0008 keeps serving.
    op.create_table(
        "schema_compatibility",
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("serves_revisions", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.PrimaryKeyConstraint("revision", name=op.f("pk_schema_compatibility")),
    )
    op.execute("INSERT INTO schema_compatibility (revision, serves_revisions) VALUES ('0013', ARRAY['0008'])")
    op.create_table(
        "retention_runs",
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("run_on", name=op.f("pk_retention_runs")),
    )
    op.add_column("cases", sa.Column("legal_hold", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("cases", sa.Column("legal_hold_reason", sa.String(length=2000), nullable=True))
    op.add_column("cases", sa.Column("legal_hold_set_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.alter_column("cases", "employee_date_of_birth", existing_type=sa.Date(), nullable=True)
    op.create_check_constraint(
        op.f("ck_cases_legal_hold_has_reason"), "cases", "NOT legal_hold OR legal_hold_reason IS NOT NULL"
    )
    # The retention run's candidates: closed, not yet anonymised.
    op.create_index(
        "ix_cases_retention",
        "cases",
        ["closed_on"],
        postgresql_where=sa.text("status = 'closed' AND anonymised_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("schema_compatibility")
    op.drop_table("retention_runs")
    op.drop_index(
        "ix_cases_retention",
        table_name="cases",
        postgresql_where=sa.text("status = 'closed' AND anonymised_at IS NULL"),
    )
    op.drop_constraint(op.f("ck_cases_legal_hold_has_reason"), "cases", type_="check")
    # An anonymised case has no date of birth any more; 1900-01-01 stands in so the column can be NOT NULL again.
    op.execute("UPDATE cases SET employee_date_of_birth = DATE '1900-01-01' WHERE employee_date_of_birth IS NULL")
    op.alter_column("cases", "employee_date_of_birth", existing_type=sa.Date(), nullable=False)
    op.drop_column("cases", "anonymised_at")
    op.drop_column("cases", "legal_hold_set_at")
    op.drop_column("cases", "legal_hold_reason")
    op.drop_column("cases", "legal_hold")
