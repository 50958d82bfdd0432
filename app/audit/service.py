"""Recording changes (audit row + feed event) and reads of personal data, in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.db import insert_at_commit, mark_case_changed
from app.core.logging import acting_user, request_path
from app.organizations.models import OrganizationKind

# What app/compliance reads: the case (periods, closing), milestones, tracks and submitted reports. A medical
# status push reaches compliance through the milestone it records.
COMPLIANCE_FACTS = frozenset({"case", "milestone", "track", "progress_report"})


@dataclass(frozen=True, slots=True)
class CaseParties:
    """The organizations that see a case: who may see its audit rows and events."""

    case_id: uuid.UUID
    bureau_id: uuid.UUID
    employer_id: uuid.UUID
    arbodienst_id: uuid.UUID | None


def record_change(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID,
    case: CaseParties | None = None,
    organization_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    employer_may_see: bool = True,
    arbodienst_may_see: bool = True,
    tenant: uuid.UUID | None = None,
) -> None:
    """Add an audit row and a change-feed event; they commit with the change or not at all.

    `before`/`after` must be the public (read) shapes: never a secret, never a full BSN. A change to a fact
    the Poortwachter rules read also marks the case, so that its compliance snapshot is recomputed before
    the commit.

    Every row has a tenant (`bureau_id`, in both tables' primary keys: docs/scaling.md, section 2): the case's
    bureau, or for a change without a case (an organization registered) the acting organization, which must be
    a bureau. Who sees such an event is `organization_id` alone: the feed shows a bureau its tenant's rows only
    when they belong to a case. `tenant` names it outright for a change without a case made by an employer or
    arbodienst (its own details, say).
    """
    if case is not None:
        tenant = case.bureau_id
        if entity_type in COMPLIANCE_FACTS:
            mark_case_changed(session, case.case_id)
    elif tenant is None:
        if principal.kind is not OrganizationKind.reintegratiebureau:
            raise ValueError(f"A change without a case needs a bureau as its tenant, not a {principal.kind.value}.")
        tenant = principal.organization_id
    # Inserted just before the commit, in one batch per table (app/core/db.py::insert_at_commit).
    insert_at_commit(
        session,
        "audit_log",
        {
            "bureau_id": tenant,
            "case_id": case.case_id if case else None,
            "actor_organization_id": principal.organization_id,
            "actor_key_id": principal.key_id,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": _json(before),
            "after": _json(after),
        },
    )
    insert_at_commit(
        session,
        "events",
        {
            "uid": uuid.uuid4(),  # made here, so the webhook fan-out finds exactly this transaction's new events
            "type": f"{entity_type}.{action}",
            "entity_type": entity_type,
            "entity_id": entity_id,
            "case_id": case.case_id if case else None,
            "organization_id": organization_id,
            "bureau_id": tenant,
            "employer_id": case.employer_id if case else None,
            "arbodienst_id": case.arbodienst_id if case else None,
            "visible_to_employer": employer_may_see,
            "visible_to_arbodienst": arbodienst_may_see,
        },
    )


def _json(value: dict[str, Any] | None) -> str | None:
    return orjson.dumps(value).decode() if value is not None else None


def record_access(
    session: AsyncSession, principal: Principal, case: CaseParties, *, what: str, path: str | None = None
) -> None:
    """Log a read of a case's personal data (NEN 7513): who (organization, key and the `X-Acting-User` the caller
    named), what, where (the request's path unless given) and when (the row's time)."""
    insert_at_commit(
        session,
        "access_log",
        {
            "bureau_id": case.bureau_id,
            "case_id": case.case_id,
            "actor_organization_id": principal.organization_id,
            "actor_key_id": principal.key_id,
            "what": what,
            "path": (path or request_path.get())[:300],
            "acting_user": acting_user.get(),
        },
    )
