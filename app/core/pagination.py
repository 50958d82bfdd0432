"""Cursor pagination: opaque cursors over a stable sort key, `limit` 1..200 (default 50)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import InvalidCursor

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


def encode_cursor(*key: Any) -> str:
    raw = json.dumps([str(k) for k in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, parts: int) -> list[str] | None:
    """The sort key a cursor carries, or None for the first page; 422 for a cursor we did not make."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != parts or not all(isinstance(k, str) for k in key):
        raise InvalidCursor()
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
