"""HTTP routes of document references."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.documents import service
from app.documents.schemas import DocumentCreate, DocumentRead
from app.reintegratieverslag.documents import DocumentKind

router = APIRouter(prefix="/v1/cases/{case_id}/documents", tags=["documents"])


@router.post(
    "", operation_id="documents_create", status_code=201, response_model=DocumentRead, responses=problems(403, 404, 409)
)
async def record_document(
    case_id: uuid.UUID,
    request: Request,
    body: DocumentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record a reference to a document of the re-integratieverslag (the file stays with the party that made
    it). Bureau: any kind; werkgever: what werkgever or werknemer supply; arbodienst: what the bedrijfsarts
    supplies. Append-only: a corrected file is a new reference."""

    async def create() -> Created:
        doc = await service.record(session, principal, case_id, body)
        return Created(doc, {"Location": f"/v1/cases/{case_id}/documents/{doc.id}"})

    return await idempotent(session, request, principal.organization_id, idempotency_key, body, create)


@router.get("", operation_id="documents_list", response_model=Page[DocumentRead], responses=problems(404))
async def list_documents(
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    kind: DocumentKind | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[DocumentRead]:
    """The case's document references in date order (the arbodienst: the kinds it may record)."""
    return await service.list_page(session, principal, case_id, kind=kind, cursor=cursor, limit=limit)


@router.get("/{document_id}", operation_id="documents_get", response_model=DocumentRead, responses=problems(404))
async def get_document(
    case_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DocumentRead:
    return await service.get(session, principal, case_id, document_id)
