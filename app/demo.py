"""Demo data: a bureau, an employer and an arbodienst with a key each, and a few cases."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import ApiKey
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.schemas import AbsencePeriod, CaseCreate, EmployeeCreate
from app.organizations import repository as organizations
from app.organizations.models import Organization, OrganizationKind

CreateOrganization = Callable[[AsyncSession, OrganizationKind, str, str | None], Awaitable[Organization]]
CreateKey = Callable[[AsyncSession, uuid.UUID, str], Awaitable[tuple[ApiKey, str]]]

_EMPLOYEES = [
    ("J. de Vries", date(1980, 5, 17), "111222333", 40),
    ("A. El Idrissi", date(1975, 11, 2), "123456782", 130),
    ("P. Jansen", date(1990, 1, 30), None, 380),
]


async def load_demo(
    session: AsyncSession, create_organization: CreateOrganization, create_key: CreateKey
) -> dict[str, Any]:
    bureau = await create_organization(session, OrganizationKind.reintegratiebureau, "Demo Re-integratie B.V.", None)
    employer = await create_organization(session, OrganizationKind.werkgever, "Demo Bakkerij B.V.", None)
    arbodienst = await create_organization(session, OrganizationKind.arbodienst, "Demo Arbodienst", None)
    keys = {}
    for org in (bureau, employer, arbodienst):
        key, secret = await create_key(session, org.id, "demo")
        keys[org.kind.value] = {"organization_id": str(org.id), "key_id": str(key.id), "key": secret}
        if org is bureau:
            principal = Principal(organization_id=bureau.id, kind=bureau.kind, key_id=key.id)
    for org in (employer, arbodienst):
        await organizations.link(session, bureau.id, org.id)

    case_ids = []
    for number, (name, born, bsn, days_sick) in enumerate(_EMPLOYEES, start=1):
        case = await cases.create(
            session,
            principal,
            CaseCreate(
                external_ref=f"DEMO-{number}",
                employer_id=employer.id,
                arbodienst_id=arbodienst.id,
                employee=EmployeeCreate(name=name, date_of_birth=born, bsn=bsn),
                absence_periods=[AbsencePeriod(first_day=cases.today() - timedelta(days=days_sick))],
                employer_case_manager="M. Jansen",
            ),
        )
        case_ids.append(str(case.id))
    return {"keys": keys, "case_ids": case_ids}
