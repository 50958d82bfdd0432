"""The track table."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (
        Index("ix_tracks_case", "bureau_id", "case_id", "started_on"),
        # Backstop for the service's overlap check: never two open tracks of one spoor in a case.
        Index(
            "uq_tracks_open_spoor",
            "bureau_id",
            "case_id",
            "spoor",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
        tenant_foreign_key("case_id", "cases"),
        CheckConstraint("spoor IN (1, 2, 3)", name="spoor"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_start"),
        CheckConstraint("(ended_on IS NULL) = (end_reason IS NULL)", name="ended_has_reason"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    spoor: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(2000))
    coach: Mapped[str | None] = mapped_column(String(200))
    goal: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
