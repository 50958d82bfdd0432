"""Generated clients, used the way employer portals use us: the Python client (openapi-python-client) and the
TypeScript client (openapi-typescript + openapi-fetch, type-checked by tsc), both generated from the committed
`openapi/openapi.json` by `make clients`, each run against a live `spoorwijzer run` on a seeded database as the
employer: list its cases, read one case's compliance, its re-integratieverslag check and a submitted progress
report.

Run by `make clients` (which installs and generates everything first) in its own pytest process.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from app.core.settings import PROJECT_ROOT
from tests.contract.seed import Seeded, seeded_server
from tests.live import Server

CLIENTS = PROJECT_ROOT / "clients"
COMMANDS = {
    "python": [str(CLIENTS / "python" / ".venv" / "bin" / "python"), str(CLIENTS / "python" / "exercise.py")],
    "typescript": ["node", str(CLIENTS / "ts" / "dist" / "exercise.js")],
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Seeded]]:
    with seeded_server("clients", tmp_path_factory.mktemp("clients")) as served:
        yield served


@pytest.mark.parametrize("client", sorted(COMMANDS))
def test_an_employer_portal_reads_its_dossiers_through_the_generated_client(
    client: str, live: tuple[Server, Seeded]
) -> None:
    server, seeded = live
    env = {**os.environ, **seeded.env(), "SPOORWIJZER_API": server.base}
    run = subprocess.run(COMMANDS[client], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, f"{client} client failed:\n{run.stdout}\n{run.stderr}"
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["client"] == client
    assert summary["cases"] == int(seeded.employer_cases)
    assert summary["obligations"] > 0
    assert summary["riv_parts"] == 10  # the RIV check's route and its enums are in the generated client
