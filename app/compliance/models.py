"""Stored snapshots of each case's obligations, from which the portfolio derives statuses in SQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Identity, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class ComplianceSnapshot(Base):
    """Per case: for which reference dates its stored items are exact (app/poortwachter/snapshot.py)."""

    __tablename__ = "compliance_snapshots"
    __table_args__ = (
        tenant_foreign_key("case_id", "cases"),
        # Which of a bureau's cases the stored history answers for on a date: an index-only count.
        Index("ix_compliance_snapshots_coverage", "bureau_id", "rules_version", "report_grace_days", "valid_until"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Primary key (case_id, bureau_id): the tenant key is in every key (docs/scaling.md).
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    facts_through: Mapped[date] = mapped_column(Date)  # the latest fact's date
    valid_until: Mapped[date] = mapped_column(Date)  # the horizon: the items answer for every as_of up to it
    # Where each version of the history starts and a digest of its facts (app/poortwachter/snapshot.py).
    version_starts: Mapped[list[date]] = mapped_column(ARRAY(Date))
    version_digests: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    recovered_on: Mapped[date | None] = mapped_column(Date)
    lapses_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # L, the end of the loondoorbetaling, when fixed by the facts (null while a missing aanvraag moves it on):
    # after it every item that lapses with the pay is lapsed (domain section 2, step 4).
    pay_ends_on: Mapped[date | None] = mapped_column(Date)
    # E, T and the last period's first day: with the dates above they give the phase on any valid date (3.6).
    wachttijd_end: Mapped[date] = mapped_column(Date)
    employment_end: Mapped[date | None] = mapped_column(Date)
    period_started_on: Mapped[date] = mapped_column(Date)
    rules_version: Mapped[int] = mapped_column(Integer)
    report_grace_days: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class ComplianceItem(Base):
    """One obligation of a case's history, valid for `valid_from <= as_of < valid_to`, with the dates its status
    on those reference dates follows from."""

    __tablename__ = "compliance_items"
    __table_args__ = (
        Index("ix_compliance_items_bureau_due", "bureau_id", "due_on"),
        # The outstanding ones (the default page): done and waived items are most of a history.
        Index(
            "ix_compliance_items_bureau_due_pending",
            "bureau_id",
            "due_on",
            postgresql_where=text("final_status IS NULL"),
        ),
        # A case's items valid on a date (one employer's portfolio, the refresh): ended versions stay in the index.
        Index("ix_compliance_items_case_valid", "bureau_id", "case_id", "valid_to"),
        tenant_foreign_key("case_id", "compliance_snapshots", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID]
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
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    # The case state of the item's version (app/poortwachter/snapshot.py::HistoryRow): a gap between two
    # absence periods is a recovery, and L follows the facts known then.
    recovered_on: Mapped[date | None] = mapped_column(Date)
    lapses_on: Mapped[date | None] = mapped_column(Date)
    pay_ends_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # the case's: the status needs no join


class ComplianceCount(Base):
    """Per bureau: how many items enter (n > 0) or leave (n < 0) each status on a date, summed over its cases'
    histories, so that the counts on a reference date are one range sum (kept current by the snapshot refresh)."""

    __tablename__ = "compliance_counts"
    # The range sum reads the index alone (n included), not the heap.
    __table_args__ = (
        Index(
            "ix_compliance_counts_sum",
            "bureau_id",
            "rules_version",
            "report_grace_days",
            "on_date",
            postgresql_include=["code", "status", "n"],
        ),
    )

    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    rules_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_grace_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    on_date: Mapped[date] = mapped_column(Date, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
