"""Rules of document references: who records and reads which kind, and what makes a reference valid."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.models import Case
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.core.pagination import Page, dated_key, paginate
from app.documents import repository
from app.documents.models import DocumentReference
from app.documents.schemas import DocumentCreate, DocumentRead, UploadFinding
from app.milestones import repository as milestones
from app.reintegratieverslag import documents as rules


def to_ref(doc: DocumentReference) -> rules.DocumentRef:
    return rules.DocumentRef(
        id=str(doc.id),
        kind=doc.kind,
        dated_on=doc.dated_on,
        supplied_by=doc.supplied_by,
        signed_by=tuple(doc.signed_by),
        bsn_on_document=doc.bsn_on_document,
        media_type=doc.media_type,
        size_bytes=doc.size_bytes,
        milestone_id=str(doc.milestone_id) if doc.milestone_id else None,
        created_at=doc.created_at,
    )


def to_read(doc: DocumentReference) -> DocumentRead:
    findings = [UploadFinding(code=f.code, ref=f.ref) for f in rules.upload_findings(to_ref(doc))]
    return DocumentRead(
        id=doc.id,
        case_id=doc.case_id,
        kind=doc.kind,
        title=doc.title,
        dated_on=doc.dated_on,
        supplied_by=doc.supplied_by,
        signed_by=list(doc.signed_by),
        bsn_on_document=doc.bsn_on_document,
        media_type=doc.media_type,
        size_bytes=doc.size_bytes,
        sha256=doc.sha256,
        milestone_id=doc.milestone_id,
        findings=findings,
        recorded_by_organization_id=doc.recorded_by_organization_id,
        created_at=doc.created_at,
    )


async def _validate(session: AsyncSession, case: Case, data: DocumentCreate) -> None:
    if data.supplied_by not in rules.SUPPLIERS[data.kind]:
        allowed = " or ".join(rules.SUPPLIERS[data.kind])
        raise Unprocessable(f"A {data.kind} is supplied by {allowed}.", field="supplied_by")
    if data.dated_on < case.first_sick_day:
        raise Unprocessable(f"dated_on is before the first sick day ({case.first_sick_day}).", field="dated_on")
    if data.dated_on > cases.today():
        raise Unprocessable("dated_on is in the future.", field="dated_on")
    if data.kind == rules.ARBEIDSDESKUNDIG:
        if data.milestone_id is not None:
            raise Unprocessable(
                "An arbeidsdeskundig rapport belongs to the case, not to a milestone.", field="milestone_id"
            )
        return
    if data.milestone_id is None:
        raise Unprocessable(f"A {data.kind} document needs the milestone it records.", field="milestone_id")
    milestone = await milestones.get_for_case(session, case.bureau_id, case.id, data.milestone_id)
    if milestone is None:
        raise Unprocessable("No such milestone in this case.", field="milestone_id")
    if milestone.type != data.kind:
        raise Unprocessable(f"The milestone is a {milestone.type}, not a {data.kind}.", field="milestone_id")


async def record(session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: DocumentCreate) -> DocumentRead:
    case = await cases.load_visible(session, principal, case_id)
    if not rules.may_record(principal.kind.value, data.kind, data.supplied_by):
        raise Forbidden(
            f"A {principal.kind.value} may not record a {data.kind} document supplied by {data.supplied_by}."
        )
    await _validate(session, case, data)
    doc = DocumentReference(
        id=uuid.uuid4(),
        case_id=case.id,
        bureau_id=case.bureau_id,
        kind=data.kind,
        title=data.title,
        dated_on=data.dated_on,
        supplied_by=data.supplied_by,
        signed_by=[p for p in rules.SIGNER_PARTIES if p in data.signed_by],  # a set, in a fixed order
        bsn_on_document=data.bsn_on_document,
        media_type=data.media_type,
        size_bytes=data.size_bytes,
        sha256=data.sha256,
        milestone_id=data.milestone_id,
        recorded_by_organization_id=principal.organization_id,
        recorded_by_key_id=principal.key_id,
    )
    session.add(doc)
    await session.flush()
    read = to_read(doc)
    arbodienst_kinds = rules.readable_kinds(rules.ARBODIENST) or frozenset()
    record_change(
        session,
        principal,
        action="recorded",
        entity_type="document",
        entity_id=doc.id,
        case=cases.parties(case),
        after=read.model_dump(mode="json"),
        arbodienst_may_see=data.kind in arbodienst_kinds,
    )
    return read


def _kinds(principal: Principal, kind: str | None) -> frozenset[str] | None:
    readable = rules.readable_kinds(principal.kind.value)
    if kind is None:
        return readable
    return frozenset({kind}) & readable if readable is not None else frozenset({kind})


async def list_page(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, kind: str | None, cursor: str | None, limit: int
) -> Page[DocumentRead]:
    case = await cases.load_visible(session, principal, case_id)
    rows = await repository.list_for_case(
        session, case.bureau_id, case.id, kinds=_kinds(principal, kind), after=dated_key(cursor), limit=limit + 1
    )
    return paginate(rows, limit, lambda d: (d.dated_on.isoformat(), d.id), to_read)


async def get(session: AsyncSession, principal: Principal, case_id: uuid.UUID, document_id: uuid.UUID) -> DocumentRead:
    case = await cases.load_visible(session, principal, case_id)
    doc = await repository.get_for_case(session, case.bureau_id, case.id, document_id)
    readable = rules.readable_kinds(principal.kind.value)
    if doc is None or (readable is not None and doc.kind not in readable):
        raise NotFound("No such document.")
    return to_read(doc)
