"""Wire shapes of webhook endpoints and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import InputModel, ReadModel

EventType = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=60)]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000)]
Description = Annotated[str, StringConstraints(max_length=500)]
DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookEndpointCreate(InputModel):
    url: Url = Field(description="Where to post: https (in production to a public address)")
    event_types: list[EventType] = Field(
        default_factory=list,
        max_length=50,
        description="Event types to receive (docs/webhooks.md); empty: every type the organization may receive",
    )
    description: Description = ""


class WebhookEndpointUpdate(InputModel):
    url: Url | None = None
    event_types: list[EventType] | None = Field(default=None, max_length=50)
    description: Description | None = None
    disabled: StrictBool | None = Field(default=None, description="Stop (true) or resume (false) deliveries")


class WebhookEndpointRead(ReadModel):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    disabled: bool
    disabled_reason: Literal["manual", "failing"] | None = Field(
        description="`failing`: disabled by the service after 5 days of failed deliveries"
    )
    failing_since: datetime | None = Field(description="First failure of the current run of failed attempts")
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookEndpointCreated(WebhookEndpointRead):
    secret: str | None = Field(
        description="The signing secret (`whsec_...`), shown only in this answer (null on an idempotent replay)"
    )


class WebhookSecretRotated(WebhookEndpointRead):
    secret: str = Field(description="The new signing secret, shown only in this answer")
    previous_secret_expires_at: datetime = Field(description="Until then the old secret signs along (24 hours)")


class WebhookDeliveryRead(ReadModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The event's id (`webhook-id`)")
    event_type: str
    case_id: uuid.UUID | None
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = Field(description="HTTP status of the last attempt; null when none answered")
    last_error: str | None = Field(description="Why the last attempt failed when no status came back")
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="When it is tried again (pending deliveries)")
    delivered_at: datetime | None
    created_at: datetime
