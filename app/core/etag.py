"""Versions as ETags, and If-Match on every update: no lost updates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from app.core.errors import Code, PreconditionFailed, PreconditionRequired

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        # Our entity tags only (a version number, quoted, maybe weak) or `*`: anything else is malformed (422),
        # not a stale version (412).
        # (No surrounding whitespace: HTTP strips it from a header value.)
        pattern=r'^(\*|(W/)?"[0-9]{1,12}"|[0-9]{1,12})?$',
        description='The `ETag` of the version you read (e.g. `"3"`); required on updates',
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def require_version(if_match: str | None) -> int:
    """The version the client based its change on; 428 without If-Match, 412 for one we never issued."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("Send If-Match with the ETag of the version you read.")
    value = if_match.strip()
    if value == "*":
        raise PreconditionRequired("If-Match: * is not accepted; send the ETag of the version you read.")
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 12:
        raise PreconditionFailed("If-Match does not name a version of this resource.", code=Code.unknown_version)
    return int(value)


def optional_version(if_match: str | None) -> int | None:
    """For actions where If-Match is optional: checked when sent; an empty header counts as not sent."""
    return require_version(if_match) if if_match and if_match.strip() else None


def check_version(expected: int, current: int) -> None:
    if expected != current:
        raise PreconditionFailed(
            f"The resource has changed (version {current}); read it again and retry.",
            current_version=current,
        )
