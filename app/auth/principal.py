"""Who is calling: the organization and kind behind a bearer API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update

from app.auth.keys import hash_secret
from app.auth.models import ApiKey
from app.core.db import SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.organizations.models import Organization, OrganizationKind

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer spw_...`")
# Writing last_used_at on every request would turn each read into a write; a minute's precision is enough.
_LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: uuid.UUID
    kind: OrganizationKind
    key_id: uuid.UUID

    @property
    def is_bureau(self) -> bool:
        return self.kind is OrganizationKind.reintegratiebureau

    def require(self, *kinds: OrganizationKind, action: str) -> None:
        if self.kind not in kinds:
            raise Forbidden(f"A {self.kind.value} may not {action}.")


async def _principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.", headers=challenge)
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.organization_id, ApiKey.revoked_at, ApiKey.last_used_at, Organization.kind)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.key_hash == hash_secret(credentials.credentials))
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("Unknown or revoked API key.", headers=challenge)
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_PRECISION:
        await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    principal = Principal(organization_id=row.organization_id, kind=row.kind, key_id=row.id)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]
