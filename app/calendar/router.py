"""HTTP routes of calendar feeds: create (secret URL), list, revoke, and the .ics itself (no key needed)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Path, Request, Response

from app.auth.principal import WHOLE_VIEW, PrincipalDep
from app.calendar import service
from app.calendar.schemas import CalendarFeedCreate, CalendarFeedCreated, CalendarFeedRead
from app.core.db import SessionDep
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page

router = APIRouter(prefix="/v1", tags=["calendar"])

# Calendar clients poll (Google every few hours, Outlook about hourly): let them and proxies keep it 15 minutes.
CACHE_CONTROL = "private, max-age=900"


@router.post(
    "/calendar-feeds",
    operation_id="calendar_feeds_create",
    dependencies=[WHOLE_VIEW],
    status_code=201,
    response_model=CalendarFeedCreated,
    responses=problems(409),
)
async def create_feed(
    request: Request,
    body: CalendarFeedCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A secret iCalendar URL with the outstanding obligations of your cases (what this key sees), for Outlook,
    Google Calendar and the like. The URL is shown once; anyone holding it can read the feed until revoked."""

    async def make() -> Created:
        created = await service.create(session, principal, body)
        return Created(created, {}, secret_fields=("url",))

    return await idempotent(session, request, principal.organization_id, idempotency_key, body, make)


@router.get(
    "/calendar-feeds",
    operation_id="calendar_feeds_list",
    response_model=Page[CalendarFeedRead],
    responses=problems(),
    dependencies=[WHOLE_VIEW],
)
async def list_feeds(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[CalendarFeedRead]:
    """Your organization's calendar feeds (without their URLs), oldest first."""
    return await service.list_page(session, principal, cursor, limit)


@router.delete(
    "/calendar-feeds/{feed_id:uuid}",
    operation_id="calendar_feeds_revoke",
    status_code=204,
    responses=problems(404),
    dependencies=[WHOLE_VIEW],
)
async def revoke_feed(feed_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke the feed: its URL answers 404 from now on."""
    await service.revoke(session, principal, feed_id, request.app.state.clock.now())
    return Response(status_code=204)


@router.get(
    "/calendar-feeds/{token}.ics",
    operation_id="calendar_feeds_ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar (RFC 5545)"},
        **problems(404),
    },
    openapi_extra={"security": []},
)
async def feed_ics(
    request: Request,
    session: SessionDep,
    token: str = Path(min_length=20, max_length=100, pattern=r"^spw_cal_[A-Za-z0-9_-]+$"),
) -> Response:
    """The feed itself, without an API key (calendar clients cannot send one): the secret URL is the credential.
    One all-day event per outstanding obligation; UIDs are stable per obligation, SEQUENCE grows when a due date
    moves."""
    clock = request.app.state.clock
    body = await service.render(
        session,
        token,
        today=clock.today(),
        now=clock.now(),
        settings=request.app.state.settings,
        path="/v1/calendar-feeds/{token}.ics",  # never the token itself in a log
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": CACHE_CONTROL, "Content-Disposition": 'inline; filename="spoorwijzer.ics"'},
    )
