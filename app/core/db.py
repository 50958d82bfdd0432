"""Engine and the per-request session: one transaction per request, committed before the response."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from app.core.embedded import asyncpg_url, start_embedded_postgres
from app.core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def database_url(settings: Settings, database: str = "spoorwijzer") -> str:
    """The configured server, or the embedded one (started on demand) when none is configured."""
    if settings.database_url:
        return asyncpg_url(settings.database_url)
    return start_embedded_postgres(settings.data_dir, database)


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={
            "timeout": 5,
            "command_timeout": settings.db_statement_timeout_ms / 1000 + 5,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "spoorwijzer",
                "timezone": "UTC",
            },
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


BeforeCommit = Callable[[AsyncSession], Awaitable[None]]
_CHANGED_CASES = "changed_cases"


def mark_case_changed(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Note that a case's facts changed in this transaction, for the before-commit hooks."""
    session.info.setdefault(_CHANGED_CASES, set()).add(case_id)


def pop_changed_cases(session: AsyncSession) -> set[uuid.UUID]:
    changed: set[uuid.UUID] = session.info.pop(_CHANGED_CASES, set())
    return changed


async def commit(session: AsyncSession, before_commit: Sequence[BeforeCommit]) -> None:
    """Run the hooks (they write derived data in the same transaction), then commit."""
    for hook in before_commit:
        await hook(session)
    await session.commit()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function" (below): the commit happens before the response is sent, so a failed
    # commit answers an error instead of a 2xx for a change that is not there.
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await commit(session, request.app.state.before_commit)


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
