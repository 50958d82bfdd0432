"""HTTP routes of tracks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, etag, optional_version, require_version, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.tracks import service
from app.tracks.schemas import TrackCreate, TrackEnd, TrackRead, TrackUpdate

router = APIRouter(prefix="/v1", tags=["tracks"])


@router.post(
    "/cases/{case_id}/tracks",
    operation_id="tracks_create",
    status_code=201,
    response_model=TrackRead,
    responses=problems(403, 404, 409),
)
async def start_track(
    case_id: uuid.UUID,
    request: Request,
    body: TrackCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Start a spoor 1, 2 or 3 track (the case's bureau only). Spoor 3 needs an employer that is
    WGA-eigenrisicodrager and a `wia_beslissing` of 35 to 80 percent (422 naming the unmet condition in
    `unmet_condition`); a second track of the same spoor overlapping an active one is a 409."""

    async def create() -> Created:
        track = await service.create(session, principal, case_id, body)
        return Created(track, {"Location": f"/v1/tracks/{track.id}", "ETag": etag(track.version)})

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, create)


@router.get(
    "/cases/{case_id}/tracks", operation_id="tracks_list", response_model=Page[TrackRead], responses=problems(404)
)
async def list_tracks(
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    spoor: Annotated[int | None, Query(ge=1, le=3, description="Only tracks of this spoor")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[TrackRead]:
    """The case's tracks by start date (bureau, employer and arbodienst of the case)."""
    return await service.list_page(session, principal, case_id, spoor=spoor, cursor=cursor, limit=limit)


@router.get("/tracks/{track_id}", operation_id="tracks_get", response_model=TrackRead, responses=problems(404))
async def get_track(track_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response) -> TrackRead:
    track = await service.get(session, principal, track_id)
    set_etag(response, track.version)
    return track


@router.patch(
    "/tracks/{track_id}",
    operation_id="tracks_update",
    response_model=TrackRead,
    responses=problems(403, 404, 409, 412, 428),
)
async def update_track(
    track_id: uuid.UUID,
    body: TrackUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> TrackRead:
    """Change started_on, coach or goal; requires If-Match. An ended track is read-only (409)."""
    track = await service.update(session, principal, track_id, require_version(if_match), body)
    set_etag(response, track.version)
    return track


@router.post(
    "/tracks/{track_id}/end",
    operation_id="tracks_end",
    response_model=TrackRead,
    responses=problems(403, 404, 409, 412),
)
async def end_track(
    track_id: uuid.UUID,
    body: TrackEnd,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> TrackRead:
    """End the track; from then on it is read-only. If-Match is optional here (checked when sent)."""
    version = optional_version(if_match)
    track = await service.end(session, principal, track_id, version, body)
    set_etag(response, track.version)
    return track


@router.delete(
    "/tracks/{track_id}",
    operation_id="tracks_delete",
    status_code=204,
    response_class=Response,
    responses=problems(403, 404, 409, 412, 428),
)
async def delete_track(
    track_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchHeader = None
) -> Response:
    """Delete a track that has no progress reports and no candidate proposals (409 otherwise); requires If-Match."""
    await service.delete(session, principal, track_id, require_version(if_match))
    return Response(status_code=204)
