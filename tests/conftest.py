"""Test harness: a real PostgreSQL (embedded unless TEST_DATABASE_URL is set), schema from the migrations,
each test inside a transaction that is rolled back at its end."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.cli import create_key, create_organization, migrate
from app.core.db import make_engine
from app.core.embedded import asyncpg_url, start_embedded_postgres
from app.core.settings import PROJECT_ROOT, Settings
from app.main import create_app
from app.organizations.models import OrganizationKind

# Parallel runs on one server (several checkouts, or sessions) each set their own name.
TEST_DATABASE = os.environ.get("SPOORWIJZER_TEST_DATABASE", "spoorwijzer_test")


def _server_url() -> str:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        return asyncpg_url(external)
    return start_embedded_postgres(PROJECT_ROOT / ".data", "postgres")


async def _recreate_database(server_url: str, name: str) -> None:
    url = make_url(server_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def fresh_database(name: str) -> str:
    """A new, empty database on the test server; answers its asyncpg URL."""
    server = _server_url()
    asyncio.run(_recreate_database(server, name))
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = fresh_database(TEST_DATABASE)
    migrate(url)  # the schema comes from the migrations, never from create_all
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(environment="test", database_url=database_url)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    assert settings.database_url
    engine = make_engine(asyncpg_url(settings.database_url), settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        await outer.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Each request's commit releases a savepoint inside the test's transaction, rolled back at the end.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    app = create_app(settings)
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    return app


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@dataclass
class Actor:
    """An organization with an API key, calling the API."""

    client: httpx.AsyncClient
    id: str
    kind: str
    key: str
    key_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


@dataclass
class World:
    """Two bureaus, each with its employer and arbodienst, all with keys."""

    bureau: Actor
    employer: Actor
    arbodienst: Actor
    other_bureau: Actor
    other_employer: Actor
    other_arbodienst: Actor


class Factory:
    def __init__(self, client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.client = client
        self.sessionmaker = sessionmaker

    async def key_for(self, org_id: str, kind: str) -> Actor:
        async with self.sessionmaker() as session, session.begin():
            key, secret = await create_key(session, uuid.UUID(org_id), "test key")
        return Actor(self.client, org_id, kind, secret, str(key.id))

    async def bureau(self, name: str = "Bureau Aan het Werk") -> Actor:
        async with self.sessionmaker() as session, session.begin():
            org = await create_organization(session, OrganizationKind.reintegratiebureau, name, None)
        return await self.key_for(str(org.id), "reintegratiebureau")

    async def registered(self, bureau: Actor, kind: str, name: str, kvk: str | None = None) -> Actor:
        response = await bureau.post("/v1/organizations", json={"kind": kind, "name": name, "kvk": kvk})
        assert response.status_code in (200, 201), response.text
        return await self.key_for(response.json()["id"], kind)


@pytest.fixture
def factory(client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> Factory:
    return Factory(client, sessionmaker)


@pytest.fixture
async def world(factory: Factory) -> World:
    bureau = await factory.bureau("Bureau Een")
    other = await factory.bureau("Bureau Twee")
    return World(
        bureau=bureau,
        employer=await factory.registered(bureau, "werkgever", "Bakkerij De Vries"),
        arbodienst=await factory.registered(bureau, "arbodienst", "Arbo Noord"),
        other_bureau=other,
        other_employer=await factory.registered(other, "werkgever", "Garage Jansen"),
        other_arbodienst=await factory.registered(other, "arbodienst", "Arbo Zuid"),
    )


def case_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_ref": f"BO-{uuid.uuid4().hex[:8]}",
        "employer_id": world.employer.id,
        "arbodienst_id": world.arbodienst.id,
        "employee": {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn": "111222333"},
        "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
        "leave_periods": [],
        "employer_is_wga_eigenrisicodrager": False,
        "employer_case_manager": "M. Jansen",
    }
    body.update(overrides)
    return body


async def create_case(world: World, **overrides: Any) -> dict[str, Any]:
    response = await world.bureau.post("/v1/cases", json=case_body(world, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"]
    return body


@pytest.fixture(scope="session", autouse=True)
def _no_stray_settings() -> Iterator[None]:
    # A developer's own DATABASE_URL must not redirect the app under test.
    saved = os.environ.pop("DATABASE_URL", None)
    yield
    if saved is not None:
        os.environ["DATABASE_URL"] = saved
