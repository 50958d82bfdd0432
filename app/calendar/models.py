"""Calendar feeds (secret URLs) and the SEQUENCE of each calendar occurrence."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_organization", "organization_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    # The key that created the feed: the feed reads what that key may read (partner keys see their bureau's cases).
    key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the secret token
    party: Mapped[str | None] = mapped_column(String(20))
    employer_id: Mapped[uuid.UUID | None] = mapped_column()
    include_employee_name: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class CalendarOccurrence(Base):
    """The due date last served for an occurrence's UID: a different one bumps its SEQUENCE (RFC 5545 3.8.7.4)."""

    __tablename__ = "calendar_occurrences"
    __table_args__ = (tenant_foreign_key("case_id", "cases"),)

    uid: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # tenant key
    case_id: Mapped[uuid.UUID] = mapped_column()
    due_on: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, server_default="0")
