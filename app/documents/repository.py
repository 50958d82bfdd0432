"""SQL for document references."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.models import DocumentReference


async def list_for_case(
    session: AsyncSession,
    bureau_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    kinds: Collection[str] | None,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[DocumentReference]:
    query = select(DocumentReference).where(
        DocumentReference.bureau_id == bureau_id, DocumentReference.case_id == case_id
    )
    if kinds is not None:
        query = query.where(DocumentReference.kind.in_(sorted(kinds)))
    if after is not None:
        query = query.where(tuple_(DocumentReference.dated_on, DocumentReference.id) > tuple_(*after))
    query = query.order_by(DocumentReference.dated_on, DocumentReference.id).limit(limit)
    return list((await session.scalars(query)).all())


async def get_for_case(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, document_id: uuid.UUID
) -> DocumentReference | None:
    return await session.scalar(
        select(DocumentReference).where(
            DocumentReference.bureau_id == bureau_id,
            DocumentReference.case_id == case_id,
            DocumentReference.id == document_id,
        )
    )
