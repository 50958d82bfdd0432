"""Wire shapes of the audit log, the access log and the change feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from app.audit.models import Event
from app.core.schemas import ReadModel

AccessWhat = Literal["case", "bsn", "medical_status", "progress_report", "milestone", "audit_log", "calendar_feed"]

# The change feed's event types (`<entity_type>.<action>` of app/audit/service.py::record_change). An open vocabulary:
# a new one is a minor change, and tests/test_contract_docs.py checks that every event written is listed here.
EventType = Literal[
    "organization.created",
    "case.created",
    "case.updated",
    "case.closed",
    "milestone.recorded",
    "track.started",
    "track.updated",
    "track.ended",
    "progress_report.created",
    "progress_report.updated",
    "progress_report.submitted",
    "candidate_proposal.created",
    "candidate_proposal.updated",
    "candidate_proposal.status_changed",
    "medical_status.created",
    "medical_status.updated",
    "case.legal_hold_set",
    "case.legal_hold_cleared",
    "case.erased",
    "case.phase_changed",
    "document.created",
    "obligation.due_soon",
    "obligation.overdue",
    "milestone.voided",
    "track.deleted",
    "progress_report.deleted",
    "organization.updated",
    "api_key.created",
    "api_key.revoked",
]


class AuditEntryRead(ReadModel):
    id: int
    at: datetime
    actor_organization_id: uuid.UUID | None
    actor_key_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AccessEntryRead(ReadModel):
    id: int
    at: datetime
    actor_organization_id: uuid.UUID
    actor_key_id: uuid.UUID
    what: AccessWhat = Field(
        description="What was read: the case (`bsn`: with its masked BSN; also in the answer to a create, update "
        "or close), the medical status, a progress report (JSON or PDF; a list of them counts once), milestones "
        "with a note or WIA percentage, the case's audit log, or a calendar feed showing the employee's name"
    )
    path: str
    acting_user: str | None = Field(description="The `X-Acting-User` the caller sent with the read, if any")


class EventRead(ReadModel):
    id: uuid.UUID = Field(
        description="Stable event id: the same in this feed and in a webhook's `id` and `webhook-id` header"
    )
    type: str = Field(
        description="`<entity_type>.<action>`, e.g. `case.created`", json_schema_extra={"x-vocabulary": "EventType"}
    )
    entity_type: str
    entity_id: uuid.UUID
    case_id: uuid.UUID | None
    occurred_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _public_id(cls, data: Any) -> Any:
        # From the ORM row: its public `uid` is the event's id (the bigint `id` only orders the feed).
        if isinstance(data, Event):
            return {
                "id": data.uid,
                "type": data.type,
                "entity_type": data.entity_type,
                "entity_id": data.entity_id,
                "case_id": data.case_id,
                "occurred_at": data.occurred_at,
            }
        return data


class EventPage(ReadModel):
    items: list[EventRead]
    next_cursor: str = Field(description="Pass as `after` to continue; also when `items` is empty, to poll")
    has_more: bool
