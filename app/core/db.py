"""Engine and the per-request session: one transaction per request, committed before the response."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated, Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from fastapi import Depends, Request
from sqlalchemy import ForeignKeyConstraint, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.embedded import asyncpg_url, start_embedded_postgres
from app.core.errors import ServiceUnavailable
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


def tenant_foreign_key(
    column: str, referred_table: str, referred_column: str = "id", *, ondelete: str | None = "CASCADE"
) -> ForeignKeyConstraint:
    """A foreign key between case-owned tables, with the tenant key on both sides: PostgreSQL then guarantees a
    fact's bureau is its case's, and Citus keeps the join on one shard (docs/scaling.md). Named by convention."""
    return ForeignKeyConstraint(
        [column, "bureau_id"], [f"{referred_table}.{referred_column}", f"{referred_table}.bureau_id"], ondelete=ondelete
    )


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
        hide_parameters=True,  # a logged database error never shows a BSN or a name that was bound to it
        connect_args={
            "timeout": 5,
            "command_timeout": settings.db_statement_timeout_ms / 1000 + 5,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "lock_timeout": str(settings.db_lock_timeout_ms),
                "application_name": "spoorwijzer",
                "timezone": "UTC",
            },
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


BeforeCommit = Callable[[AsyncSession], Awaitable[None]]
# Runs after the queued rows are inserted, with them by table (the webhook fan-out joins the transaction's events).
AfterRows = Callable[[AsyncSession, Mapping[str, list[dict[str, Any]]]], Awaitable[None]]
_CHANGED_CASES = "changed_cases"


def mark_case_changed(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Note that a case's facts changed in this transaction, for the before-commit hooks."""
    session.info.setdefault(_CHANGED_CASES, set()).add(case_id)


def pop_changed_cases(session: AsyncSession) -> set[uuid.UUID]:
    changed: set[uuid.UUID] = session.info.pop(_CHANGED_CASES, set())
    return changed


_QUEUED_ROWS = "queued_rows"


def insert_at_commit(session: AsyncSession, table: str, row: dict[str, Any]) -> None:
    """Queue a row for `table`, inserted just before the commit (`commit` below) with the others of its table in
    one prepared batch. For rows nothing reads back in the same transaction (audit rows, change-feed events):
    flushing them through the ORM's unit of work cost about 10% of a milestone write (docs/performance.md).
    Every row of a table must have the same keys; JSON values are passed as JSON text."""
    session.info.setdefault(_QUEUED_ROWS, {}).setdefault(table, []).append(row)


async def _insert_queued(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    queued: dict[str, list[dict[str, Any]]] = session.info.pop(_QUEUED_ROWS, {})
    if not queued:
        return queued
    connection = await session_raw_connection(session)
    if not connection.is_in_transaction():  # nothing sent yet: begin the session's transaction first
        await session.execute(text("SELECT 1"))
    for table, rows in queued.items():
        await insert_rows(connection, table, rows)
    return queued


_COPY_FROM = 500  # rows: past this, COPY is an order of magnitude faster than a prepared batch


async def insert_rows(connection: RawConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys, the column names) on a raw connection: one prepared statement with
    the rows sent as one batch, or COPY for bulk (imports, a rules change)."""
    if not rows:
        return
    columns = list(rows[0])
    values = [tuple(row[column] for column in columns) for row in rows]
    if len(rows) > _COPY_FROM:
        await connection.copy_records_to_table(table, records=values, columns=columns)
    else:
        placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
        await connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", values)


@event.listens_for(Session, "before_commit")
def _refuse_unwritten_rows(session: Session) -> None:
    # A commit that bypasses `commit` below would drop the queued rows: an audit trail must never lose one.
    # (A savepoint's release is no commit: the rows wait for the outermost one.)
    if session.info.get(_QUEUED_ROWS) and not session.in_nested_transaction():
        raise RuntimeError("Rows queued with insert_at_commit were not written: commit with app.core.db.commit.")


_SAVEPOINT_MARKS = "queued_rows_at_savepoints"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    if transaction.nested:
        queued = session.info.get(_QUEUED_ROWS, {})
        marks = session.info.setdefault(_SAVEPOINT_MARKS, {})
        marks[transaction] = {table: len(rows) for table, rows in queued.items()}


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back_rows(session: Session, previous_transaction: Any) -> None:
    # Rows queued since a savepoint that rolls back go with it; the transaction's rollback takes them all.
    mark = session.info.get(_SAVEPOINT_MARKS, {}).pop(previous_transaction, None)
    if mark is not None:
        for table, rows in session.info.get(_QUEUED_ROWS, {}).items():
            del rows[mark.get(table, 0) :]
    elif previous_transaction.parent is None:
        session.info.pop(_QUEUED_ROWS, None)
        session.info.pop(_SAVEPOINT_MARKS, None)


async def commit(
    session: AsyncSession, before_commit: Sequence[BeforeCommit], after_rows: Sequence[AfterRows] = ()
) -> None:
    """Run the hooks (they write derived data in the same transaction), insert the queued rows, run the hooks
    that need them, then commit."""
    for hook in before_commit:
        await hook(session)
    written = await _insert_queued(session)
    if written:
        for after in after_rows:
            await after(session, written)
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
            await commit(session, request.app.state.before_commit, request.app.state.after_rows)


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


# The hot read paths (design section 9) run on a plain asyncpg pool: the async session machinery (greenlet bridge,
# BEGIN/ROLLBACK round trips, pool pre-ping) costs more than the queries themselves. Writes keep the session.
class RawConnection(Protocol):
    """The part of asyncpg.Connection the raw paths use (asyncpg ships no type information)."""

    async def fetchrow(self, query: str, *args: Any) -> Mapping[str, Any] | None: ...

    async def fetch(self, query: str, *args: Any) -> list[Mapping[str, Any]]: ...

    async def execute(self, query: str, *args: Any) -> str: ...

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None: ...

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[Any]], columns: Sequence[str]
    ) -> str: ...

    def is_in_transaction(self) -> bool: ...


async def _keep_session_state(connection: RawConnection) -> None:
    # Raw-path statements run in autocommit and never change session state (no SET, LISTEN or advisory locks),
    # so the default reset (a RESET ALL round trip per release) would buy nothing; only a stray transaction
    # needs undoing.
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


# Seconds a request waits for a raw connection; then it answers 503 with Retry-After (asyncpg's own pool would
# wait for ever).
_ACQUIRE_TIMEOUT = 5.0


class FairPool:
    """The raw asyncpg pool, handing out connections in the order they were asked for.

    asyncpg's pool is an asyncio queue: a returned connection wakes the longest waiter, but a request that asks
    before that waiter runs takes it, and the waiter queues again at the back (tests/test_pool.py). Under load
    some requests then wait for seconds (one worker, 64 connections, a pool of 10: p50 14 ms, p99 400-500 ms).
    asyncio's semaphore lets nobody past a waiter: in front of the pool it makes the wait fair (p99 80 ms at the
    same throughput).
    """

    def __init__(self, pool: Any, acquire_timeout: float = _ACQUIRE_TIMEOUT) -> None:
        self.pool = pool
        self.acquire_timeout = acquire_timeout
        self._turns = asyncio.Semaphore(pool.get_max_size())

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[RawConnection]:
        if self._turns.locked():
            async with asyncio.timeout(self.acquire_timeout):  # TimeoutError, an OSError: raw_connection's 503
                await self._turns.acquire()
        else:
            await self._turns.acquire()  # a free turn: no wait, so no timer to arm and cancel
        try:
            async with self.pool.acquire() as connection:
                yield connection
        finally:
            self._turns.release()

    def get_max_size(self) -> int:
        return int(self.pool.get_max_size())

    async def close(self) -> None:
        await self.pool.close()


async def make_pool(url: str, settings: Settings) -> FairPool:
    """The raw pool of one worker, beside the engine's; same server settings as the engine's connections."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool = await asyncpg.create_pool(
        dsn,
        min_size=0,  # connect on demand: the service starts (and /readyz says 503) while the database is down
        max_size=settings.db_pool_size,
        timeout=5,  # to connect
        command_timeout=settings.db_statement_timeout_ms / 1000 + 5,
        reset=_keep_session_state,
        server_settings={
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "lock_timeout": str(settings.db_lock_timeout_ms),
            "application_name": "spoorwijzer",
            "timezone": "UTC",
        },
    )
    return FairPool(pool)


async def session_raw_connection(session: AsyncSession) -> RawConnection:
    """The asyncpg connection under a session's connection. Statements sent on it bypass the session: they
    run in its transaction only once the session has begun one at the server (savepoint or an earlier query)."""
    raw = await (await session.connection()).get_raw_connection()
    connection: RawConnection | None = raw.driver_connection
    assert connection is not None
    return connection


# The server is gone, going or not yet there (refused, shutting down, starting up, connection lost): a 503.
_UNREACHABLE = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


@asynccontextmanager
async def raw_connection(request: Request) -> AsyncIterator[RawConnection]:
    """An asyncpg connection for a few autocommit statements; hold it only around the queries.

    The one the request already holds (`hold_raw_connection`), else one from the worker's raw pool. Without a
    pool (tests install only a sessionmaker, bound to a connection inside a transaction that is rolled back), the
    connection of a session from that sessionmaker: the statements then run in the test's transaction like every
    other query.
    """
    try:
        held: tuple[RawConnection, AsyncExitStack] | None = request.scope["state"].pop(_HELD, None)
        if held is not None:
            # Taken over from the key lookup, and released as soon as these statements are done: holding it while
            # the answer is sent would starve the requests waiting for the pool.
            connection, release = held
            async with release:
                yield connection
            return
        pool = getattr(request.app.state, "pool", None)
        if pool is not None:
            async with pool.acquire() as connection:
                yield connection
            return
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        async with sessionmaker() as session:
            yield await session_raw_connection(session)
            await session.commit()
    except _UNREACHABLE as exc:
        raise ServiceUnavailable(
            "The database is not reachable; nothing was changed. Retry later.", headers={"Retry-After": "5"}
        ) from exc


_HELD = "held_raw_connection"


async def hold_raw_connection(request: Request) -> RawConnection:
    """A raw connection for the rest of the request: the key lookup and then the endpoint's statements share one
    pool acquisition. The endpoint's `raw_connection` takes it over and releases it after its statements; when
    the endpoint never runs (a 422, say), `ReleaseHeldConnection` gives it back once the request is answered.

    (A generator dependency with scope="function" would release it before the response is sent, but FastAPI
    shields that exit with a new task and a cancel scope per request: about 8% of a hot read in a profile.)
    """
    stack = AsyncExitStack()
    connection = await stack.enter_async_context(raw_connection(request))
    request.scope["state"][_HELD] = (connection, stack)
    return connection


class ReleaseHeldConnection:
    """Pure ASGI middleware: returns a connection `hold_raw_connection` took that no endpoint took over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            held = scope.get("state", {}).pop(_HELD, None)
            if held is not None:
                await held[1].aclose()
