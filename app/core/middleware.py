"""Pure ASGI middleware: request ids with the access log and metrics, request body limits and content types."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.errors import PROBLEM_MEDIA_TYPE, Code, problem_body
from app.core.logging import acting_user, request_path
from app.core.logging import request_id as current_request_id
from app.core.pagination import bind_cursors

access_log = logging.getLogger("spoorwijzer.access")

_JSON_TYPES = ("application/json", "application/merge-patch+json")
# Bulk uploads (POST /v1/imports) are JSON Lines.
JSON_LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


class _BodyTooLarge(Exception):
    pass


async def _send_problem(
    send: Send,
    scope: Scope,
    status: int,
    title: str,
    detail: str,
    code: Code,
    errors: list[dict[str, str]] | None = None,
) -> None:
    problem = problem_body(status, title, code, detail=detail, instance=scope["path"])
    if errors is not None:
        problem["errors"] = errors
    body = json.dumps(problem).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """Refuse bodies that are too large (413) or not JSON (415) before any handler reads them."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, bulk_paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.bulk_paths = bulk_paths or {}  # path -> its own limit, for JSON Lines uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        bulk_limit = self.bulk_paths.get(scope["path"])
        if bulk_limit is not None:
            await self._guard(scope, receive, send, bulk_limit, JSON_LINES_TYPES, "application/x-ndjson")
        else:
            await self._guard(scope, receive, send, self.max_body_bytes, _JSON_TYPES, "application/json")

    async def _guard(
        self, scope: Scope, receive: Receive, send: Send, max_body_bytes: int, types: tuple[str, ...], expected: str
    ) -> None:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body_bytes):
            await _send_problem(
                send,
                scope,
                413,
                "Content Too Large",
                f"Request bodies are limited to {max_body_bytes} bytes.",
                Code.body_too_large,
            )
            return
        has_body = (length is not None and length != b"0") or b"transfer-encoding" in headers
        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if has_body and content_type not in types:
            await _send_problem(
                send,
                scope,
                415,
                "Unsupported Media Type",
                f"Send the request body as {expected}.",
                Code.unsupported_media_type,
            )
            return

        if length is None and has_body:
            # A body without Content-Length (chunked): read it here, up to the limit, so an oversized one is a
            # 413 before any handler runs (FastAPI would turn an error raised while it reads into a 400).
            try:
                body = await _read_body(receive, max_body_bytes)
            except _BodyTooLarge:
                await _too_large(send, scope, max_body_bytes)
                return
            if body is None:
                return  # the client went away
            await self.app(scope, _replaying(body, receive), send)
            return

        received_total = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received_total
            message = await receive()
            if message["type"] == "http.request":
                received_total += len(message.get("body", b""))
                if received_total > max_body_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, scope, max_body_bytes)


async def _read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole request body; None when the client went away. Past `limit` bytes: _BodyTooLarge."""
    chunks: list[bytes] = []
    received = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        received += len(chunk)
        if limit is not None and received > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app `body` once, then waits for the disconnect as the server's receive does."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _too_large(send: Send, scope: Scope, limit: int) -> None:
    await _send_problem(
        send, scope, 413, "Content Too Large", f"Request bodies are limited to {limit} bytes.", Code.body_too_large
    )


# Bytes no header value may hold: control characters other than tab (NUL among them).
_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_ACTING_USER = "x-acting-user"
ACTING_USER_MAX = 200


class InputGuard:
    """One check of every query value and header before routing, and the answer headers every response gets.

    Query values must be UTF-8 without NUL or lone surrogates, header values free of control characters: else a
    422 naming the parameter, before any value reaches a handler or SQL. It binds the request's pagination cursors
    to its list and filters (app/core/pagination.py), keeps a valid `X-Acting-User` for the access log, and adds
    `X-Content-Type-Options: nosniff` to every answer and `Cache-Control: no-store` to every answer of the API's
    data routes (/v1/...), which carry personal data or may.
    """

    def __init__(self, app: ASGIApp, cursor_key: bytes) -> None:
        self.app = app
        self.cursor_key = cursor_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query, error = _query_values(scope.get("query_string", b""))
        if error is None:
            error = _header_error(scope["headers"])
        if error is not None:
            name, location, message = error
            await _send_problem(
                send,
                scope,
                422,
                "Unprocessable Content",
                f"{name}: {message}",
                Code.validation_error,
                [{"field": name, "location": location, "message": message, "type": "value_error"}],
            )
            return
        bind_cursors(self.cursor_key, scope["path"], query)
        user = dict(scope["headers"]).get(_ACTING_USER.encode())
        token = acting_user.set((user.decode().strip() or None) if user is not None else None)
        path_token = request_path.set(scope["path"])
        personal = scope["path"].startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if personal and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            acting_user.reset(token)
            request_path.reset(path_token)


def _query_values(raw: bytes) -> tuple[list[tuple[str, str]], tuple[str, str, str] | None]:
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:  # also a lone surrogate: UTF-8 has no encoding of one
        return [], ("query", "query", "query values must be UTF-8 text")
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            return [], (name.replace("\x00", "") or "query", "query", "text may not contain NUL characters")
    return pairs, None


def _header_error(headers: list[tuple[bytes, bytes]]) -> tuple[str, str, str] | None:
    for name, value in headers:
        if _HEADER_CONTROL.search(value):
            return name.decode("latin-1"), "header", "header values may not contain control characters"
        if name == _ACTING_USER.encode():
            try:
                text = value.decode()
            except UnicodeDecodeError:
                return "X-Acting-User", "header", "X-Acting-User must be UTF-8 text"
            if not text.strip() or len(text) > ACTING_USER_MAX:
                return "X-Acting-User", "header", f"X-Acting-User must be 1 to {ACTING_USER_MAX} characters"
    return None


class RequestId:
    """Give every request an id (or keep a sane one the client sent), answer it as X-Request-ID and make it
    available to log records; then write one access line and one metrics observation for the request.

    The access line holds the method, route template (never the raw path or query string), status, duration,
    request id and the calling organization: never a header or a body, so no key or BSN reaches the log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent = dict(scope["headers"]).get(b"x-request-id", b"")
        request_id = sent.decode("latin-1") if 0 < len(sent) <= 100 and sent.isascii() and sent.isalnum() else ""
        request_id = request_id or uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = current_request_id.set(request_id)
        status = 500  # an exception that escapes every handler becomes a 500 further out

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _log_access(scope, status, time.perf_counter() - started)
            current_request_id.reset(token)


def _log_access(scope: Scope, status: int, duration: float) -> None:
    route = getattr(scope.get("route"), "path", None) or "unmatched"  # the template, e.g. /v1/cases/{case_id}
    principal = scope["state"].get("principal")
    metrics.observe(scope["method"], route, status, duration)
    if not access_log.isEnabledFor(logging.INFO):
        return
    # The record is made and handed on directly: `access_log.info()` would first walk the stack to find the
    # calling source line (which this line does not need), and that walk was half the cost of every request's line.
    record = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %s",
        (scope["method"], route, status),
        None,
        extra={
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": round(duration * 1000, 2),
            "organization_id": str(principal.organization_id) if principal else None,
        },
    )
    access_log.handle(record)


# Contention SQLSTATEs after which the whole request runs once more: a deadlock (40P01) or serialization failure
# (40001) rolled its transaction back entirely, so nothing of the first attempt remains, and a second attempt
# usually finds the other transaction gone. Timeouts (55P03, 57014) are not retried: the wait would only double.
_RETRIED = frozenset({"40P01", "40001"})


class RetryOnDeadlock:
    """Run a request a second time when its transaction was chosen as a deadlock's victim (or failed to serialize).

    Safe for every request here: all its effects are in its transaction, which the database rolled back, and
    nothing of the answer had been sent (the 503 is held back until it is clear it will not be retried). The
    request body (at most max_body_bytes, checked further out) is kept to be read again.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive) if scope["method"] in ("POST", "PUT", "PATCH") else b""
        if body is None:
            return  # the client went away
        initial_state = dict(scope.get("state", {}))
        scope["state"] = dict(initial_state)
        if await self._attempt(scope, body, receive, send, may_retry=True):
            access_log.info("retrying a request after SQLSTATE %s", scope["state"].get("database_contention"))
            scope["state"] = dict(initial_state)
            await self._attempt(scope, body, receive, send, may_retry=False)

    async def _attempt(self, scope: Scope, body: bytes, receive: Receive, send: Send, *, may_retry: bool) -> bool:
        """Run the request once; True when its answer was a contention 503 that was held back for a retry."""
        retry = False

        async def hold_contention(message: Message) -> None:
            nonlocal retry
            if may_retry and message["type"] == "http.response.start" and message["status"] == 503:
                retry = scope["state"].get("database_contention") in _RETRIED
            if not retry:  # a held-back answer is dropped: the request runs again
                await send(message)

        await self.app(scope, _replaying(body, receive), hold_contention)
        return retry
