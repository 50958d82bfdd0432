"""access log acting user, organization names per bureau

access_log.acting_user: the person at the integrating party who read (the optional `X-Acting-User` header), since
NEN 7513 asks who, not only which organization. organization_links.name: the name under which a bureau registered
an organization shared by KvK number, so the first bureau to register a number does not fix its name for the others.
Additive only (expand): builds of 0011, 0010, 0013 and 0008 keep serving on this schema (app/core/health.py).

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-01 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("access_log", sa.Column("acting_user", sa.String(length=200), nullable=True))
    op.add_column("organization_links", sa.Column("name", sa.String(length=200), nullable=True))
    op.execute(
        "INSERT INTO schema_compatibility (revision, serves_revisions) VALUES ('0009', ARRAY['0011', '0010', '0013', '0008'])"
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_compatibility WHERE revision = '0009'")
    op.drop_column("organization_links", "name")
    op.drop_column("access_log", "acting_user")
