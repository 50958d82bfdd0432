"""compliance snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing cases get no snapshot here: the portfolio evaluates cases without a valid snapshot directly,
    # and `spoorwijzer refresh-compliance` fills them in.
    op.create_table(
        "compliance_snapshots",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("facts_through", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recovered_on", sa.Date(), nullable=True),
        sa.Column("lapses_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("report_grace_days", sa.Integer(), nullable=False),
        sa.Column(
            "computed_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_compliance_snapshots_bureau_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_compliance_snapshots_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_compliance_snapshots")),
    )
    op.create_index(op.f("ix_compliance_snapshots_bureau_id"), "compliance_snapshots", ["bureau_id"], unique=False)
    op.create_table(
        "compliance_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("parties", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("window_opens_on", sa.Date(), nullable=True),
        sa.Column("overdue_after", sa.Date(), nullable=False),
        sa.Column("listed_from", sa.Date(), nullable=True),
        sa.Column("final_status", sa.String(length=10), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("late_by_days", sa.Integer(), nullable=True),
        sa.Column("evidence_id", sa.String(length=36), nullable=True),
        sa.Column("waiting_for", sa.String(length=40), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("track_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compliance_snapshots.case_id"],
            name=op.f("fk_compliance_items_case_id_compliance_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_items")),
    )
    op.create_index("ix_compliance_items_bureau_due", "compliance_items", ["bureau_id", "due_on"], unique=False)
    op.create_index(op.f("ix_compliance_items_case_id"), "compliance_items", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_compliance_items_case_id"), table_name="compliance_items")
    op.drop_index("ix_compliance_items_bureau_due", table_name="compliance_items")
    op.drop_table("compliance_items")
    op.drop_index(op.f("ix_compliance_snapshots_bureau_id"), table_name="compliance_snapshots")
    op.drop_table("compliance_snapshots")
