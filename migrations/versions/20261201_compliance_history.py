"""compliance history

The stored compliance items get a validity range (valid_from <= as_of < valid_to) so that a case's history, one
version per fact date, answers a past as_of in SQL like today's (app/poortwachter/snapshot.py::history); each
snapshot keeps where its versions start and a digest of their facts (a new fact recomputes only the versions it
changes). compliance_counts holds per bureau the status changes of every item by date, so the portfolio's counts
on any date are one range sum. The coverage index counts which of a bureau's cases the history answers for.

Stored snapshots have no history: they are removed here (both ways), and until `spoorwijzer refresh-compliance`
has run the portfolio evaluates cases directly (up to a bound, then 503: docs/performance.md).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM compliance_snapshots")  # the items go with them (ON DELETE CASCADE)
    op.add_column("compliance_items", sa.Column("valid_from", sa.Date(), nullable=False))
    op.add_column("compliance_items", sa.Column("valid_to", sa.Date(), nullable=False))
    op.add_column("compliance_items", sa.Column("recovered_on", sa.Date(), nullable=True))
    op.add_column("compliance_items", sa.Column("lapses_on", sa.Date(), nullable=True))
    op.add_column("compliance_items", sa.Column("pay_ends_on", sa.Date(), nullable=True))
    op.add_column("compliance_items", sa.Column("closed_on", sa.Date(), nullable=True))
    op.create_index(
        "ix_compliance_items_bureau_due_pending",
        "compliance_items",
        ["bureau_id", "due_on"],
        unique=False,
        postgresql_where=sa.text("final_status IS NULL"),
    )
    op.add_column("compliance_snapshots", sa.Column("version_starts", postgresql.ARRAY(sa.Date()), nullable=False))
    op.add_column(
        "compliance_snapshots", sa.Column("version_digests", postgresql.ARRAY(sa.String(length=32)), nullable=False)
    )
    op.drop_index("ix_compliance_items_case_id", table_name="compliance_items")
    op.create_index(
        "ix_compliance_items_case_valid", "compliance_items", ["bureau_id", "case_id", "valid_to"], unique=False
    )
    op.drop_index("ix_compliance_snapshots_bureau_id", table_name="compliance_snapshots")
    op.create_index(
        "ix_compliance_snapshots_coverage",
        "compliance_snapshots",
        ["bureau_id", "rules_version", "report_grace_days", "valid_until"],
        unique=False,
    )
    op.create_table(
        "compliance_counts",
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("report_grace_days", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_compliance_counts_bureau_id_organizations")
        ),
        sa.PrimaryKeyConstraint(
            "bureau_id",
            "rules_version",
            "report_grace_days",
            "on_date",
            "code",
            "status",
            name=op.f("pk_compliance_counts"),
        ),
    )
    op.create_index(
        "ix_compliance_counts_sum",
        "compliance_counts",
        ["bureau_id", "rules_version", "report_grace_days", "on_date"],
        unique=False,
        postgresql_include=["code", "status", "n"],
    )


def downgrade() -> None:
    op.drop_table("compliance_counts")
    op.execute("DELETE FROM compliance_snapshots")
    op.drop_index("ix_compliance_snapshots_coverage", table_name="compliance_snapshots")
    op.create_index("ix_compliance_snapshots_bureau_id", "compliance_snapshots", ["bureau_id"], unique=False)
    op.drop_index("ix_compliance_items_case_valid", table_name="compliance_items")
    op.create_index("ix_compliance_items_case_id", "compliance_items", ["case_id"], unique=False)
    op.drop_column("compliance_snapshots", "version_digests")
    op.drop_column("compliance_snapshots", "version_starts")
    op.drop_index(
        "ix_compliance_items_bureau_due_pending",
        table_name="compliance_items",
        postgresql_where=sa.text("final_status IS NULL"),
    )
    op.drop_column("compliance_items", "closed_on")
    op.drop_column("compliance_items", "pay_ends_on")
    op.drop_column("compliance_items", "lapses_on")
    op.drop_column("compliance_items", "recovered_on")
    op.drop_column("compliance_items", "valid_to")
    op.drop_column("compliance_items", "valid_from")
