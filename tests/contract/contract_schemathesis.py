"""Contract run: schemathesis (every operation, positive and negative data, every check, stateful sequences
through the spec's OpenAPI links) against a live `spoorwijzer run` with a seeded database, driven by the
committed `openapi/openapi.json` (what clients are generated from).

Runs in its own pytest process (`make contract`): the main suite's rolled-back transactions cannot serve a live
server. Knobs: CONTRACT_MAX_EXAMPLES (default 25 per operation and phase), CONTRACT_SEED (default: random; the
seed is printed so a failure can be replayed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.settings import PROJECT_ROOT
from tests.contract.seed import Seeded, seeded_server
from tests.live import Server

HERE = Path(__file__).parent
SPEC = PROJECT_ROOT / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Seeded]]:
    with seeded_server("contract", tmp_path_factory.mktemp("contract")) as served:
        yield served


def test_schemathesis_finds_no_failure(live: tuple[Server, Seeded], tmp_path: Path) -> None:
    server, seeded = live
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        str(SPEC),
        "--url",
        server.base,
        "--header",
        f"Authorization: Bearer {seeded.bureau_key}",
        "--checks",
        "all",
        "--mode",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        os.environ.get("CONTRACT_MAX_EXAMPLES", "25"),
        "--workers",
        "2",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    if os.environ.get("CONTRACT_SEED"):
        command += ["--seed", os.environ["CONTRACT_SEED"]]
    # The hooks add a serializer for the JSON Lines body of POST /v1/imports.
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.hooks", "PYTHONPATH": str(HERE.parents[1])}
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False)
    print(run.stdout, run.stderr)
    assert run.returncode == 0, f"schemathesis found failures (exit {run.returncode}); its report is above"

    # The server's own view: no request ended in a 5xx, and nothing was logged as an unhandled error.
    logged = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    answered = [line for line in logged if line["logger"] == "spoorwijzer.access"]
    assert len(answered) > 500, "schemathesis barely reached the server"
    assert not [line for line in answered if line["status"] >= 500]
    assert not [line for line in logged if line["level"] in ("error", "critical")]
