"""The progress-report table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class ProgressReport(Base):
    # updated_at (set to clock_timestamp() on a change) is fetched by the flush itself, not by a refresh after it.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 (SQLAlchemy's declarative attribute)
    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("bureau_id", "track_id", "period", name="uq_progress_reports_track_period"),
        tenant_foreign_key("track_id", "tracks"),
        tenant_foreign_key("case_id", "cases"),
        Index("ix_progress_reports_case", "bureau_id", "case_id", "period"),
        CheckConstraint("period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name="period_format"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("(status = 'submitted') = (submitted_on IS NOT NULL)", name="submitted_has_date"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    track_id: Mapped[uuid.UUID] = mapped_column()
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    submitted_on: Mapped[date | None] = mapped_column(Date)
    # Content of domain section 6, validated by app/reports/schemas.py before it is stored.
    plan_progress: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    belastbaarheid: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    activities: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    houding_en_gedrag: Mapped[str | None] = mapped_column(Text)
    bottlenecks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    next_steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    employee_comments: Mapped[str | None] = mapped_column(Text)
    # The month's candidate proposals as they stood when the report was sent (null while a draft).
    proposals_snapshot: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
