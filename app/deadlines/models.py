"""The transitions the deadline scheduler produced: one row per (case, obligation occurrence, transition)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Identity, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class DeadlineTransition(Base):
    """The unique key makes each transition happen once, however many workers and passes (claim_once)."""

    __tablename__ = "deadline_transitions"
    __table_args__ = (
        UniqueConstraint("bureau_id", "case_id", "kind", "code", "occurrence"),
        tenant_foreign_key("case_id", "cases"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # tenant key
    case_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(40))  # the event type: obligation.due_soon, obligation.overdue, ...
    code: Mapped[str] = mapped_column(String(40))  # the obligation code, or the phase entered
    # Which occurrence: period, track and due date of the obligation (a moved due date is a new occurrence).
    occurrence: Mapped[str] = mapped_column(String(120))
    on_date: Mapped[date] = mapped_column(Date)  # the scheduler's day when it happened
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
