"""docs/walkthrough.md runs: its `sh` blocks, exactly as written and in order, against a live server on a fresh
database, with curl and jq (installed by the test set-up when missing). The guide cannot rot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import get_args

import pytest

from app.audit.schemas import EventType
from app.core.settings import PROJECT_ROOT
from tests.live import committed_database, serve

GUIDE = PROJECT_ROOT / "docs" / "walkthrough.md"


def commands() -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", GUIDE.read_text(), re.M | re.S)


def require(tool: str) -> None:
    """curl and jq come from Debian's packages; the test set-up installs them when they are missing."""
    if shutil.which(tool) is None:
        subprocess.run(["apt-get", "install", "-y", "-q", tool], check=True, capture_output=True, timeout=600)
    assert shutil.which(tool), f"{tool} is required (apt-get install -y {tool})"


def test_the_guide_has_the_whole_story() -> None:
    script = "\n".join(commands())
    for step in (
        "spoorwijzer org create",
        "/v1/organizations",
        "/api-keys",
        "/v1/cases",
        "/milestones",
        "/medical-status",
        "/tracks",
        "/candidate-proposals",
        "/progress-reports",
        "application/pdf",
        "/compliance",
        "/v1/events",
        "/close",
    ):
        assert step in script, step


def test_the_walkthrough_runs_against_a_live_server(tmp_path: Path) -> None:
    require("curl")
    require("jq")
    url = committed_database("walkthrough")
    # The guide runs from the repository's root (`.venv/bin/spoorwijzer`); here from a scratch folder that links
    # to the same virtual environment, so the files it writes (the PDF) stay out of the checkout.
    (tmp_path / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    # After the guide's own commands, the test keeps the feed to check its event types.
    epilogue = '\ncurl -sS --fail-with-body "$API/v1/events" "${B[@]}" > events.json\n'
    script = "set -euo pipefail\n" + "\n".join(commands()) + epilogue
    with serve(url, tmp_path / "server.log") as server:
        env = {**os.environ, "API": server.base, "DATABASE_URL": url, "SPOORWIJZER_ENVIRONMENT": "test"}
        done = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
    assert done.returncode == 0, f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    assert (tmp_path / "report-2025-09.pdf").read_bytes().startswith(b"%PDF-")
    events = json.loads((tmp_path / "events.json").read_text())["items"]
    types = {event["type"] for event in events}
    assert {"case.created", "case.closed", "progress_report.submitted", "medical_status.created"} <= types
    # EventType (an open vocabulary) lists every type the service writes.
    assert types - set(get_args(EventType)) == set()


@pytest.mark.parametrize("block", range(len(commands())))
def test_every_block_is_copy_paste_bash(block: int) -> None:
    """No placeholder such as <case id> for the reader to fill in: every id is captured."""
    assert not re.search(r"<[a-z ]+id>", commands()[block])
