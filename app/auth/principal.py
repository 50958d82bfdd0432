"""Who is calling: the organization and kind behind a bearer API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

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
SELECT k.id, k.organization_id, k.revoked_at, k.last_used_at, k.scope, k.issued_by_id, k.expires_on,
       k.expiry_recorded_at, o.kind
FROM api_keys k JOIN organizations o ON o.id = k.organization_id
WHERE k.key_hash = $1
"""
# The first refused use of an expired key puts its expiry in the audit log (once: the marker is set in the same
# statement). Its tenant is the issuing bureau, or the key's own organization when that is a bureau; an operator key
# of an employer or arbodienst has no bureau to file it under and is only marked.
_RECORD_EXPIRY = """
WITH marked AS (
    UPDATE api_keys SET expiry_recorded_at = clock_timestamp()
    WHERE id = $1 AND expiry_recorded_at IS NULL
    RETURNING id, organization_id, issued_by_id, expires_on
), tenant AS (
    SELECT m.*, COALESCE(m.issued_by_id, CASE WHEN o.kind = 'reintegratiebureau' THEN o.id END) AS bureau_id
    FROM marked m JOIN organizations o ON o.id = m.organization_id
), audited AS (
    INSERT INTO audit_log (bureau_id, actor_organization_id, actor_key_id, action, entity_type, entity_id, after)
    SELECT bureau_id, organization_id, id, 'expired', 'api_key', id,
           jsonb_build_object('id', id, 'organization_id', organization_id, 'expires_on', expires_on)
    FROM tenant WHERE bureau_id IS NOT NULL
)
INSERT INTO events (type, entity_type, entity_id, organization_id, bureau_id)
SELECT 'api_key.expired', 'api_key', id, bureau_id, bureau_id FROM tenant WHERE bureau_id IS NOT NULL
"""
_TOUCH_KEY = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1"


_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Requests that change nothing: the only ones a read key may make.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Scope = Literal["read", "write"]


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: uuid.UUID
    kind: OrganizationKind
    key_id: uuid.UUID | None  # None: the operator's CLI (an import run with `spoorwijzer import`)
    scope: Scope = "write"
    # The bureau that issued the key (a partner key): the caller then sees only that bureau's cases. None: an
    # operator key, with the organization's whole view.
    issuer_id: uuid.UUID | None = None
    expires_on: date | None = None

    def require(self, *kinds: OrganizationKind, action: str) -> None:
        if self.kind not in kinds:
            raise Forbidden(f"A {self.kind.value} may not {action}.")

    @property
    def partner_bureau_id(self) -> uuid.UUID | None:
        """The one bureau whose cases a partner key sees (None: no such restriction). A bureau's key issued by
        itself sees its own cases anyway."""
        return self.issuer_id if self.issuer_id != self.organization_id else None

    @property
    def idempotency_scope(self) -> uuid.UUID:
        """Whose Idempotency-Keys share one namespace: the organization's, or for a partner key the organization
        under that bureau, so that a replay never answers what another bureau's partner key created."""
        if self.partner_bureau_id is None:
            return self.organization_id
        return uuid.uuid5(self.partner_bureau_id, str(self.organization_id))


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
    # A key is valid through its expiry day, a Dutch calendar day like every other date of the API.
    if row["expires_on"] is not None and row["expires_on"] < now.astimezone(_AMSTERDAM).date():
        if row["expiry_recorded_at"] is None:
            await connection.execute(_RECORD_EXPIRY, row["id"])
        raise _Expired(f"This API key expired after {row['expires_on']}.", headers=_CHALLENGE)
    if row["last_used_at"] is None or now - row["last_used_at"] > _LAST_USED_PRECISION:
        await connection.execute(_TOUCH_KEY, row["id"], now)
    return Principal(
        organization_id=row["organization_id"],
        kind=OrganizationKind(row["kind"]),
        key_id=row["id"],
        scope=row["scope"],
        issuer_id=row["issued_by_id"],
        expires_on=row["expires_on"],
    )


class _Expired(Unauthorized):
    """A 401 whose audit row must stay: the caller commits before answering."""


def _check_scope(request: Request, principal: Principal) -> None:
    if principal.scope == "read" and request.method not in _READ_METHODS:
        raise Forbidden("This API key may only read (scope `read`).")


async def _principal(request: Request, session: SessionDep, credentials: Credentials) -> Principal:
    secret = _secret(credentials)
    # On the request's connection, as the first statements: they run ahead of its transaction, so a key's use
    # is noted even when the request fails.
    try:
        principal = await authenticate(await session_raw_connection(session), secret)
    except _Expired:
        await session.commit()  # the expiry's audit row and event outlive the refused request
        raise
    request.state.principal = principal
    _check_scope(request, principal)
    return principal


async def _raw_principal(request: Request, credentials: Credentials) -> Principal:
    secret = _secret(credentials)
    # The endpoint's statements run on this connection too: one pool acquisition per request.
    principal = await authenticate(await hold_raw_connection(request), secret)
    request.state.principal = principal
    _check_scope(request, principal)
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]
# For the hot read paths that run on the raw pool (no session at all): the same key lookup, on a connection the
# request holds until it is answered (app/core/db.py::hold_raw_connection).
RawPrincipalDep = Annotated[Principal, Depends(_raw_principal)]


async def _whole_view(principal: PrincipalDep) -> None:
    if principal.partner_bureau_id is not None:
        raise Forbidden(
            "A partner key sees only its issuing bureau's cases; webhooks and calendar feeds deliver the whole "
            "organization's, so they need a key from the operator."
        )


# For routes whose output outlives the request and covers the organization's whole view (webhook endpoints,
# calendar feeds): a partner key would receive other bureaus' cases through them, so it gets 403.
WHOLE_VIEW = Depends(_whole_view)
