"""Cursor pagination: opaque cursors over a stable sort key, `limit` 1..200 (default 50)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import InvalidCursor
from app.core.settings import derived_key, get_settings

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=200, description="Page size (default 50, at most 200)")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=500, description="`next_cursor` of the previous page; omit for the first page"),
]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


@dataclass(frozen=True, slots=True)
class CursorBinding:
    """What a cursor is signed with: the server's cursor key, and the list and filters of the request."""

    key: bytes
    scope: str


_binding: ContextVar[CursorBinding | None] = ContextVar("cursor_binding", default=None)

# Query parameters that move through a list rather than choose it: a cursor stays valid when they change.
PAGING_PARAMETERS = frozenset({"cursor", "after", "limit"})


def bind_cursors(key: bytes, path: str, query: list[tuple[str, str]]) -> None:
    """Sign and check this request's cursors for its list (the path) and its filters (the other query values)."""
    filters = sorted((name, value) for name, value in query if name not in PAGING_PARAMETERS)
    _binding.set(CursorBinding(key, json.dumps([path, filters], separators=(",", ":"))))


def _current() -> CursorBinding:
    binding = _binding.get()
    if binding is None:  # outside a request (a command, a unit test): the configured key, no list
        binding = CursorBinding(derived_key(get_settings(), "cursor"), "")
    return binding


def _signature(binding: CursorBinding, payload: bytes) -> bytes:
    return hmac.new(binding.key, binding.scope.encode() + b"\n" + payload, hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(*key: Any) -> str:
    """An opaque cursor: the sort key, signed (HMAC) together with the list and filters it was issued for."""
    payload = json.dumps([str(k) for k in key], separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_signature(_current(), payload))}"


def decode_cursor(cursor: str | None, parts: int, field: str = "cursor") -> list[str] | None:
    """The sort key a cursor carries, or None for the first page; 422 for a cursor we did not make for this list
    and these filters. Nothing of a cursor is read before its signature verifies, so no hand-made value reaches
    a query."""
    if cursor is None:
        return None
    payload_text, _, signature_text = cursor.partition(".")
    try:
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise InvalidCursor(field) from None
    if not hmac.compare_digest(signature, _signature(_current(), payload)):
        raise InvalidCursor(field)
    key = json.loads(payload)
    if not isinstance(key, list) or len(key) != parts or not all(isinstance(k, str) for k in key):
        raise InvalidCursor(field)  # signed by us, but for a list of another shape
    return key


R = TypeVar("R")


def paginate(rows: list[R], limit: int, key: Callable[[R], tuple[Any, ...]], to_item: Callable[[R], T]) -> Page[T]:
    """Shape `limit + 1` fetched rows as a page; the extra row only tells that there is a next page."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(*key(rows[-1])) if more and rows else None
    return Page[T](items=[to_item(r) for r in rows], next_cursor=next_cursor)


def created_key(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Decode a cursor over (created_at, id), the default stable order of lists."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        return datetime.fromisoformat(key[0]), uuid.UUID(key[1])
    except ValueError:
        raise InvalidCursor() from None


def dated_key(cursor: str | None) -> tuple[date, uuid.UUID] | None:
    """Decode a cursor over (a date, id): the order of milestones, tracks and candidate proposals."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        return date.fromisoformat(key[0]), uuid.UUID(key[1])
    except ValueError:
        raise InvalidCursor() from None
