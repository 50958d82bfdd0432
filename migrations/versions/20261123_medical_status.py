"""medical status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:04:00.434491+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "medical_status_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("functional_capacities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("available_hours_per_week", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column("prognosis", sa.String(length=40), nullable=False),
        sa.Column("expected_return_on", sa.Date(), nullable=True),
        sa.Column("adjustment_advice", sa.String(length=2000), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessment_kind", sa.String(length=20), nullable=True),
        sa.Column("bedrijfsarts_name", sa.String(length=200), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=True),
        sa.Column("pushed_by_organization_id", sa.Uuid(), nullable=False),
        sa.Column("pushed_by_key_id", sa.Uuid(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.CheckConstraint(
            "assessment_kind IS NULL OR assessment_kind IN ('probleemanalyse', 'bijstelling', 'actueel_oordeel')",
            name=op.f("ck_medical_status_versions_assessment_kind"),
        ),
        sa.CheckConstraint(
            "expected_return_on IS NULL OR (prognosis IN ('volledige_terugkeer', 'gedeeltelijke_terugkeer') "
            "AND expected_return_on >= assessed_on)",
            name=op.f("ck_medical_status_versions_expected_return"),
        ),
        sa.CheckConstraint(
            "jsonb_typeof(functional_capacities) = 'object'", name=op.f("ck_medical_status_versions_capacities_object")
        ),
        sa.CheckConstraint(
            "prognosis IN ('volledige_terugkeer', 'gedeeltelijke_terugkeer', 'geen_benutbare_mogelijkheden', "
            "'onbekend')",
            name=op.f("ck_medical_status_versions_prognosis"),
        ),
        sa.CheckConstraint(
            "available_hours_per_week IS NULL OR available_hours_per_week BETWEEN 0 AND 60",
            name=op.f("ck_medical_status_versions_hours_range"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_medical_status_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_medical_status_versions_bureau_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_medical_status_versions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestones.id"], name=op.f("fk_medical_status_versions_milestone_id_milestones")
        ),
        sa.ForeignKeyConstraint(
            ["pushed_by_key_id"], ["api_keys.id"], name=op.f("fk_medical_status_versions_pushed_by_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["pushed_by_organization_id"],
            ["organizations.id"],
            name=op.f("fk_medical_status_versions_pushed_by_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_status_versions")),
        # Also the index of the current-version lookup and of the history.
        sa.UniqueConstraint("bureau_id", "case_id", "version", name="uq_medical_status_versions_case_version"),
    )


def downgrade() -> None:
    op.drop_table("medical_status_versions")
