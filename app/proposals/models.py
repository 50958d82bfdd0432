"""The candidate-proposal table and its append-only status history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key

CHANNELS = ("vacature", "open_sollicitatie", "netwerk", "bemiddeling")
STATUSES = ("proposed", "interview", "trial_placement", "detachering", "hired", "rejected", "withdrawn")


class CandidateProposal(Base):
    __tablename__ = "candidate_proposals"
    __table_args__ = (
        Index("ix_candidate_proposals_track", "bureau_id", "track_id", "proposed_on", "id"),
        tenant_foreign_key("track_id", "tracks"),
        tenant_foreign_key("case_id", "cases"),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("status_date >= proposed_on", name="status_after_proposal"),
        CheckConstraint("employer_kvk ~ '^[0-9]{8}$'", name="employer_kvk_format"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    track_id: Mapped[uuid.UUID] = mapped_column()
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    employer_name: Mapped[str] = mapped_column(String(200))
    employer_kvk: Mapped[str | None] = mapped_column(String(8))
    employer_place: Mapped[str] = mapped_column(String(200))
    vacancy_title: Mapped[str] = mapped_column(String(200))
    proposed_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    status_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class ProposalStatusChange(Base):
    """One dated status of a proposal; the first row is `proposed` on `proposed_on`. Only ever inserted."""

    __tablename__ = "candidate_proposal_status_history"
    __table_args__ = (
        Index("ix_candidate_proposal_status_history_proposal", "proposal_id", "recorded_at", "id"),
        tenant_foreign_key("proposal_id", "candidate_proposals"),
        tenant_foreign_key("case_id", "cases"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("status NOT IN ('rejected', 'withdrawn') OR reason IS NOT NULL", name="final_has_reason"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    proposal_id: Mapped[uuid.UUID] = mapped_column()
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    status: Mapped[str] = mapped_column(String(20))
    status_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(2000))
    recorded_by_key_id: Mapped[uuid.UUID | None] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
