"""Audit rows, access-log rows and change-feed events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class AuditEntry(Base):
    """Who changed what, when. The application only ever inserts here."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_case", "bureau_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Tenant key: the case's bureau, or on a row without a case the acting bureau (app/audit/service.py).
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_organization_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_key_id: Mapped[uuid.UUID | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AccessEntry(Base):
    """A read of personal data (a case, its BSN, medical status, reports, milestones, audit log), NEN 7513 style."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_case", "bureau_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # tenant key
    case_id: Mapped[uuid.UUID] = mapped_column()
    actor_organization_id: Mapped[uuid.UUID] = mapped_column()
    actor_key_id: Mapped[uuid.UUID] = mapped_column()
    what: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(300))
    acting_user: Mapped[str | None] = mapped_column(String(200))  # the X-Acting-User header, when sent


class Event(Base):
    """One change, for the feed. Ordered by (txid, id): see app/audit/repository.py::feed for why."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_bureau", "bureau_id", "txid", "id"),
        Index("ix_events_employer", "employer_id", "txid", "id"),
        Index("ix_events_arbodienst", "arbodienst_id", "txid", "id"),
        Index("ix_events_organization", "organization_id", "txid", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The public id (feed and webhooks: the `webhook-id`); the bigint id only orders.
    uid: Mapped[uuid.UUID] = mapped_column(server_default=func.gen_random_uuid())
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("pg_current_xact_id()::text::bigint"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    type: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    case_id: Mapped[uuid.UUID | None] = mapped_column()
    # Who may see the event: the case's parties (with per-party flags) or one organization. On an event without
    # a case, bureau_id is only the tenant key (the acting bureau), not a reader.
    organization_id: Mapped[uuid.UUID | None] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employer_id: Mapped[uuid.UUID | None] = mapped_column()
    arbodienst_id: Mapped[uuid.UUID | None] = mapped_column()
    visible_to_employer: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    visible_to_arbodienst: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
