"""HTTP routes of candidate proposals."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, etag, require_version, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.proposals import service
from app.proposals.schemas import ProposalCreate, ProposalRead, ProposalStatus, ProposalUpdate

router = APIRouter(prefix="/v1", tags=["candidate-proposals"])


@router.post(
    "/tracks/{track_id}/candidate-proposals",
    operation_id="candidate_proposals_create",
    status_code=201,
    response_model=ProposalRead,
    responses=problems(403, 404, 409),  # 409: the same Idempotency-Key still in flight
)
async def create_proposal(
    track_id: uuid.UUID,
    request: Request,
    body: ProposalCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record that the candidate was proposed to an employer (spoor 2 or 3 tracks; the case's bureau only).
    Starts as `proposed` on `proposed_on`."""

    async def create() -> Created:
        proposal = await service.create(session, principal, track_id, body)
        return Created(proposal, {"Location": f"/v1/candidate-proposals/{proposal.id}", "ETag": etag(proposal.version)})

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, create)


@router.get(
    "/tracks/{track_id}/candidate-proposals",
    operation_id="candidate_proposals_list",
    response_model=Page[ProposalRead],
    responses=problems(404),
)
async def list_proposals(
    track_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    status: ProposalStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ProposalRead]:
    """The track's proposals by date (bureau and employer; the arbodienst gets 404)."""
    return await service.list_page(session, principal, track_id, status=status, cursor=cursor, limit=limit)


@router.get(
    "/candidate-proposals/{proposal_id}",
    operation_id="candidate_proposals_get",
    response_model=ProposalRead,
    responses=problems(404),
)
async def get_proposal(
    proposal_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> ProposalRead:
    proposal = await service.get(session, principal, proposal_id)
    set_etag(response, proposal.version)
    return proposal


@router.patch(
    "/candidate-proposals/{proposal_id}",
    operation_id="candidate_proposals_update",
    response_model=ProposalRead,
    responses=problems(403, 404, 409, 412, 428),
)
async def update_proposal(
    proposal_id: uuid.UUID,
    body: ProposalUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ProposalRead:
    """Correct details and/or move the status (`{"status", "status_date", "reason"}`), with If-Match. Moves go
    forward only (422 otherwise); each is kept in `status_history`."""
    proposal = await service.update(session, principal, proposal_id, require_version(if_match), body)
    set_etag(response, proposal.version)
    return proposal
