"""Wire shapes of tracks (design section 7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, Name, ReadModel, ShortText

Spoor = Literal[1, 2, 3]
TrackStatus = Literal["active", "ended"]
EndReason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class TrackCreate(InputModel):
    spoor: Spoor = Field(description="1: own employer; 2: another employer; 3: after a WIA decision of 35-80%")
    started_on: DossierDate = Field(description="Not before the case's first sick day, not in the future")
    coach: Name | None = Field(default=None, description="The bureau's coach (job coach, arbeidsdeskundige)")
    goal: ShortText | None = Field(default=None, description="The track's goal in a sentence or two")


class TrackUpdate(InputModel):
    """Any subset; `null` clears `coach` or `goal`. An ended track cannot be changed."""

    started_on: DossierDate | None = None
    coach: Name | None = None
    goal: ShortText | None = None


class TrackEnd(InputModel):
    ended_on: DossierDate = Field(description="Last day of the track; not before started_on, not in the future")
    end_reason: EndReason = Field(description="Why it ended, e.g. `plaatsing bij Bouwbedrijf Smit`")


class TrackRead(ReadModel):
    id: uuid.UUID
    case_id: uuid.UUID
    bureau_id: uuid.UUID
    spoor: Spoor
    status: TrackStatus = Field(description="`ended` once POST /v1/tracks/{id}/end recorded its end")
    started_on: date
    ended_on: date | None
    end_reason: str | None
    coach: str | None
    goal: str | None
    version: int
    created_at: datetime
    updated_at: datetime
