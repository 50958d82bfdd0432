"""Organizations and which organizations a bureau may refer to."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Enum, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class OrganizationKind(enum.StrEnum):
    reintegratiebureau = "reintegratiebureau"
    werkgever = "werkgever"
    arbodienst = "arbodienst"


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("kvk ~ '^[0-9]{8}$'", name="kvk_format"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[OrganizationKind] = mapped_column(
        Enum(OrganizationKind, name="organization_kind", native_enum=False, length=32, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(200))
    kvk: Mapped[str | None] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    # The bureau that created it over the API (null: created by the operator); it may change its details.
    registered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class OrganizationLink(Base):
    """An organization a bureau created or looked up by KvK, and so may name on its cases."""

    __tablename__ = "organization_links"

    viewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
