"""Base models: inputs reject unknown fields and NUL bytes; reads mark every field required in the spec."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain NUL characters")
        if _LONE_SURROGATE.search(value):  # JSON can spell one (`"\ud800"`); no database text can hold it
            raise ValueError("text may not contain lone surrogates (not valid Unicode)")
    elif isinstance(value, dict):
        for item in value.values():
            _reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item)


class InputModel(BaseModel):
    """A request body: unknown fields are an error (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_bytes(cls, data: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it here as bad input instead of failing later.
        _reject_nul(data)
        return data


class ReadModel(BaseModel):
    """A response body."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=2000)]
KvkNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]

# Dates of dossier facts: bounded so that every deadline computed from them is a valid calendar date.
DossierDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    # Pydantic would also take a bare number as a Unix timestamp (`?updated_since=0.5`); the contract says RFC 3339.
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("expected an RFC 3339 timestamp with a time zone, e.g. 2025-03-01T09:30:00Z")
    return value


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _within_range(value: datetime) -> datetime:
    # The API's range for dates holds for moments too (and keeps every moment a valid PostgreSQL timestamp).
    if not EARLIEST <= value <= LATEST:
        raise ValueError("must lie between 2000-01-01T00:00:00Z and 2100-12-31T23:59:59Z")
    return value


# A moment in a query or body: RFC 3339 with its offset, nothing else, within the API's range.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339), AfterValidator(_within_range)]
