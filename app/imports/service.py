"""Imports: parse and store the lines (POST), then create each bundle through the resources' own services.

A bundle is created exactly as the single requests would create it (cases.create, milestones.record,
tracks.create, proposals.create, reports.create/submit, tracks.end): the same validation, audit rows, feed events
and compliance snapshot refresh. Each bundle runs in a savepoint: all of it or nothing of it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.models import Case
from app.cases.schemas import CaseCreate
from app.core.crypto import decrypt, encrypt
from app.core.db import insert_rows, session_raw_connection
from app.core.errors import Conflict, NotFound, ProblemError, Unprocessable
from app.core.pagination import Page, created_key, decode_cursor, encode_cursor, paginate
from app.imports.models import Import, ImportLine
from app.imports.schemas import MAX_BUNDLES, BundleTrack, CaseBundle, ImportLineRead, ImportRead, LineProblem
from app.milestones import service as milestones
from app.organizations.models import OrganizationKind
from app.proposals import service as proposals
from app.reports import service as reports
from app.reports.schemas import ReportCreate, ReportSubmit
from app.tracks import service as tracks
from app.tracks.schemas import TrackCreate, TrackEnd

log = logging.getLogger("spoorwijzer.imports")
CHANNEL = "spoorwijzer_imports"


@dataclass(frozen=True, slots=True)
class BundleProblem(Exception):
    """Why a bundle was refused, with the field's path inside the bundle."""

    status: int
    field: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "field": self.field, "message": self.message}


def _problem(exc: ProblemError, prefix: str) -> BundleProblem:
    field = exc.errors[0].field if exc.errors else None
    path = ".".join(part for part in (prefix, field) if part) or None
    return BundleProblem(exc.status, path, exc.detail or exc.title)


def parse_line(text: bytes) -> CaseBundle:
    """One line as a bundle; a BundleProblem (422) names the first invalid field."""
    try:
        return CaseBundle.model_validate_json(text)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        if error["type"] == "json_invalid":
            return _raise(BundleProblem(422, None, f"Not a JSON object: {error['msg']}"))
        return _raise(BundleProblem(422, field, error["msg"]))


def _raise(problem: BundleProblem) -> CaseBundle:
    raise problem


def split_lines(body: bytes) -> list[tuple[int, bytes]]:
    """The non-blank lines with their numbers (from 1); 422 for a file that is empty, not UTF-8 or too long."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise Unprocessable("The file is not UTF-8 text.") from None
    lines = [(n, line) for n, line in enumerate(body.split(b"\n"), start=1) if line.strip()]
    if not lines:
        raise Unprocessable("The file has no bundles: send one JSON object (a case bundle) per line.")
    if len(lines) > MAX_BUNDLES:
        raise Unprocessable(f"An import takes at most {MAX_BUNDLES} bundles; this file has {len(lines)}.")
    return lines


def seal(bundle: CaseBundle) -> str:
    """A pending line's bundle as stored: encrypted like a case's BSN (it holds one, and the employee's name and
    birth date), as a JSON string; it is cleared once the line is processed."""
    plain = orjson.dumps(bundle.model_dump(mode="json", exclude_unset=True)).decode()
    return orjson.dumps(encrypt(plain).decode()).decode()


def unseal(payload: str) -> CaseBundle:
    return CaseBundle.model_validate_json(decrypt(payload.encode()))


def to_read(job: Import) -> ImportRead:
    return ImportRead(
        id=job.id,
        status=job.status,
        total=job.total,
        done=job.created + job.existing + job.failed,
        created=job.created,
        existing=job.existing,
        failed=job.failed,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


async def create(session: AsyncSession, principal: Principal, body: bytes) -> ImportRead:
    """Store the file's lines (a line that is not a valid bundle is failed at once) as a queued import."""
    principal.require(OrganizationKind.reintegratiebureau, action="import cases")
    lines = split_lines(body)
    job = Import(id=uuid.uuid4(), bureau_id=principal.organization_id, key_id=principal.key_id, total=len(lines))
    rows: list[dict[str, Any]] = []
    failed = 0
    for number, raw in lines:
        try:
            bundle = parse_line(raw)
        except BundleProblem as problem:
            failed += 1
            rows.append(_line(job.id, number, "failed", None, None, problem.as_json()))
        else:
            rows.append(_line(job.id, number, "pending", seal(bundle), bundle.external_ref, None))
    job.failed = failed
    if failed == len(lines):
        job.status, job.started_at, job.finished_at = "done", func.clock_timestamp(), func.clock_timestamp()
    session.add(job)
    await session.flush()
    await session.refresh(job)
    await insert_rows(await session_raw_connection(session), "import_lines", rows)
    # Delivered at the commit: wakes the import workers (app/imports/worker.py) at once instead of at their next poll.
    await session.execute(text(f"NOTIFY {CHANNEL}"))
    return to_read(job)


def _line(
    import_id: uuid.UUID,
    number: int,
    status: str,
    payload: str | None,
    external_ref: str | None,
    result: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "line_no": number,
        "status": status,
        "payload": payload,
        "external_ref": external_ref,
        "result": orjson.dumps(result).decode() if result is not None else None,
    }


async def _visible(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> Import:
    principal.require(OrganizationKind.reintegratiebureau, action="read imports")
    job = await session.scalar(
        select(Import).where(Import.id == import_id, Import.bureau_id == principal.organization_id)
    )
    if job is None:
        raise NotFound("No such import.")
    return job


async def get(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> ImportRead:
    return to_read(await _visible(session, principal, import_id))


async def list_page(session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int) -> Page[ImportRead]:
    principal.require(OrganizationKind.reintegratiebureau, action="read imports")
    query = select(Import).where(Import.bureau_id == principal.organization_id)
    after = created_key(cursor)
    if after is not None:
        query = query.where(tuple_(Import.created_at, Import.id) > tuple_(*after))
    rows = list((await session.scalars(query.order_by(Import.created_at, Import.id).limit(limit + 1))).all())
    return paginate(rows, limit, lambda r: (r.created_at.isoformat(), r.id), to_read)


async def lines_page(
    session: AsyncSession,
    principal: Principal,
    import_id: uuid.UUID,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ImportLineRead]:
    job = await _visible(session, principal, import_id)
    query = select(ImportLine).where(ImportLine.import_id == job.id)
    if status is not None:
        query = query.where(ImportLine.status == status)
    key = decode_cursor(cursor, 1)
    if key is not None:
        if not key[0].isdigit():
            raise Unprocessable("Invalid cursor.", field="cursor", location="query")
        query = query.where(ImportLine.line_no > int(key[0]))
    rows = list((await session.scalars(query.order_by(ImportLine.line_no).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        ImportLineRead(
            line=r.line_no,
            status=r.status,
            external_ref=r.external_ref,
            created=r.result if r.status in ("created", "existing") else None,
            problem=LineProblem.model_validate(r.result) if r.status == "failed" and r.result else None,
        )
        for r in rows
    ]
    return Page(items=items, next_cursor=encode_cursor(rows[-1].line_no) if more and rows else None)


async def import_bundle(session: AsyncSession, principal: Principal, bundle: CaseBundle) -> tuple[str, dict[str, Any]]:
    """Create one bundle (call inside a savepoint: a BundleProblem leaves it half made). Answers the line's status
    (`created` or `existing`) and the ids. Each part goes through its resource's service, on the rows made just
    before (the new case, the new track) instead of reading them back."""
    # The case as POST /v1/cases takes it: the bundle's own fields, without what hangs under the case.
    case_data = CaseCreate.model_validate(bundle.model_dump(include=set(CaseCreate.model_fields)))
    try:
        case = await cases.add(session, principal, case_data)
    except Conflict as exc:
        if exc.extra.get("existing_id"):  # a case with this external_ref exists: imported before, or meanwhile
            return "existing", {"case_id": exc.extra["existing_id"]}
        raise _problem(exc, "") from None
    except ProblemError as exc:
        raise _problem(exc, "") from None
    made: dict[str, Any] = {"case_id": str(case.id), "milestone_ids": [], "tracks": []}
    for i, milestone in enumerate(bundle.milestones):
        try:
            made["milestone_ids"].append(str((await milestones.record_on(session, principal, case, milestone)).id))
        except ProblemError as exc:
            raise _problem(exc, f"milestones.{i}") from None
    for t, data in enumerate(bundle.tracks):
        made["tracks"].append(await _import_track(session, principal, case, data, f"tracks.{t}"))
    return "created", made


async def _import_track(
    session: AsyncSession, principal: Principal, case: Case, data: BundleTrack, path: str
) -> dict[str, Any]:
    try:
        track = await tracks.start(
            session, principal, case, TrackCreate.model_validate(data.model_dump(include=set(TrackCreate.model_fields)))
        )
    except ProblemError as exc:
        raise _problem(exc, path) from None
    made: dict[str, Any] = {"track_id": str(track.id), "proposal_ids": [], "report_ids": []}
    for i, proposal in enumerate(data.candidate_proposals):
        try:
            made["proposal_ids"].append(str((await proposals.create_on(session, principal, track, case, proposal)).id))
        except ProblemError as exc:
            raise _problem(exc, f"{path}.candidate_proposals.{i}") from None
    for i, report in enumerate(data.progress_reports):
        content = ReportCreate.model_validate(
            report.model_dump(include=set(ReportCreate.model_fields), exclude_unset=True)
        )
        try:
            row, _ = await reports.create_on(session, principal, track, case, content)
            if report.submitted_on is not None:
                submit = ReportSubmit(submitted_on=report.submitted_on)
                await reports.submit_on(session, principal, row, track, case, submit)
        except ProblemError as exc:
            raise _problem(exc, f"{path}.progress_reports.{i}") from None
        made["report_ids"].append(str(row.id))
    if data.ended_on is not None or data.end_reason is not None:
        if data.ended_on is None or data.end_reason is None:
            raise BundleProblem(422, f"{path}.end_reason", "ended_on and end_reason go together.")
        try:
            await tracks.end_on(
                session, principal, track, case, TrackEnd(ended_on=data.ended_on, end_reason=data.end_reason)
            )
        except ProblemError as exc:
            raise _problem(exc, path) from None
    return made


async def finish_done(session: AsyncSession) -> None:
    """Mark imports without pending lines as done (the last pass over an import may have run in another worker)."""
    pending = select(ImportLine.import_id).where(ImportLine.import_id == Import.id, ImportLine.status == "pending")
    await session.execute(
        update(Import)
        .where(Import.status != "done", ~pending.exists())
        .values(status="done", finished_at=func.clock_timestamp())
    )
