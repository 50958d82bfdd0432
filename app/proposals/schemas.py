"""Wire shapes of candidate proposals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, KvkNumber, Name, ReadModel, ShortText

Channel = Literal["vacature", "open_sollicitatie", "netwerk", "bemiddeling"]
ProposalStatus = Literal["proposed", "interview", "trial_placement", "detachering", "hired", "rejected", "withdrawn"]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

STATUS_DESCRIPTION = (
    "Moves forward only: `proposed` -> `interview` -> `trial_placement` or `detachering` -> `hired` (steps may be "
    "skipped); any status that is not final -> `rejected` or `withdrawn` (with a `reason`). `hired`, `rejected` "
    "and `withdrawn` are final. Any other move is a 422."
)


class ProspectiveEmployer(InputModel):
    name: Name
    kvk: KvkNumber | None = Field(default=None, description="KvK number (8 digits), when known")
    place: Name = Field(description="Place of business (vestigingsplaats)")


class ProposalCreate(InputModel):
    prospective_employer: ProspectiveEmployer
    vacancy_title: Name = Field(description="The vacancy or role the candidate was proposed for")
    proposed_on: DossierDate = Field(description="Within the track's active days; not in the future")
    channel: Channel
    note: ShortText | None = None


class ProposalUpdate(InputModel):
    """Details and/or a status move, in one PATCH with If-Match.

    A status move is `{"status": ..., "status_date": ..., "reason": ...}`: `status_date` defaults to today and
    may not be before the current status's date nor in the future; `reason` is required for `rejected` and
    `withdrawn`. `prospective_employer` replaces the whole object. `proposed_on` can be corrected while the
    proposal is still `proposed`.
    """

    prospective_employer: ProspectiveEmployer | None = None
    vacancy_title: Name | None = None
    proposed_on: DossierDate | None = None
    channel: Channel | None = None
    note: ShortText | None = None
    status: ProposalStatus | None = Field(default=None, description=STATUS_DESCRIPTION)
    status_date: DossierDate | None = Field(default=None, description="The day of the move; default today")
    reason: Reason | None = Field(default=None, description="Why: required for `rejected` and `withdrawn`")


class ProspectiveEmployerRead(ReadModel):
    name: str
    kvk: str | None
    place: str


class StatusChangeRead(ReadModel):
    status: ProposalStatus
    status_date: date
    reason: str | None
    recorded_at: datetime


class ProposalRead(ReadModel):
    id: uuid.UUID
    track_id: uuid.UUID
    case_id: uuid.UUID
    bureau_id: uuid.UUID
    prospective_employer: ProspectiveEmployerRead
    vacancy_title: str
    proposed_on: date
    channel: Channel
    note: str | None
    status: ProposalStatus = Field(description=STATUS_DESCRIPTION)
    status_date: date = Field(description="The day the current status was reached")
    status_history: list[StatusChangeRead] = Field(description="Every status with its date, oldest first")
    version: int
    created_at: datetime
    updated_at: datetime


class ProposalSummary(ReadModel):
    """A proposal as a monthly report lists it (frozen in the report when it is submitted)."""

    id: uuid.UUID
    prospective_employer: ProspectiveEmployerRead
    vacancy_title: str
    proposed_on: date
    channel: Channel
    status: ProposalStatus
    status_date: date
