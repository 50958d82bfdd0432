"""/docs renders in a real browser with no network: headless Chromium (Debian's, installed when missing) loads the
Swagger UI from a live server whose assets are its own, and the operations show up in the rendered page."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import httpx
import pytest

from tests.live import Server, committed_database, serve


def chromium() -> str:
    """The browser, installed with apt-get by the test set-up when it is missing (it is not pip-installable)."""
    found = shutil.which("chromium")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, capture_output=True, timeout=900)
        found = shutil.which("chromium")
    assert found, "Debian's chromium is required (apt-get install -y chromium)"
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = committed_database("docs_browser")
    with serve(url, tmp_path_factory.mktemp("docs") / "server.log") as live:
        yield live


def render(browser: str, url: str) -> str:
    """The DOM after the page's scripts ran. Every host but the loopback resolves to nothing, so an asset from a
    CDN would fail to load exactly as on a network without internet access."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_docs_pages_use_only_their_own_assets_under_a_strict_policy(server: Server) -> None:
    for page, assets in {
        "/docs": ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/swagger-ui-init.js"],
        "/redoc": ["/docs/assets/redoc.standalone.js"],
    }.items():
        answer = httpx.get(f"{server.base}{page}")
        assert answer.status_code == 200
        # Only this service's scripts: the browser test below renders the pages under this policy.
        assert "script-src 'self';" in answer.headers["content-security-policy"]
        assert "http" not in answer.text  # no absolute address: nothing from a CDN
        assert "<script>" not in answer.text  # no inline script (the policy would block it)
        for asset in assets:
            assert asset in answer.text
            assert httpx.get(f"{server.base}{asset}").status_code == 200, asset


def test_swagger_ui_renders_the_operations_in_headless_chromium(server: Server) -> None:
    dom = render(chromium(), f"{server.base}/docs")
    spec = httpx.get(f"{server.base}/openapi.json").json()
    # Swagger UI renders each operation as a block with id `operations-<tag>-<operationId>` (the tag escaped) and
    # its path.
    expected = {
        (op["operationId"], f'data-path="{path}"')
        for path, item in spec["paths"].items()
        for op in item.values()
        if op.get("tags")
    }
    assert len(expected) > 30
    blocks = set(re.findall(r'id="operations-[^"]*?-(\w+)"', dom))
    missing = [(operation, path) for operation, path in expected if operation not in blocks or path not in dom]
    assert missing == [], (missing[:5], len(missing), len(expected), len(dom))


def test_redoc_renders_in_headless_chromium(server: Server) -> None:
    dom = render(chromium(), f"{server.base}/redoc")
    assert "/docs/assets/redoc.standalone.js" in dom
    assert "/v1/cases/{case_id}/compliance" in dom, dom[-2000:]
