"""Wire shapes of cases (design section 7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from stdnum.nl import bsn as stdnum_bsn

from app.core.schemas import DossierDate, InputModel, Name, ReadModel


def _valid_bsn(value: str) -> str:
    if not stdnum_bsn.is_valid(value):
        raise ValueError("not a valid BSN (9 digits passing the elfproef)")
    return stdnum_bsn.compact(value)


Bsn = Annotated[str, StringConstraints(pattern=r"^[0-9]{8,9}$"), AfterValidator(_valid_bsn)]
BirthDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]
ExternalRef = Annotated[str, StringConstraints(min_length=1, max_length=100)]
CloseReason = Literal["hersteld", "plaatsing", "wia", "uit_dienst", "overleden", "anders"]
CaseStatus = Literal["open", "closed"]


class AbsencePeriod(InputModel):
    first_day: DossierDate = Field(description="First day not worked because of sickness")
    last_day: DossierDate | None = Field(default=None, description="Last day of sickness; null while ongoing")

    @model_validator(mode="after")
    def _ordered(self) -> AbsencePeriod:
        if self.last_day is not None and self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self


class LeavePeriod(InputModel):
    first_day: DossierDate
    last_day: DossierDate
    kind: Literal["wazo"] = Field(default="wazo", description="WAZO pregnancy and maternity leave")

    @model_validator(mode="after")
    def _ordered(self) -> LeavePeriod:
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self


class EmployeeCreate(InputModel):
    name: Name
    date_of_birth: BirthDate
    bsn: Bsn | None = Field(default=None, description="Write-only; stored encrypted, answered as `bsn_masked`")


class EmployeeUpdate(InputModel):
    name: Name | None = None
    date_of_birth: BirthDate | None = None
    bsn: Bsn | None = None


class EmployeeRead(ReadModel):
    name: str = Field(description="Empty once the case is anonymised")
    date_of_birth: date | None = Field(description="Null once the case is anonymised")
    bsn_masked: str | None = Field(description="The last four digits of the BSN; null when unknown or hidden")


class CaseCreate(InputModel):
    external_ref: ExternalRef | None = Field(default=None, description="The bureau's own id, unique per bureau")
    employer_id: uuid.UUID
    arbodienst_id: uuid.UUID | None = None
    employee: EmployeeCreate
    absence_periods: list[AbsencePeriod] = Field(min_length=1, max_length=50)
    leave_periods: list[LeavePeriod] = Field(default_factory=list, max_length=50)
    employer_is_wga_eigenrisicodrager: bool = False
    employer_case_manager: Name | None = None


class CaseUpdate(InputModel):
    """Any subset of the writable fields; `null` clears an optional field."""

    external_ref: ExternalRef | None = None
    employer_id: uuid.UUID | None = None
    arbodienst_id: uuid.UUID | None = None
    employee: EmployeeUpdate | None = None
    absence_periods: list[AbsencePeriod] | None = Field(default=None, min_length=1, max_length=50)
    leave_periods: list[LeavePeriod] | None = Field(default=None, max_length=50)
    employer_is_wga_eigenrisicodrager: bool | None = None
    employer_case_manager: Name | None = None


class CaseClose(InputModel):
    closed_on: DossierDate
    reason: CloseReason


class AbsencePeriodRead(ReadModel):
    first_day: date
    last_day: date | None


class LeavePeriodRead(ReadModel):
    first_day: date
    last_day: date
    kind: Literal["wazo"]


class CaseRead(ReadModel):
    id: uuid.UUID
    bureau_id: uuid.UUID
    employer_id: uuid.UUID
    arbodienst_id: uuid.UUID | None
    external_ref: str | None
    employee: EmployeeRead
    absence_periods: list[AbsencePeriodRead]
    leave_periods: list[LeavePeriodRead]
    employer_is_wga_eigenrisicodrager: bool
    employer_case_manager: str | None
    status: CaseStatus
    first_sick_day: date
    closed_on: date | None
    close_reason: CloseReason | None
    legal_hold: bool = Field(description="On legal hold the case is not anonymised (set by the bureau)")
    anonymised_at: datetime | None = Field(
        description="When the employee's personal data were removed (retention or erasure); null until then"
    )
    version: int
    created_at: datetime
    updated_at: datetime
