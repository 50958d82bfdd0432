"""The medical-status table: every pushed version of a case's functional status, append-only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, tenant_foreign_key

ASSESSMENT_KINDS = ("probleemanalyse", "bijstelling", "actueel_oordeel")
PROGNOSES = ("volledige_terugkeer", "gedeeltelijke_terugkeer", "geen_benutbare_mogelijkheden", "onbekend")
RETURN_PROGNOSES = ("volledige_terugkeer", "gedeeltelijke_terugkeer")


class MedicalStatusVersion(Base):
    """One push of the arbodienst. Only functional information: the table has no place for a diagnosis."""

    __tablename__ = "medical_status_versions"
    __table_args__ = (
        # The current status is the highest version; the unique key also orders the history.
        UniqueConstraint("bureau_id", "case_id", "version", name="uq_medical_status_versions_case_version"),
        tenant_foreign_key("case_id", "cases"),
        # MATCH SIMPLE (the default): no check while milestone_id is null.
        tenant_foreign_key("milestone_id", "milestones", ondelete=None),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(f"assessment_kind IS NULL OR assessment_kind IN {ASSESSMENT_KINDS}", name="assessment_kind"),
        CheckConstraint(f"prognosis IN {PROGNOSES}", name="prognosis"),
        CheckConstraint(
            f"expected_return_on IS NULL OR (prognosis IN {RETURN_PROGNOSES} AND expected_return_on >= assessed_on)",
            name="expected_return",
        ),
        CheckConstraint(
            "available_hours_per_week IS NULL OR available_hours_per_week BETWEEN 0 AND 60", name="hours_range"
        ),
        CheckConstraint("jsonb_typeof(functional_capacities) = 'object'", name="capacities_object"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column()
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)  # tenant key
    version: Mapped[int] = mapped_column(Integer)
    functional_capacities: Mapped[dict[str, Any]] = mapped_column(JSONB)
    available_hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    prognosis: Mapped[str] = mapped_column(String(40))
    expected_return_on: Mapped[date | None] = mapped_column(Date)
    adjustment_advice: Mapped[str | None] = mapped_column(String(2000))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessment_kind: Mapped[str | None] = mapped_column(String(20))
    bedrijfsarts_name: Mapped[str] = mapped_column(String(200))
    # The milestone that records this assessment in the dossier (pushed now or by an earlier push).
    milestone_id: Mapped[uuid.UUID | None] = mapped_column()
    pushed_by_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    pushed_by_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id"))
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
