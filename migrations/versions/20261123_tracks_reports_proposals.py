"""tracks progress reports candidate proposals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:03:58.023650+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "('proposed', 'interview', 'trial_placement', 'detachering', 'hired', 'rejected', 'withdrawn')"
_CHANNELS = "('vacature', 'open_sollicitatie', 'netwerk', 'bemiddeling')"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "tracks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("spoor", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=2000), nullable=True),
        sa.Column("coach", sa.String(length=200), nullable=True),
        sa.Column("goal", sa.String(length=2000), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_tracks_ended_after_start")),
        sa.CheckConstraint("(ended_on IS NULL) = (end_reason IS NULL)", name=op.f("ck_tracks_ended_has_reason")),
        sa.CheckConstraint("spoor IN (1, 2, 3)", name=op.f("ck_tracks_spoor")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tracks_version_positive")),
        sa.ForeignKeyConstraint(["bureau_id"], ["organizations.id"], name=op.f("fk_tracks_bureau_id_organizations")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_tracks_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracks")),
    )
    op.create_index("ix_tracks_case", "tracks", ["bureau_id", "case_id", "started_on"], unique=False)
    op.create_index(
        "uq_tracks_open_spoor",
        "tracks",
        ["case_id", "spoor"],
        unique=True,
        postgresql_where=sa.text("ended_on IS NULL"),
    )

    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("plan_progress", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("belastbaarheid", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("activities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("houding_en_gedrag", sa.Text(), nullable=True),
        sa.Column("bottlenecks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("next_steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("employee_comments", sa.Text(), nullable=True),
        sa.Column("proposals_snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_on IS NOT NULL)", name=op.f("ck_progress_reports_submitted_has_date")
        ),
        sa.CheckConstraint("period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name=op.f("ck_progress_reports_period_format")),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_progress_reports_status")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_progress_reports_version_positive")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_progress_reports_bureau_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_progress_reports_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_progress_reports_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
        sa.UniqueConstraint("track_id", "period", name="uq_progress_reports_track_period"),
    )
    op.create_index("ix_progress_reports_case", "progress_reports", ["bureau_id", "case_id", "period"], unique=False)

    op.create_table(
        "candidate_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("employer_kvk", sa.String(length=8), nullable=True),
        sa.Column("employer_place", sa.String(length=200), nullable=False),
        sa.Column("vacancy_title", sa.String(length=200), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(f"channel IN {_CHANNELS}", name=op.f("ck_candidate_proposals_channel")),
        sa.CheckConstraint(f"status IN {_STATUSES}", name=op.f("ck_candidate_proposals_status")),
        sa.CheckConstraint("status_date >= proposed_on", name=op.f("ck_candidate_proposals_status_after_proposal")),
        sa.CheckConstraint("employer_kvk ~ '^[0-9]{8}$'", name=op.f("ck_candidate_proposals_employer_kvk_format")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_candidate_proposals_version_positive")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["organizations.id"], name=op.f("fk_candidate_proposals_bureau_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_candidate_proposals_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_candidate_proposals_track_id_tracks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_proposals")),
    )
    op.create_index(
        "ix_candidate_proposals_track",
        "candidate_proposals",
        ["bureau_id", "track_id", "proposed_on", "id"],
        unique=False,
    )

    op.create_table(
        "candidate_proposal_status_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("bureau_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by_key_id", sa.Uuid(), nullable=True),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.CheckConstraint(f"status IN {_STATUSES}", name=op.f("ck_candidate_proposal_status_history_status")),
        sa.CheckConstraint(
            "status NOT IN ('rejected', 'withdrawn') OR reason IS NOT NULL",
            name=op.f("ck_candidate_proposal_status_history_final_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["bureau_id"],
            ["organizations.id"],
            name=op.f("fk_candidate_proposal_status_history_bureau_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_candidate_proposal_status_history_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["candidate_proposals.id"],
            name=op.f("fk_candidate_proposal_status_history_proposal_id_candidate_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_proposal_status_history")),
    )
    op.create_index(
        "ix_candidate_proposal_status_history_proposal",
        "candidate_proposal_status_history",
        ["proposal_id", "recorded_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_candidate_proposal_status_history_proposal", table_name="candidate_proposal_status_history")
    op.drop_table("candidate_proposal_status_history")
    op.drop_index("ix_candidate_proposals_track", table_name="candidate_proposals")
    op.drop_table("candidate_proposals")
    op.drop_index("ix_progress_reports_case", table_name="progress_reports")
    op.drop_table("progress_reports")
    op.drop_index("uq_tracks_open_spoor", table_name="tracks", postgresql_where=sa.text("ended_on IS NULL"))
    op.drop_index("ix_tracks_case", table_name="tracks")
    op.drop_table("tracks")
