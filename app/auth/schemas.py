"""Wire shapes of API keys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.core.schemas import InputModel, Name, ReadModel


class ApiKeyCreate(InputModel):
    name: Name = Field(description="What the key is for, e.g. `HR system Bakkerij De Vries`")
    scope: Literal["read", "write"] = Field(description="`read` keys may only read: every write answers 403")
    expires_on: date | None = Field(
        default=None, description="The key's last valid day (Dutch calendar day); after it the key answers 401"
    )


class ApiKeyRead(ReadModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the key, to tell keys apart")
    scope: Literal["read", "write"]
    expires_on: date | None
    issued_by_id: uuid.UUID | None = Field(description="The bureau that issued it; null: the operator")
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret, shown only in this answer: store it now")
