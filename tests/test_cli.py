"""The operator CLI, run as an operator runs it: a subprocess on a database, printing JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.core.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE, fresh_database


@pytest.fixture(scope="module")
def cli_database() -> str:
    return fresh_database(f"{TEST_DATABASE}_cli")


def spoorwijzer(database_url: str, *args: str, ok: bool = True) -> Any:
    env = {**os.environ, "DATABASE_URL": make_url(database_url).render_as_string(hide_password=False)}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if not ok:
        assert done.returncode != 0, done.stdout
        return done.stderr
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_operator_commands(cli_database: str) -> None:
    assert spoorwijzer(cli_database, "migrate") == {"migrated": True, "compliance_snapshots": {"refreshed": 0}}
    bureau = spoorwijzer(
        cli_database, "org", "create", "--kind", "reintegratiebureau", "--name", "Bureau Een", "--kvk", "12345678"
    )
    assert bureau["kind"] == "reintegratiebureau"
    assert bureau["kvk"] == "12345678"
    # A second organization with the same KvK number is refused, and so is a malformed one.
    assert "already" in spoorwijzer(
        cli_database, "org", "create", "--kind", "werkgever", "--name", "X", "--kvk", "12345678", ok=False
    )
    assert "8 digits" in spoorwijzer(
        cli_database, "org", "create", "--kind", "werkgever", "--name", "X", "--kvk", "12", ok=False
    )
    key = spoorwijzer(cli_database, "key", "create", "--org", bureau["id"], "--name", "back office")
    assert key["key"].startswith("spw_") and len(key["key"]) > 40
    assert key["organization_id"] == bureau["id"]
    listed = spoorwijzer(cli_database, "key", "list")
    assert [k["id"] for k in listed] == [key["id"]]
    assert "key" not in listed[0]  # the secret is shown once, at creation
    assert [o["id"] for o in spoorwijzer(cli_database, "org", "list")] == [bureau["id"]]
    revoked = spoorwijzer(cli_database, "key", "revoke", "--id", key["id"])
    assert revoked["revoked_at"] is not None
    assert spoorwijzer(cli_database, "refresh-compliance") == {"refreshed": 0}


def test_demo_keys_work_against_the_app(cli_database: str) -> None:
    demo = spoorwijzer(cli_database, "demo")
    assert set(demo["keys"]) == {"reintegratiebureau", "werkgever", "arbodienst"}
    assert len(demo["case_ids"]) == 3
    # Demo cases come with their compliance snapshots, written by the CLI's commit like the API's.
    assert spoorwijzer(cli_database, "refresh-compliance") == {"refreshed": 0}
    from app.core.settings import Settings
    from app.main import create_app

    async def read_as_employer() -> list[str]:
        app = create_app(Settings(environment="test", database_url=cli_database))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                headers = {"Authorization": f"Bearer {demo['keys']['werkgever']['key']}"}
                response = await client.get("/v1/cases", headers=headers)
                assert response.status_code == 200, response.text
                return [case["id"] for case in response.json()["items"]]

    import asyncio

    assert sorted(asyncio.run(read_as_employer())) == sorted(demo["case_ids"])


def test_import_command(cli_database: str, tmp_path: Any) -> None:
    demo = spoorwijzer(cli_database, "demo")
    bureau = demo["keys"]["reintegratiebureau"]["organization_id"]
    bundles = [
        {
            "external_ref": f"CLI-{n}",
            "employer_id": demo["keys"]["werkgever"]["organization_id"],
            "arbodienst_id": demo["keys"]["arbodienst"]["organization_id"],
            "employee": {"name": f"Werknemer {n}", "date_of_birth": "1985-03-04"},
            "absence_periods": [{"first_day": "2025-01-06"}],
            "milestones": [{"type": "probleemanalyse", "occurred_on": "2025-02-20"}],
        }
        for n in range(60)
    ]
    bundles.append({"external_ref": "CLI-BAD", "employee": {}})
    path = tmp_path / "bundles.jsonl"
    path.write_text("\n".join(json.dumps(b) for b in bundles))
    done = spoorwijzer(cli_database, "import", str(path), "--org", bureau)
    assert (done["status"], done["total"], done["created"], done["failed"]) == ("done", 61, 60, 1)
    again = spoorwijzer(cli_database, "import", str(path), "--org", bureau, "--no-progress")
    assert (again["created"], again["existing"], again["failed"]) == (0, 60, 1)
    employer = demo["keys"]["werkgever"]["organization_id"]
    assert "no reintegratiebureau" in spoorwijzer(cli_database, "import", str(path), "--org", employer, ok=False)


def test_start_rebuilds_stale_snapshots_in_batches(cli_database: str) -> None:
    """After a rules change (migration 0008 deletes the v1 snapshots) `run` rebuilds them batch by batch."""
    import asyncio

    import asyncpg

    from app.cli import refresh_in_batches
    from app.core.settings import Settings

    url = make_url(cli_database).set(drivername="postgresql").render_as_string(hide_password=False)

    async def sql(statement: str) -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(statement)
        finally:
            await conn.close()

    spoorwijzer(cli_database, "demo")
    cases = asyncio.run(sql("SELECT count(*) FROM cases"))
    asyncio.run(sql("DELETE FROM compliance_snapshots"))
    settings = Settings(environment="test", database_url=cli_database)
    assert refresh_in_batches(settings, batch=2) == {"refreshed": cases}
    assert asyncio.run(sql("SELECT count(*) FROM compliance_snapshots")) == cases
    assert refresh_in_batches(settings) == {"refreshed": 0}
