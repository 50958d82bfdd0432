"""access log acting user

access_log.acting_user: the person at the integrating party who read (the optional `X-Acting-User` header), since
NEN 7513 asks who, not only which organization.
Additive only (expand): a build of 0016 keeps serving on this schema (app/core/health.py).

Revision ID: 0009
Revises: 0016
Create Date: 2026-12-01 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("access_log", sa.Column("acting_user", sa.String(length=200), nullable=True))
    op.execute("INSERT INTO schema_compatibility (revision, serves_revisions) VALUES ('0009', ARRAY['0016'])")


def downgrade() -> None:
    op.execute("DELETE FROM schema_compatibility WHERE revision = '0009'")
    op.drop_column("access_log", "acting_user")
