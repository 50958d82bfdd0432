"""Stored snapshots of each case's obligations, from which the portfolio derives statuses in SQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Identity, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class ComplianceSnapshot(Base):
    """Per case: for which reference dates its stored items are exact (app/poortwachter/snapshot.py)."""

    __tablename__ = "compliance_snapshots"
    __table_args__ = (tenant_foreign_key("case_id", "cases"),)

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Primary key (case_id, bureau_id): the tenant key is in every key (docs/scaling.md).
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True, index=True)
    facts_through: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recovered_on: Mapped[date | None] = mapped_column(Date)
    lapses_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # L, the end of the loondoorbetaling, when fixed by the facts (null while a missing aanvraag moves it on):
    # after it every item that lapses with the pay is lapsed (domain section 2, step 4).
    pay_ends_on: Mapped[date | None] = mapped_column(Date)
    rules_version: Mapped[int] = mapped_column(Integer)
    report_grace_days: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class ComplianceItem(Base):
    """One obligation of a snapshot, with the dates its status on any valid reference date follows from."""

    __tablename__ = "compliance_items"
    __table_args__ = (
        Index("ix_compliance_items_bureau_due", "bureau_id", "due_on"),
        tenant_foreign_key("case_id", "compliance_snapshots", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # tenant key
    code: Mapped[str] = mapped_column(String(40))
    parties: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    due_on: Mapped[date] = mapped_column(Date)
    window_opens_on: Mapped[date | None] = mapped_column(Date)
    overdue_after: Mapped[date] = mapped_column(Date)
    listed_from: Mapped[date | None] = mapped_column(Date)
    final_status: Mapped[str | None] = mapped_column(String(10))
    waived_through: Mapped[date | None] = mapped_column(Date)  # a spoor_2_niet_ingezet's re-check date
    lapses_with_pay: Mapped[bool] = mapped_column(Boolean, server_default="true")
    completed_on: Mapped[date | None] = mapped_column(Date)
    late_by_days: Mapped[int | None] = mapped_column(Integer)
    evidence_id: Mapped[str | None] = mapped_column(String(36))
    waiting_for: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str | None] = mapped_column(String(7))
    track_id: Mapped[str | None] = mapped_column(String(36))
