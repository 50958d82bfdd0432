"""Who is calling: the organization and kind behind a bearer API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.keys import hash_secret
from app.core.db import RawConnection, SessionDep, hold_raw_connection, session_raw_connection
from app.core.errors import Forbidden, Unauthorized
from app.organizations.models import OrganizationKind

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer spw_...`")
# Writing last_used_at on every request would turn each read into a write; a minute's precision is enough.
_LAST_USED_PRECISION = timedelta(minutes=1)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

# Plain SQL on the driver connection: every request runs it, so it skips statement compilation and the ORM.
_FIND_KEY = """
SELECT k.id, k.organization_id, k.revoked_at, k.last_used_at, o.kind
FROM api_keys k JOIN organizations o ON o.id = k.organization_id
WHERE k.key_hash = $1
"""
_TOUCH_KEY = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1"


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: uuid.UUID
    kind: OrganizationKind
    key_id: uuid.UUID

    def require(self, *kinds: OrganizationKind, action: str) -> None:
        if self.kind not in kinds:
            raise Forbidden(f"A {self.kind.value} may not {action}.")


def _secret(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.", headers=_CHALLENGE)
    return credentials.credentials


async def authenticate(connection: RawConnection, secret: str) -> Principal:
    """The principal behind a key (401 for an unknown or revoked one); notes its use at most once a minute."""
    row = await connection.fetchrow(_FIND_KEY, hash_secret(secret))
    if row is None or row["revoked_at"] is not None:
        raise Unauthorized("Unknown or revoked API key.", headers=_CHALLENGE)
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] > _LAST_USED_PRECISION:
        await connection.execute(_TOUCH_KEY, row["id"], now)
    return Principal(organization_id=row["organization_id"], kind=OrganizationKind(row["kind"]), key_id=row["id"])


async def _principal(request: Request, session: SessionDep, credentials: Credentials) -> Principal:
    secret = _secret(credentials)
    # On the request's connection, as the first statements: they run ahead of its transaction, so a key's use
    # is noted even when the request fails.
    principal = await authenticate(await session_raw_connection(session), secret)
    request.state.principal = principal
    return principal


async def _raw_principal(request: Request, credentials: Credentials) -> Principal:
    secret = _secret(credentials)
    # The endpoint's statements run on this connection too: one pool acquisition per request.
    principal = await authenticate(await hold_raw_connection(request), secret)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]
# For the hot read paths that run on the raw pool (no session at all): the same key lookup, on a connection the
# request holds until it is answered (app/core/db.py::hold_raw_connection).
RawPrincipalDep = Annotated[Principal, Depends(_raw_principal)]
