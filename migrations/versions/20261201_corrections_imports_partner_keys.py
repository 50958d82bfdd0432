"""corrections, imports, partner keys

Issue 15: voided milestones (kept, with who voided them and why), organizations' contact details and the bureau that
registered them, partner keys (scope, issuing bureau, expiry) and the import jobs with their lines. An organization
registered by a bureau before this revision gets that bureau from its `organization.created` audit row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("clock_timestamp()")


def upgrade() -> None:
    op.add_column("milestones", sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("milestones", sa.Column("voided_by_organization_id", sa.Uuid(), nullable=True))
    op.add_column("milestones", sa.Column("voided_by_key_id", sa.Uuid(), nullable=True))
    op.add_column("milestones", sa.Column("void_reason", sa.Text(), nullable=True))
    op.create_foreign_key(
        "fk_milestones_voided_by_organization_id_organizations",
        "milestones",
        "organizations",
        ["voided_by_organization_id"],
        ["id"],
    )
    op.create_check_constraint("voided_has_reason", "milestones", "(voided_at IS NULL) = (void_reason IS NULL)")

    op.add_column("organizations", sa.Column("contact_name", sa.String(length=200), nullable=True))
    op.add_column("organizations", sa.Column("contact_email", sa.String(length=254), nullable=True))
    op.add_column("organizations", sa.Column("contact_phone", sa.String(length=40), nullable=True))
    op.add_column("organizations", sa.Column("registered_by_id", sa.Uuid(), nullable=True))
    op.add_column("organizations", sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_NOW))
    op.alter_column("organizations", "updated_at", nullable=False)
    op.create_foreign_key(
        "fk_organizations_registered_by_id_organizations",
        "organizations",
        "organizations",
        ["registered_by_id"],
        ["id"],
    )
    op.execute("UPDATE organizations SET updated_at = created_at")
    op.execute(
        """
        UPDATE organizations o SET registered_by_id = a.actor_organization_id
        FROM audit_log a
        WHERE a.entity_type = 'organization' AND a.action = 'created' AND a.entity_id = o.id AND a.case_id IS NULL
        """
    )

    op.add_column("api_keys", sa.Column("scope", sa.String(length=5), server_default="write", nullable=False))
    op.add_column("api_keys", sa.Column("issued_by_id", sa.Uuid(), nullable=True))
    op.add_column("api_keys", sa.Column("expires_on", sa.Date(), nullable=True))
    op.add_column("api_keys", sa.Column("expiry_recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint("scope", "api_keys", "scope IN ('read', 'write')")
    op.create_foreign_key(
        "fk_api_keys_issued_by_id_organizations",
        "api_keys",
        "organizations",
        ["issued_by_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_api_keys_issued_by_id", "api_keys", ["issued_by_id"])

    op.create_table(
        "imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="queued", nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), server_default="0", nullable=False),
        sa.Column("existing", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done')", name=op.f("ck_imports_status")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_imports_bureau_id_organizations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_imports_key_id_api_keys"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index("ix_imports_bureau_created", "imports", ["bureau_id", "created_at", "id"])
    op.create_index("ix_imports_unfinished", "imports", ["created_at"], postgresql_where=sa.text("status <> 'done'"))
    op.create_table(
        "import_lines",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("external_ref", sa.String(length=100), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'created', 'existing', 'failed')", name=op.f("ck_import_lines_status")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_lines_import_id_imports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("import_id", "line_no", name=op.f("pk_import_lines")),
    )
    op.create_index(
        "ix_import_lines_pending",
        "import_lines",
        ["import_id", "line_no"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_import_lines_pending", table_name="import_lines")
    op.drop_table("import_lines")
    op.drop_index("ix_imports_unfinished", table_name="imports")
    op.drop_index("ix_imports_bureau_created", table_name="imports")
    op.drop_table("imports")

    op.drop_index("ix_api_keys_issued_by_id", table_name="api_keys")
    op.drop_constraint("fk_api_keys_issued_by_id_organizations", "api_keys", type_="foreignkey")
    op.drop_constraint("scope", "api_keys", type_="check")
    for column in ("expiry_recorded_at", "expires_on", "issued_by_id", "scope"):
        op.drop_column("api_keys", column)

    op.drop_constraint("fk_organizations_registered_by_id_organizations", "organizations", type_="foreignkey")
    for column in ("updated_at", "registered_by_id", "contact_phone", "contact_email", "contact_name"):
        op.drop_column("organizations", column)

    op.drop_constraint("voided_has_reason", "milestones", type_="check")
    op.drop_constraint("fk_milestones_voided_by_organization_id_organizations", "milestones", type_="foreignkey")
    for column in ("void_reason", "voided_by_key_id", "voided_by_organization_id", "voided_at"):
        op.drop_column("milestones", column)
