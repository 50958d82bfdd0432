"""Wire shapes of calendar feeds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool

from app.core.schemas import InputModel, ReadModel

Party = Literal["werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau", "uwv"]


class CalendarFeedCreate(InputModel):
    party: Party | None = Field(default=None, description="Only obligations of this party")
    employer_id: uuid.UUID | None = Field(default=None, description="Only this employer's cases")
    include_employee_name: StrictBool = Field(
        default=False,
        description="Put the employee's name in each event's title (personal data: each read is access-logged). "
        "Never the BSN.",
    )


class CalendarFeedRead(ReadModel):
    id: uuid.UUID
    party: Party | None
    employer_id: uuid.UUID | None
    include_employee_name: bool
    revoked_at: datetime | None
    created_at: datetime


class CalendarFeedCreated(CalendarFeedRead):
    url: str | None = Field(
        description="The secret feed URL (`/v1/calendar-feeds/{token}.ics`), readable without a key: shown only in "
        "this answer (null on an idempotent replay). Revoke the feed to end it."
    )
