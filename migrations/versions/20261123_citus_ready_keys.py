"""citus ready keys

The tenant key (bureau_id) goes into every key of the case-owned tables (docs/scaling.md, section 2, "What the
migrations need", steps 1 and 2): primary keys (id, bureau_id), foreign keys between them (x_id, bureau_id), and the
unique constraints that lacked it. Plain PostgreSQL; no data changes. audit_log and events stay as they are (their
bureau_id is null on organization-level rows; docs/scaling.md says what they need at distribution time).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Primary keys: (table, the column that was the key). The key becomes (column, bureau_id): id first, so that
# lookups by id alone (an employer reading a case of a bureau it does not know) keep using the index.
_PRIMARY_KEYS = (
    ("cases", "id"),
    ("milestones", "id"),
    ("tracks", "id"),
    ("progress_reports", "id"),
    ("candidate_proposals", "id"),
    ("candidate_proposal_status_history", "id"),
    ("medical_status_versions", "id"),
    ("access_log", "id"),
    ("compliance_snapshots", "case_id"),
    ("compliance_items", "id"),
)

# Foreign keys between case-owned tables: (name, table, column, referred table, referred column, ON DELETE).
# Each gets bureau_id on both sides. The names are those of migrations 0002-0005 (the long one as PostgreSQL's
# 63 characters cut the naming convention's).
_FOREIGN_KEYS = (
    ("fk_milestones_case_id_cases", "milestones", "case_id", "cases", "id", "CASCADE"),
    ("fk_tracks_case_id_cases", "tracks", "case_id", "cases", "id", "CASCADE"),
    ("fk_progress_reports_case_id_cases", "progress_reports", "case_id", "cases", "id", "CASCADE"),
    ("fk_progress_reports_track_id_tracks", "progress_reports", "track_id", "tracks", "id", "CASCADE"),
    ("fk_candidate_proposals_case_id_cases", "candidate_proposals", "case_id", "cases", "id", "CASCADE"),
    ("fk_candidate_proposals_track_id_tracks", "candidate_proposals", "track_id", "tracks", "id", "CASCADE"),
    (
        "fk_candidate_proposal_status_history_case_id_cases",
        "candidate_proposal_status_history",
        "case_id",
        "cases",
        "id",
        "CASCADE",
    ),
    (
        "fk_candidate_proposal_status_history_proposal_id_candid_4bf5",
        "candidate_proposal_status_history",
        "proposal_id",
        "candidate_proposals",
        "id",
        "CASCADE",
    ),
    ("fk_medical_status_versions_case_id_cases", "medical_status_versions", "case_id", "cases", "id", "CASCADE"),
    # milestone_id is nullable: MATCH SIMPLE (the default) checks nothing while it is null.
    (
        "fk_medical_status_versions_milestone_id_milestones",
        "medical_status_versions",
        "milestone_id",
        "milestones",
        "id",
        None,
    ),
    ("fk_compliance_snapshots_case_id_cases", "compliance_snapshots", "case_id", "cases", "id", "CASCADE"),
    (
        "fk_compliance_items_case_id_compliance_snapshots",
        "compliance_items",
        "case_id",
        "compliance_snapshots",
        "case_id",
        "CASCADE",
    ),
)

_OPEN_TRACKS = sa.text("ended_on IS NULL")


def _replace_primary_keys(with_bureau: bool) -> None:
    for table, column in _PRIMARY_KEYS:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, [column, "bureau_id"] if with_bureau else [column])


def _create_foreign_keys(with_bureau: bool) -> None:
    # Each validates against the whole table (a join on the new keys): a fact whose bureau is not its case's
    # stops the upgrade here.
    tenant = ["bureau_id"] if with_bureau else []
    for name, table, column, referred, referred_column, ondelete in _FOREIGN_KEYS:
        op.create_foreign_key(name, table, referred, [column, *tenant], [referred_column, *tenant], ondelete=ondelete)


def _drop_foreign_keys() -> None:
    # Before the primary keys they depend on.
    for name, table, *_ in _FOREIGN_KEYS:
        op.drop_constraint(name, table, type_="foreignkey")


def upgrade() -> None:
    _drop_foreign_keys()
    _replace_primary_keys(with_bureau=True)
    # Same names as before, with the tenant key in front.
    op.drop_index("uq_tracks_open_spoor", table_name="tracks", postgresql_where=_OPEN_TRACKS)
    op.create_index(
        "uq_tracks_open_spoor", "tracks", ["bureau_id", "case_id", "spoor"], unique=True, postgresql_where=_OPEN_TRACKS
    )
    op.drop_constraint("uq_progress_reports_track_period", "progress_reports", type_="unique")
    op.create_unique_constraint(
        "uq_progress_reports_track_period", "progress_reports", ["bureau_id", "track_id", "period"]
    )
    _create_foreign_keys(with_bureau=True)


def downgrade() -> None:
    _drop_foreign_keys()
    op.drop_constraint("uq_progress_reports_track_period", "progress_reports", type_="unique")
    op.create_unique_constraint("uq_progress_reports_track_period", "progress_reports", ["track_id", "period"])
    op.drop_index("uq_tracks_open_spoor", table_name="tracks", postgresql_where=_OPEN_TRACKS)
    op.create_index("uq_tracks_open_spoor", "tracks", ["case_id", "spoor"], unique=True, postgresql_where=_OPEN_TRACKS)
    _replace_primary_keys(with_bureau=False)
    _create_foreign_keys(with_bureau=False)
