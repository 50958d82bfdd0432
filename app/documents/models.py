"""The document-reference table: which file a party keeps, never the file itself; append-only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key
from app.reintegratieverslag.documents import DOCUMENT_KINDS


class DocumentReference(Base):
    __tablename__ = "document_references"
    __table_args__ = (
        Index("ix_document_references_case", "bureau_id", "case_id", "dated_on", "id"),
        tenant_foreign_key("case_id", "cases"),
        # MATCH SIMPLE: no check while milestone_id is null (an arbeidsdeskundig rapport).
        tenant_foreign_key("milestone_id", "milestones", ondelete=None),
        CheckConstraint(f"kind IN {DOCUMENT_KINDS}", name="kind"),
        CheckConstraint("size_bytes BETWEEN 1 AND 2147483647", name="size_range"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("(kind = 'arbeidsdeskundig_rapport') = (milestone_id IS NULL)", name="milestone_by_kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    dated_on: Mapped[date] = mapped_column(Date)
    supplied_by: Mapped[str] = mapped_column(String(20))
    signed_by: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    bsn_on_document: Mapped[bool] = mapped_column(Boolean)
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    milestone_id: Mapped[uuid.UUID | None] = mapped_column()
    recorded_by_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    recorded_by_key_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
