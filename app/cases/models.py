"""The case table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

CLOSE_REASONS = ("hersteld", "plaatsing", "wia", "uit_dienst", "overleden", "anders")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("bureau_id", "external_ref", name="uq_cases_bureau_external_ref"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("(status = 'closed') = (closed_on IS NOT NULL)", name="closed_has_date"),
        CheckConstraint(f"close_reason IN {CLOSE_REASONS}", name="close_reason"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("NOT legal_hold OR legal_hold_reason IS NOT NULL", name="legal_hold_has_reason"),
        Index("ix_cases_retention", "closed_on", postgresql_where=text("status = 'closed' AND anonymised_at IS NULL")),
        Index("ix_cases_bureau_created", "bureau_id", "created_at", "id"),
        Index("ix_cases_employer_created", "employer_id", "created_at", "id"),
        Index("ix_cases_arbodienst_created", "arbodienst_id", "created_at", "id"),
        Index("ix_cases_bureau_updated", "bureau_id", "updated_at"),
        Index("ix_cases_bureau_status", "bureau_id", "status"),
    )

    # Primary key (id, bureau_id): the tenant key is in every key (docs/scaling.md), id first so that lookups by
    # id alone (an employer reading a case) keep using the index.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    employer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    arbodienst_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    external_ref: Mapped[str | None] = mapped_column(String(100))
    employee_name: Mapped[str] = mapped_column(String(200))
    # Null only once the case is anonymised (app/retention).
    employee_date_of_birth: Mapped[date | None] = mapped_column(Date)
    # Fernet token of the BSN; the masked form is kept beside it so reads never decrypt.
    employee_bsn_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    employee_bsn_masked: Mapped[str | None] = mapped_column(String(9))
    absence_periods: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    leave_periods: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    first_sick_day: Mapped[date] = mapped_column(Date)
    employer_is_wga_eigenrisicodrager: Mapped[bool] = mapped_column(Boolean)
    employer_case_manager: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(20))
    # AVG (app/retention): a legal hold stops anonymisation; anonymised_at is when the person was forgotten.
    legal_hold: Mapped[bool] = mapped_column(Boolean, server_default=text("false"), default=False)
    legal_hold_reason: Mapped[str | None] = mapped_column(String(2000))
    legal_hold_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
