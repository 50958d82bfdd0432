"""HTTP routes of the AVG rights on a case: export, erasure and legal hold (bureaus only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.openapi import problems
from app.reports.pdf import in_thread
from app.reports.router import PDF, _wants_pdf
from app.retention import pdf, service
from app.retention.schemas import CaseExport, ErasureRead, ErasureRequest, LegalHoldChange, LegalHoldRead

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.get(
    "/{case_id}/export",
    operation_id="cases_export",
    response_model=CaseExport,
    responses={
        **problems(403, 404),
        200: {
            "description": "The complete file as one JSON document, or readable as a PDF with "
            "`Accept: application/pdf`",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
async def export_case(case_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    """The complete file of the case for the employee's right of access and portability (AVG art. 15 and 20):
    the case with the full BSN, every resource and every version, its audit log and access log. Bureaus only;
    the export itself is written to the access log."""
    export = await service.export(session, principal, case_id, request.url.path)
    if _wants_pdf(request.headers.get("accept")):
        filename = f"dossier-{case_id}.pdf"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"}
        return Response(await in_thread(pdf.render, export), media_type=PDF, headers=headers)
    return Response(export.model_dump_json(), media_type="application/json", headers={"Vary": "Accept"})


@router.post(
    "/{case_id}/erase", operation_id="cases_erase", response_model=ErasureRead, responses=problems(403, 404, 409)
)
async def erase_case(
    case_id: uuid.UUID, body: ErasureRequest, session: SessionDep, principal: PrincipalDep
) -> ErasureRead:
    """Anonymise the case now, as the retention run would (AVG art. 17): the employee's name, date of birth and
    BSN, every free text and the prospective employers' names are removed; dates, statuses, outcomes and the audit
    trail (without personal fields) stay. A case on legal hold answers 409 naming the hold. Bureaus only."""
    return await service.erase(session, principal, case_id, body)


@router.get(
    "/{case_id}/legal-hold",
    operation_id="cases_legal_hold_get",
    response_model=LegalHoldRead,
    responses=problems(403, 404),
)
async def get_legal_hold(case_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> LegalHoldRead:
    """Whether the case is on legal hold, why and since when. Bureaus only."""
    return await service.get_legal_hold(session, principal, case_id)


@router.put(
    "/{case_id}/legal-hold",
    operation_id="cases_legal_hold_set",
    response_model=LegalHoldRead,
    responses=problems(403, 404, 409),
)
async def set_legal_hold(
    case_id: uuid.UUID, body: LegalHoldChange, session: SessionDep, principal: PrincipalDep
) -> LegalHoldRead:
    """Set or clear the legal hold (e.g. during a loonsanctie dispute), with a reason kept in the audit log. While
    on hold the case is neither anonymised by retention nor erased. Bureaus only."""
    return await service.set_legal_hold(session, principal, case_id, body)
