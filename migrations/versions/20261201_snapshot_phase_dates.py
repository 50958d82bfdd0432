"""compliance snapshots store E, T and the last period's start

Issue 14: the deadline scheduler derives every phase of domain section 3.6 from the stored snapshot, so the snapshot
keeps the wachttijd's end (E), the employment's end (T) and the last absence period's first day. The snapshots are a
cache of the rules' answer: the ones stored before this revision lack these dates and are dropped, to be recomputed
(at the service's start, by `spoorwijzer refresh-compliance` and by the scheduler's next pass); until then the
portfolio evaluates such cases directly.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM compliance_snapshots")  # their items go with them (ON DELETE CASCADE)
    op.add_column("compliance_snapshots", sa.Column("wachttijd_end", sa.Date(), nullable=False))
    op.add_column("compliance_snapshots", sa.Column("employment_end", sa.Date(), nullable=True))
    op.add_column("compliance_snapshots", sa.Column("period_started_on", sa.Date(), nullable=False))


def downgrade() -> None:
    op.drop_column("compliance_snapshots", "period_started_on")
    op.drop_column("compliance_snapshots", "employment_end")
    op.drop_column("compliance_snapshots", "wachttijd_end")
