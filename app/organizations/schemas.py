"""Wire shapes of organizations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import InputModel, KvkNumber, Name, ReadModel
from app.organizations.models import OrganizationKind


class OrganizationCreate(InputModel):
    kind: Literal["werkgever", "arbodienst"] = Field(
        description="Bureaus register the employers and arbodiensten they work with; bureaus themselves are "
        "created by the operator"
    )
    name: Name
    kvk: KvkNumber | None = Field(
        default=None, description="KvK number (8 digits); an organization with this number is reused"
    )


# A plausibility check only (one @, a dot in the domain): whether the address works only a mail can tell.
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^\+?[0-9 ()-]{6,40}$")]


class OrganizationUpdate(InputModel):
    """Any subset of these; `null` clears a contact detail. The kind and KvK number never change."""

    name: Name | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class OrganizationRead(ReadModel):
    id: uuid.UUID
    kind: OrganizationKind
    name: str
    kvk: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    registered_by_id: uuid.UUID | None = Field(
        description="The bureau that registered it (and may change its details); null when the operator created it"
    )
    created_at: datetime
    updated_at: datetime


class Me(ReadModel):
    organization: OrganizationRead
    kind: OrganizationKind
    api_key_id: uuid.UUID
    scope: Literal["read", "write"] = Field(description="`read` keys get 403 on every write")
    expires_on: date | None = Field(description="The key's last valid day; null: it does not expire")
    issued_by_id: uuid.UUID | None = Field(
        description="The bureau that issued the key: it then sees only that bureau's cases. Null: issued by the "
        "operator, with the organization's whole view"
    )
