"""Operator tasks as an operator runs them (subprocesses): retention, BSN key rotation, backup and restore, secrets
from files, production's refusals, and the embedded PostgreSQL stopped with the service (SIGTERM and Ctrl-C)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url

from app.core.settings import PROJECT_ROOT
from tests.conftest import case_body
from tests.live import committed_database, committing_app, free_port, parties

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def spoorwijzer(url: str | None, *args: str, env: dict[str, str] | None = None, ok: bool = True) -> Any:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SPOORWIJZER_", "DATABASE_URL"))}
    if url is not None:
        base["DATABASE_URL"] = make_url(url).render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=PROJECT_ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if not ok:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _cases_with_bsn(url: str, count: int, env: dict[str, str]) -> list[str]:
    """`count` closed cases with a BSN, made through the API by a service whose BSN key comes from `env`."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from app.core.settings import get_settings

    get_settings.cache_clear()
    try:
        async with committing_app(url, background_workers=False) as (_, _client, factory):
            world = await parties(factory, f"ops-{os.urandom(3).hex()}")
            ids = []
            for _ in range(count):
                response = await world.bureau.post("/v1/cases", json=case_body(world))  # type: ignore[arg-type]
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
                closed = await world.bureau.post(
                    f"/v1/cases/{ids[-1]}/close", json={"closed_on": "2025-02-01", "reason": "hersteld"}
                )
                assert closed.status_code == 200, closed.text
            return ids
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def ops_database() -> str:
    return committed_database("ops")


async def test_rotate_bsn_key_reencrypts_every_bsn_resumably(ops_database: str) -> None:
    ids = await _cases_with_bsn(ops_database, 4, {"SPOORWIJZER_BSN_KEY": KEY_A})
    conn = await asyncpg.connect(_dsn(ops_database))
    try:

        async def tokens() -> dict[str, bytes]:
            rows = await conn.fetch(
                "SELECT id::text, employee_bsn_encrypted FROM cases WHERE id = ANY($1::uuid[])", ids
            )
            return {r["id"]: r["employee_bsn_encrypted"] for r in rows}

        before = await tokens()
        assert all(Fernet(KEY_A).decrypt(t) == b"111222333" for t in before.values())
        # A run that stopped half-way: the first case was re-encrypted already.
        first = sorted(before)[0]
        await conn.execute(
            "UPDATE cases SET employee_bsn_encrypted = $1 WHERE id = $2::uuid",
            Fernet(KEY_B).encrypt(b"111222333"),
            first,
        )
        keys = {"SPOORWIJZER_BSN_KEYS": f"{KEY_B},{KEY_A}"}
        done = spoorwijzer(ops_database, "rotate-bsn-key", "--batch-size", "2", env=keys)
        assert done["rotated"] >= 3 and done["already_current"] >= 1
        after = await tokens()
        for token in after.values():
            assert Fernet(KEY_B).decrypt(token) == b"111222333"
            with pytest.raises(InvalidToken):
                Fernet(KEY_A).decrypt(token)
        again = spoorwijzer(ops_database, "rotate-bsn-key", env=keys)
        assert again["rotated"] == 0
    finally:
        await conn.close()


async def test_retention_run_from_the_cli(ops_database: str) -> None:
    ids = await _cases_with_bsn(ops_database, 1, {})
    as_of = "2027-02-01"  # 730 days after the closing date
    dry = spoorwijzer(ops_database, "retention", "run", "--dry-run", "--as-of", as_of)
    assert ids[0] in dry["anonymised"] and dry["dry_run"] is True
    early = spoorwijzer(ops_database, "retention", "run", "--as-of", "2027-01-31")
    assert ids[0] not in early["anonymised"]
    done = spoorwijzer(ops_database, "retention", "run", "--as-of", as_of)
    assert ids[0] in done["anonymised"]
    conn = await asyncpg.connect(_dsn(ops_database))
    try:
        row = await conn.fetchrow(
            "SELECT employee_name, employee_bsn_encrypted, anonymised_at FROM cases WHERE id = $1::uuid", ids[0]
        )
        assert (row["employee_name"], row["employee_bsn_encrypted"]) == ("", None) and row["anonymised_at"]
    finally:
        await conn.close()
    assert ids[0] not in spoorwijzer(ops_database, "retention", "run", "--dry-run", "--as-of", as_of)["anonymised"]


async def _table_contents(url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        tables = [
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        contents = {}
        for table in sorted(tables):
            rows = await conn.fetch(f'SELECT t::text AS row FROM "{table}" t')
            contents[table] = sorted(r["row"] for r in rows)
        return contents
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def backup_database() -> str:
    return committed_database("backup")


async def test_backup_change_restore_gives_back_every_table(tmp_path: Path, backup_database: str) -> None:
    url = backup_database
    await _cases_with_bsn(url, 2, {})
    saved = await _table_contents(url)
    assert saved["cases"] and saved["audit_log"] and saved["alembic_version"]
    file = tmp_path / "spoorwijzer.dump"
    assert spoorwijzer(url, "backup", str(file))["bytes"] > 0
    # Change: more cases, an edit, a deletion.
    await _cases_with_bsn(url, 1, {})
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("UPDATE organizations SET name = 'Changed'")
        await conn.execute("DELETE FROM idempotency_keys")
        await conn.execute("DELETE FROM access_log")
    finally:
        await conn.close()
    assert await _table_contents(url) != saved
    assert spoorwijzer(url, "restore", str(file)) == {"restored": str(file)}
    assert await _table_contents(url) == saved


def test_secrets_from_files_and_production_refusals(tmp_path: Path) -> None:
    url = committed_database("secrets")
    production = {"SPOORWIJZER_ENVIRONMENT": "production"}
    # No key at all: the development key would be used; production refuses to start.
    assert "SPOORWIJZER_BSN_KEYS" in spoorwijzer(url, "migrate", env=production, ok=False)
    keys = tmp_path / "bsn_keys"
    keys.write_text(f"{KEY_B},{KEY_A}\n")
    database = tmp_path / "database_url"
    database.write_text(make_url(url).render_as_string(hide_password=False) + "\n")
    from_files = {**production, "SPOORWIJZER_BSN_KEYS_FILE": str(keys), "DATABASE_URL_FILE": str(database)}
    assert spoorwijzer(None, "migrate", env=from_files) == {"migrated": True, "compliance_snapshots": {"refreshed": 0}}
    refused = spoorwijzer(None, "migrate", env={**from_files, "SPOORWIJZER_DEMO_DATA": "true"}, ok=False)
    assert "DEMO_DATA" in refused


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_embedded_postgresql_stops_with_the_service(stop: signal.Signals) -> None:
    # Inside the checkout's .data (as `make run`): as root, the server runs as another user, which pytest's
    # private temporary folders shut out.
    data_dir = PROJECT_ROOT / ".data" / f"stop-{stop.name}-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    data_dir.chmod(0o755)
    try:
        _serve_and_stop(data_dir, stop)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _serve_and_stop(tmp_path: Path, stop: signal.Signals) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SPOORWIJZER_", "DATABASE_URL", "PROMETHEUS_"))},
        "SPOORWIJZER_DATA_DIR": str(tmp_path),
        "SPOORWIJZER_PORT": str(port),
        "SPOORWIJZER_ENVIRONMENT": "test",
    }
    log = tmp_path / "service.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run"], cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, log.read_text(errors="replace")
            time.sleep(0.3)
        postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, 0)  # running
        process.send_signal(stop)
        process.wait(40)
        deadline = time.monotonic() + 20
        while _alive(postmaster):
            assert time.monotonic() < deadline, f"PostgreSQL {postmaster} still runs after the service stopped"
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
