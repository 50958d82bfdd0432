"""Every error as RFC 9457 problem+json: domain exceptions, validation, HTTP errors and the unexpected."""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A problem's `type` is its entry in the error catalogue (docs/errors.md, published at this address).
CATALOGUE = "https://spoorwijzer.nl/docs/errors"


class Code(StrEnum):
    """Every problem's machine code; each has a section in docs/errors.md with its meaning and fix.

    Adding a problem: one line here, one section there (tests/test_errors_catalogue.py holds the two together),
    then raise it with `code=Code.<name>`.
    """

    # The protocol: authentication, media types, sizes, methods.
    malformed_json = "malformed_json"
    bad_request = "bad_request"
    unauthorized = "unauthorized"
    forbidden = "forbidden"
    key_read_only = "key_read_only"
    not_found = "not_found"
    method_not_allowed = "method_not_allowed"
    not_acceptable = "not_acceptable"
    body_too_large = "body_too_large"
    unsupported_media_type = "unsupported_media_type"
    validation_error = "validation_error"
    invalid_cursor = "invalid_cursor"
    # Versions and retries.
    if_match_required = "if_match_required"
    stale_version = "stale_version"
    unknown_version = "unknown_version"
    idempotency_key_reused = "idempotency_key_reused"
    idempotency_in_progress = "idempotency_in_progress"
    # The dossier's own rules.
    case_closed = "case_closed"
    milestone_voided = "milestone_voided"
    track_not_empty = "track_not_empty"
    case_anonymised = "case_anonymised"
    legal_hold = "legal_hold"
    external_ref_taken = "external_ref_taken"
    organization_kind_mismatch = "organization_kind_mismatch"
    spoor_3_condition = "spoor_3_condition"
    track_overlap = "track_overlap"
    track_ended = "track_ended"
    reports_outside_track = "reports_outside_track"
    proposals_outside_track = "proposals_outside_track"
    report_period_taken = "report_period_taken"
    report_submitted = "report_submitted"
    report_empty = "report_empty"
    proposal_transition = "proposal_transition"
    proposal_date_fixed = "proposal_date_fixed"
    medical_status_exists = "medical_status_exists"
    already_exists = "already_exists"
    # The service.
    database_unavailable = "database_unavailable"
    database_busy = "database_busy"
    snapshots_refreshing = "snapshots_refreshing"
    not_ready = "not_ready"
    internal_error = "internal_error"


def problem_type(code: Code) -> str:
    return f"{CATALOGUE}#{code.value}"


class FieldError(BaseModel):
    """One invalid input field."""

    field: str = Field(description="Dotted path of the field, e.g. `employee.bsn` or `absence_periods.1`")
    location: str = Field(description="`body`, `query`, `path` or `header`")
    message: str
    type: str = Field(description="Machine-readable error kind, e.g. `missing`, `value_error`")


_OPTIONAL_MEMBERS = (
    "errors",
    "existing_id",
    "current_version",
    "unmet_condition",
    "current_status",
    "rule",
    "legal_hold",
    "legal_hold_reason",
)


def _problem_schema(schema: dict[str, Any]) -> None:
    # Members a problem carries only when they apply are optional; `code` is always there.
    for member in _OPTIONAL_MEMBERS:
        schema["required"].remove(member)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(
        extra="allow", json_schema_serialization_defaults_required=True, json_schema_extra=_problem_schema
    )

    type: str = Field(
        default="about:blank",
        description="URI of the problem's entry in the error catalogue, " + CATALOGUE + "#<code>",
        examples=[CATALOGUE + "#case_closed"],
    )
    code: str = Field(
        description="Stable machine code of the problem (the catalogue's ProblemCode; new codes may be added in a "
        "minor version, so treat an unknown one by its HTTP status)",
        examples=["case_closed"],
        # One of the catalogue's codes (ProblemCode), or a newer one: app/core/openapi.py names the vocabulary.
        json_schema_extra={"x-vocabulary": "ProblemCode"},
    )
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="Present on 422: each invalid field")
    existing_id: str | None = Field(
        default=None,
        description="The resource that is in the way (external_ref_taken, track_overlap, report_period_taken, "
        "organization_kind_mismatch)",
    )
    current_version: int | None = Field(
        default=None, description="The current version, to read again (stale_version, medical_status_exists)"
    )
    unmet_condition: str | None = Field(
        default=None,
        description="spoor_3_condition: `employer_is_wga_eigenrisicodrager`, `wia_beslissing` or `wia_uitkering`",
    )
    current_status: str | None = Field(default=None, description="proposal_transition: the proposal's status now")
    rule: str | None = Field(
        default=None,
        description="validation_error of a milestone: the Poortwachter rule it breaks (docs/poortwachter.md)",
    )
    legal_hold: bool | None = Field(default=None, description="legal_hold: the case is on legal hold")
    legal_hold_reason: str | None = Field(default=None, description="legal_hold: why the case is held")


class ProblemError(Exception):
    """Raised by services and routers; rendered as problem+json with the class's code unless one is given."""

    status = 400
    title = "Bad Request"
    code = Code.bad_request

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: Code | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors = errors
        self.headers = headers
        self.extra = extra


class NotFound(ProblemError):
    status, title, code = 404, "Not Found", Code.not_found


class Unauthorized(ProblemError):
    status, title, code = 401, "Unauthorized", Code.unauthorized


class Forbidden(ProblemError):
    status, title, code = 403, "Forbidden", Code.forbidden


class Conflict(ProblemError):
    """A 409 always names its own code: telling one conflict from another is what the code is for."""

    status, title = 409, "Conflict"

    def __init__(self, detail: str, *, code: Code, **extra: Any) -> None:
        super().__init__(detail, code=code, **extra)


class PreconditionFailed(ProblemError):
    status, title, code = 412, "Precondition Failed", Code.stale_version


class PreconditionRequired(ProblemError):
    status, title, code = 428, "Precondition Required", Code.if_match_required


class Unprocessable(ProblemError):
    status, title, code = 422, "Unprocessable Content", Code.validation_error

    def __init__(
        self, detail: str, *, field: str | None = None, location: str = "body", code: Code | None = None, **extra: Any
    ) -> None:
        errors = [FieldError(field=field, location=location, message=detail, type="value_error")] if field else None
        super().__init__(detail, code=code, errors=errors, **extra)


class InvalidCursor(ProblemError):
    """A cursor that does not verify: made by hand, altered, or issued for another list or other filters."""

    status, title, code = 422, "Unprocessable Content", Code.invalid_cursor

    def __init__(self, field: str = "cursor") -> None:
        detail = (
            f"Invalid cursor: pass `next_cursor` of a previous page unchanged, with the same filters as that page "
            f"(`{field}`)."
        )
        super().__init__(
            detail, errors=[FieldError(field=field, location="query", message=detail, type="invalid_cursor")]
        )


class ServiceUnavailable(ProblemError):
    status, title, code = 503, "Service Unavailable", Code.database_unavailable


def problem_body(
    status: int, title: str, code: Code, *, detail: str | None, instance: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "code": code.value,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if extra:
        body.update(extra)
    return body


# SQLSTATEs of contention, not of a defect: the same request can succeed a moment later. 40001 serialization
# failure, 40P01 deadlock, 55P03 lock_timeout, 57014 statement_timeout (query canceled).
CONTENTION_SQLSTATES = ("40001", "40P01", "55P03", "57014")


def sqlstate_of(exc: BaseException) -> tuple[str | None, BaseException | None]:
    """The SQLSTATE down an exception's chain, with the error that carries it: the deepest one, the driver's own
    (SQLAlchemy's wrapper copies the code but not the constraint's name and detail)."""
    seen: set[int] = set()
    found: tuple[str | None, BaseException | None] = (None, None)
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str):
            found = (sqlstate, error)
        error = error.__cause__ or error.__context__
    return found


# Unique constraints a race between two requests can hit, with how to find the row already there. The columns of
# the violated key come from PostgreSQL's detail (`Key (a, b)=(x, y) already exists.`); `where` narrows a partial
# index the same way the index does.
UNIQUE_CONFLICTS: dict[str, tuple[str, str, str, Code]] = {
    "uq_progress_reports_track_period": (
        "progress_reports",
        "A progress report for this track and month",
        "",
        Code.report_period_taken,
    ),
    "uq_tracks_open_spoor": (
        "tracks",
        "An open track of this spoor on this case",
        "ended_on IS NULL",
        Code.track_overlap,
    ),
    "uq_cases_bureau_external_ref": ("cases", "A case with this external_ref", "", Code.external_ref_taken),
    "uq_medical_status_versions_case_version": (
        "medical_status_versions",
        "A medical status version with this number",
        "",
        Code.stale_version,
    ),
}
_KEY_DETAIL = re.compile(r"^Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\) already exists\.$")


async def conflicting_id(request: Request, error: BaseException) -> tuple[str, Code, str | None]:
    """What a unique violation means, its problem code, and the id of the row that was there first (None when it
    cannot be told)."""
    constraint = getattr(error, "constraint_name", None)
    known = UNIQUE_CONFLICTS.get(str(constraint))
    if known is None:
        return "A conflicting record", Code.already_exists, None
    table, what, where, code = known
    match = _KEY_DETAIL.match(str(getattr(error, "detail", "") or ""))
    if match is None:
        return what, code, None
    columns = [c.strip() for c in match["columns"].split(",")]
    values = [v.strip() for v in match["values"].split(", ")]
    if len(columns) != len(values) or not all(c.isidentifier() for c in columns):
        return what, code, None
    conditions = [f"{column}::text = :v{n}" for n, column in enumerate(columns)] + ([where] if where else [])
    statement = text(f"SELECT id FROM {table} WHERE {' AND '.join(conditions)} LIMIT 1")
    try:
        async with request.app.state.sessionmaker() as session:
            found = await session.scalar(statement, {f"v{n}": value for n, value in enumerate(values)})
    except Exception:  # the answer is a 409 either way; the id is a courtesy
        log.warning("could not look up the conflicting row of %s", constraint)
        return what, code, None
    return what, code, str(found) if found is not None else None


def problem_response(
    request: Request,
    status: int,
    title: str,
    code: Code,
    *,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body = problem_body(status, title, code, detail=detail, instance=request.url.path, extra=extra)
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        location = loc[0] if loc else "body"
        path = ".".join(loc[1:]) or location
        message = str(err.get("msg", "invalid"))
        # Pydantic prefixes messages of custom validators; the rule's own words read better.
        message = message.removeprefix("Value error, ")
        out.append(FieldError(field=path, location=location, message=message, type=str(err.get("type"))))
    return out


_HTTP_PROBLEMS = {
    400: ("Bad Request", Code.bad_request),
    401: ("Unauthorized", Code.unauthorized),
    403: ("Forbidden", Code.forbidden),
    404: ("Not Found", Code.not_found),
    405: ("Method Not Allowed", Code.method_not_allowed),
    406: ("Not Acceptable", Code.not_acceptable),
    413: ("Content Too Large", Code.body_too_large),
    415: ("Unsupported Media Type", Code.unsupported_media_type),
}


# SQLSTATEs of a server that is going away, coming up or full: retrying later is the answer (class 08 is
# "connection exception").
_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03", "53300")


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached or is going away (503), not a defect (500).

    What arrives depends on where the connection broke: SQLAlchemy wraps driver errors raised on a live connection
    (and marks them `connection_invalidated` when it noticed the disconnect), but a failed connect reaches us as
    the driver's own error (CannotConnectNowError while the server shuts down or starts up) or as a bare OSError
    (ConnectionRefusedError over TCP, FileNotFoundError for a vanished Unix socket). So look down the chain.
    """
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, PoolTimeoutError | ConnectionError | TimeoutError | asyncpg.PostgresConnectionError):
            return True
        if isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError):  # closed in the middle of a query
            return True
        if isinstance(error, asyncpg.exceptions.InternalClientError):
            # A pooled connection the server killed while it was idle (a shutdown's FATAL 57P01) can be handed out
            # before the driver saw the socket close; its next statement fails here, before reaching the server.
            return True
        if isinstance(error, DBAPIError) and (
            error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
        ):
            return True
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(error, OSError) and _raised_by_driver(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _raised_by_driver(error: BaseException) -> bool:
    """An OSError from inside asyncpg is a connection failure; one from elsewhere (a file, say) is not."""
    tb = error.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("asyncpg"):
            return True
        tb = tb.tb_next
    return False


def _allowed_methods(request: Request) -> list[str]:
    """Every method the matched path template answers, as the OpenAPI document lists them."""
    template = getattr(request.scope.get("route"), "path", None)
    if template is not None:  # "{feed_id:uuid}": the document names the parameter without its convertor
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", template)
    operations = request.app.openapi()["paths"].get(template, {})
    return sorted(method.upper() for method in operations)


def install_error_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            request,
            exc.status,
            exc.title,
            exc.code,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem_response(
                request,
                400,
                "Bad Request",
                Code.malformed_json,
                detail="The request body is not valid JSON.",
            )
        errors = _field_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem_response(
            request, 422, "Unprocessable Content", Code.validation_error, detail=detail, errors=errors
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        title, code = _HTTP_PROBLEMS.get(exc.status_code, ("Error", Code.bad_request))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        if exc.status_code == 404:
            detail = "No such resource."
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only; GET and POST of one path are
            # separate routes, so list every route's.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(request, exc.status_code, title, code, detail=detail, headers=headers)

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem_response(
            request,
            503,
            "Service Unavailable",
            Code.database_unavailable,
            detail="The database is not reachable; nothing was changed. Retry later.",
            headers={"Retry-After": "5"},
        )

    async def on_contention(request: Request, sqlstate: str) -> JSONResponse:
        log.warning("database contention: SQLSTATE %s", sqlstate)
        request.scope.setdefault("state", {})["database_contention"] = sqlstate
        return problem_response(
            request,
            503,
            "Service Unavailable",
            Code.database_busy,
            detail="The database was too busy with conflicting work (a lock or statement timeout, deadlock or "
            "serialization failure); nothing was changed. Retry later.",
            headers={"Retry-After": "1"},
        )

    async def on_unique_violation(request: Request, error: BaseException) -> JSONResponse:
        what, code, existing = await conflicting_id(request, error)
        detail = f"{what} already exists" + (f" ({existing})." if existing else ".")
        return problem_response(
            request, 409, "Conflict", code, detail=detail, extra={"existing_id": existing} if existing else None
        )

    async def on_driver_error(request: Request, exc: Exception) -> JSONResponse:
        sqlstate, error = sqlstate_of(exc)
        if sqlstate in CONTENTION_SQLSTATES:
            return await on_contention(request, sqlstate or "")
        if sqlstate == "23505" and error is not None:
            return await on_unique_violation(request, error)
        if database_unavailable(exc):
            return await on_database_down(request, exc)
        return await on_unexpected(request, exc)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "Internal Server Error", Code.internal_error, detail="An unexpected error occurred."
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    # Errors that may come from a database going away are told apart here, inside the middleware stack (so the
    # answer still carries its request id and access line); the Exception handler sits outside it.
    driver_errors = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)
    for kind in (DBAPIError, PoolTimeoutError, OSError, *driver_errors):
        app.add_exception_handler(kind, on_driver_error)
    app.add_exception_handler(Exception, on_unexpected)
