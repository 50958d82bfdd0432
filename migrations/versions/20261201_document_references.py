"""document references

The references of the re-integratieverslag's documents (shared/domain/reintegratieverslag.md 3.2): kind, title,
dates, who supplied and signed it, whether the BSN is on it, media type, size and SHA-256, never the file. A
case-owned table under the tenant-key rules of migration 0006: primary key (id, bureau_id), composite foreign keys
to its case and milestone. Additive only (expand): builds of 0013 and 0008 keep serving on it.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-01 02:12:23.152047+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Expand only (a new table): builds of 0013 and 0008 keep serving on this schema (app/core/health.py).
    op.execute("INSERT INTO schema_compatibility (revision, serves_revisions) VALUES ('0010', ARRAY['0013', '0008'])")
    op.create_table(
        "document_references",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("supplied_by", sa.String(length=20), nullable=False),
        sa.Column("signed_by", sa.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("bsn_on_document", sa.Boolean(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_organization_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_key_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.CheckConstraint(
            "(kind = 'arbeidsdeskundig_rapport') = (milestone_id IS NULL)",
            name=op.f("ck_document_references_milestone_by_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('probleemanalyse', 'bijstellingsadvies', 'actueel_oordeel', 'plan_van_aanpak', 'bijstelling_plan_van_aanpak', 'eerstejaarsevaluatie', 'eindevaluatie', 'oordeel_werknemer', 'arbeidsdeskundig_rapport')",
            name=op.f("ck_document_references_kind"),
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_document_references_sha256_hex")),
        sa.CheckConstraint("size_bytes BETWEEN 1 AND 2147483647", name=op.f("ck_document_references_size_range")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_document_references_bureau_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["case_id", "bureau_id"],
            ["cases.id", "cases.bureau_id"],
            name=op.f("fk_document_references_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id", "bureau_id"],
            ["milestones.id", "milestones.bureau_id"],
            name=op.f("fk_document_references_milestone_id_milestones"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_organization_id"],
            ["organizations.id"],
            name=op.f("fk_document_references_recorded_by_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", "bureau_id", name=op.f("pk_document_references")),
    )
    op.create_index(
        "ix_document_references_case", "document_references", ["bureau_id", "case_id", "dated_on", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_document_references_case", table_name="document_references")
    op.drop_table("document_references")
    op.execute("DELETE FROM schema_compatibility WHERE revision = '0010'")
