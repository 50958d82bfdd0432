"""Real commits, for the tests that need them (races, database faults, operations): the per-test rolled-back
transaction of conftest.py cannot show concurrency. A dedicated, migrated database per test module; the app on a
real engine (in-process, its own lifespan) or a live `spoorwijzer run` in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.cli import migrate
from app.core.settings import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import TEST_DATABASE, Actor, Factory, fresh_database

BSN = "111222333"  # the BSN of conftest.case_body: it must never show up in a log line


def committed_database(suffix: str) -> str:
    """An empty, migrated database of its own on the test server; its asyncpg URL."""
    url = fresh_database(f"{TEST_DATABASE}_{suffix}")
    migrate(url)
    return url


@asynccontextmanager
async def committing_app(url: str, **settings: Any) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Factory]]:
    """The app on its own engine (created by its lifespan, as in production): every request really commits."""
    app = create_app(Settings(environment="test", database_url=url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield app, client, Factory(client, app.state.sessionmaker)


@dataclass
class Parties:
    bureau: Actor
    employer: Actor
    arbodienst: Actor


async def parties(factory: Factory, suffix: str = "") -> Parties:
    """A bureau with a registered employer and arbodienst, each with a key (committed)."""
    bureau = await factory.bureau(f"Bureau {suffix}")
    return Parties(
        bureau=bureau,
        employer=await factory.registered(bureau, "werkgever", f"Werkgever {suffix}"),
        arbodienst=await factory.registered(bureau, "arbodienst", f"Arbodienst {suffix}"),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)


@contextmanager
def serve(url: str, log: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`spoorwijzer run` (the README's way, JSON logs to `log`) on a free loopback port, ready; stopped at exit."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SPOORWIJZER_", "PROMETHEUS_"))},
        "DATABASE_URL": url,
        "SPOORWIJZER_ENVIRONMENT": "test",
        "SPOORWIJZER_PORT": str(port),
        **(env or {}),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run"], cwd=PROJECT_ROOT, env=environment, stdout=sink, stderr=sink
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the server did not become ready:\n{server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
