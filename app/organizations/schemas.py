"""Wire shapes of organizations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from app.core.schemas import InputModel, KvkNumber, Name, ReadModel
from app.organizations.models import OrganizationKind

PartnerKind = Literal["werkgever", "arbodienst"]


class OrganizationCreate(InputModel):
    kind: PartnerKind = Field(
        description="Bureaus register the employers and arbodiensten they work with; bureaus themselves are "
        "created by the operator"
    )
    name: Name
    kvk: KvkNumber | None = Field(
        default=None, description="KvK number (8 digits); an organization with this number is reused"
    )


class OrganizationRead(ReadModel):
    id: uuid.UUID
    kind: OrganizationKind
    name: str
    kvk: str | None
    created_at: datetime


class Me(ReadModel):
    organization: OrganizationRead
    kind: OrganizationKind
    api_key_id: uuid.UUID
