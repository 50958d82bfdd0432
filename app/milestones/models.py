"""The milestone table: append-only dated facts of a case."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (
        Index("ix_milestones_case", "bureau_id", "case_id", "occurred_on", "id"),
        tenant_foreign_key("case_id", "cases"),
        CheckConstraint("percentage IS NULL OR percentage BETWEEN 0 AND 100", name="percentage_range"),
        CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="voided_has_reason"),
        CheckConstraint("hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 60)", name="hours_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    type: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date)
    percentage: Mapped[int | None] = mapped_column(Integer)
    obligation: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    # Rules v2 (domain section 4): null on the types that do not carry them.
    new_due_on: Mapped[date | None] = mapped_column(Date)
    geen_benutbare_mogelijkheden: Mapped[bool | None] = mapped_column(Boolean)
    casemanager: Mapped[str | None] = mapped_column(Text)
    uitkering: Mapped[str | None] = mapped_column(String(10))
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    werk: Mapped[str | None] = mapped_column(String(20))
    hersteld: Mapped[bool | None] = mapped_column(Boolean)
    agreement: Mapped[str | None] = mapped_column(String(10))
    recorded_by_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    recorded_by_key_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    # A correction voids a milestone instead of deleting it: it stays readable, the rules no longer read it.
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    voided_by_key_id: Mapped[uuid.UUID | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def voided_by(self) -> uuid.UUID | None:
        """The organization that voided it (the read shape's name)."""
        return self.voided_by_organization_id
