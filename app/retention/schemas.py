"""Wire shapes of legal hold, erasure and the export of a case's file."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import InputModel, ReadModel

Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class LegalHoldChange(InputModel):
    legal_hold: StrictBool = Field(
        description="true sets the hold (the case is then never anonymised), false clears it"
    )
    reason: Reason = Field(description="Why, e.g. a loonsanctie dispute; kept in the audit log")


class LegalHoldRead(ReadModel):
    case_id: uuid.UUID
    legal_hold: bool
    reason: str | None = Field(description="The reason of the current hold; null without one")
    set_at: datetime | None = Field(description="When the current hold was set")


class ErasureRequest(InputModel):
    reason: Reason = Field(description="Why, e.g. the employee's request under AVG art. 17; kept in the audit log")


class ErasureRead(ReadModel):
    case_id: uuid.UUID
    anonymised_at: datetime
    rows: dict[str, int] = Field(description="Rows anonymised, per table")


class CaseExport(ReadModel):
    """The complete file of a case (AVG art. 15 and 20): every row of every table that belongs to it."""

    exported_at: datetime
    case: dict[str, Any] = Field(description="The case row, with the full BSN as `employee_bsn`")
    records: dict[str, list[dict[str, Any]]] = Field(
        description="Per table, every row of the case: each version of the medical status, every status change of "
        "a proposal, the audit log (every change with before and after), the access log and the change feed"
    )
