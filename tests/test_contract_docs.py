"""The contract explains itself: problem codes and their catalogue, named vocabularies, examples, response headers,
and no removal from the last released spec (docs/versioning.md)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import app
from app.core import examples
from app.core.errors import Code
from app.core.settings import PROJECT_ROOT
from app.core.vocabularies import VOCABULARIES
from app.openapi_export import document
from tests.conftest import World, assert_problem, case_body, create_case

CATALOGUE = PROJECT_ROOT / "docs" / "errors.md"
RELEASED = PROJECT_ROOT / "openapi" / "released"

# Changes made on purpose that the comparison reads as a removal, each with the issue that decided it. Issue 15's own
# changes (codes, named vocabularies, headers, examples) remove nothing.
INTENDED_REMOVALS: set[str] = {
    # Issue 11 (rules v2): these milestone types moved from the date-only variant of the milestone union to variants
    # of their own (with optional fields); POST /v1/cases/{case_id}/milestones accepts them as before.
    "components.SimpleMilestoneCreate.type: value 'bijstelling_plan_van_aanpak'",
    "components.SimpleMilestoneCreate.type: value 'plan_van_aanpak'",
    "components.SimpleMilestoneCreate.type: value 'probleemanalyse'",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return dict(json.loads(document()))


# --- problem codes and docs/errors.md ----------------------------------------------------------------------------


def catalogue_codes() -> list[str]:
    return re.findall(r"^### (\w+)\s*$", CATALOGUE.read_text(), re.M)


def test_every_code_is_in_the_catalogue_and_every_catalogue_entry_is_a_code() -> None:
    documented = catalogue_codes()
    assert len(documented) == len(set(documented)), "a code has two sections in docs/errors.md"
    defined = [code.value for code in Code]
    assert sorted(set(defined) - set(documented)) == [], "describe these codes in docs/errors.md"
    assert sorted(set(documented) - set(defined)) == [], "docs/errors.md names codes that Code does not have"


def test_every_code_is_raised_somewhere() -> None:
    """A code that nothing raises is a catalogue entry nobody can meet: remove it or raise it."""
    sources = "\n".join(
        path.read_text() for path in (PROJECT_ROOT / "app").rglob("*.py") if path.name != "vocabularies.py"
    )
    unused = [code.value for code in Code if not re.search(rf"\bCode\.{code.name}\b", sources)]
    assert unused == []


def test_problem_code_component_lists_every_code(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    assert components["ProblemCode"]["enum"] == [code.value for code in Code]
    problem = components["Problem"]
    assert "code" in problem["required"]
    assert {"existing_id", "current_version", "unmet_condition", "errors"} <= set(problem["properties"])


async def test_problems_carry_their_code_and_extra_members(world: World) -> None:
    """A 409 is told from another 409 by its code; the members the schema names are there."""
    case = await create_case(world)
    taken = assert_problem(
        await world.bureau.post("/v1/cases", json=case_body(world, external_ref=case["external_ref"])), 409
    )
    assert (taken["code"], taken["existing_id"]) == ("external_ref_taken", case["id"])

    spoor_3 = await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 3, "started_on": "2025-03-03"})
    body = assert_problem(spoor_3, 422)
    assert (body["code"], body["unmet_condition"]) == ("spoor_3_condition", "employer_is_wga_eigenrisicodrager")

    stale = await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"employer_case_manager": "A. Bakker"}, headers={"If-Match": '"7"'}
    )
    body = assert_problem(stale, 412)
    assert (body["code"], body["current_version"]) == ("stale_version", 1)

    closed = await world.bureau.post(
        f"/v1/cases/{case['id']}/close", json={"closed_on": "2025-03-31", "reason": "hersteld"}
    )
    assert closed.status_code == 200, closed.text
    body = assert_problem(
        await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 1, "started_on": "2025-03-03"}), 409
    )
    assert body["code"] == "case_closed"

    assert assert_problem(await world.bureau.get("/v1/cases?cursor=nonsense"), 422)["code"] == "invalid_cursor"
    missing = assert_problem(await world.bureau.post("/v1/cases", json={}), 422)
    assert missing["code"] == "validation_error" and missing["errors"]
    assert assert_problem(await world.bureau.get("/v1/cases/00000000-0000-0000-0000-000000000000"), 404)["code"] == (
        "not_found"
    )
    raw = await world.bureau.client.post(
        "/v1/cases", content=b"{", headers={**world.bureau.headers, "Content-Type": "application/json"}
    )
    assert assert_problem(raw, 400)["code"] == "malformed_json"
    text = await world.bureau.client.post(
        "/v1/cases", content=b"x", headers={**world.bureau.headers, "Content-Type": "text/plain"}
    )
    assert assert_problem(text, 415)["code"] == "unsupported_media_type"


# --- named vocabularies --------------------------------------------------------------------------------------------


def test_every_vocabulary_value_is_described(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    for vocabulary in VOCABULARIES:
        undescribed = [value for value in vocabulary.values if not vocabulary.meanings.get(value)]
        assert undescribed == [], f"describe {vocabulary.name} {undescribed} in app/core/vocabularies.py"
        assert components[vocabulary.name]["enum"] == list(vocabulary.values)
        assert len(components[vocabulary.name]["x-enum-descriptions"]) == len(vocabulary.values)


def test_fields_refer_to_the_named_vocabularies(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    assert components["ObligationRead"]["properties"]["status"] == {"$ref": "#/components/schemas/ObligationStatus"}
    assert components["ObligationRead"]["properties"]["code"] == {"$ref": "#/components/schemas/ObligationCode"}
    assert components["ObligationRead"]["properties"]["parties"]["items"] == {"$ref": "#/components/schemas/Party"}
    assert components["MilestoneRead"]["properties"]["type"] == {"$ref": "#/components/schemas/MilestoneType"}
    assert components["ProposalRead"]["properties"]["status"]["$ref"] == "#/components/schemas/ProposalStatus"
    assert components["EventRead"]["properties"]["type"]["anyOf"][0] == {"$ref": "#/components/schemas/EventType"}
    # No list of two or more values is left inline, but for the discriminators of the milestone union.
    inline = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if len(node.get("enum", [])) > 1 and not where.endswith("MilestoneCreate/properties/type"):
                inline.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    named = {vocabulary.name for vocabulary in VOCABULARIES} | {"ProblemCode"}
    walk({k: v for k, v in components.items() if k not in named}, "")
    walk(spec["paths"], "paths")
    assert [w for w in inline if "Idempotent-Replayed" not in w] == []


# --- examples -----------------------------------------------------------------------------------------------------


def models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if module.name.endswith((".schemas", ".errors")):
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, type) and issubclass(value, BaseModel):
                    found[value.__name__] = value
    return found


def test_every_request_body_has_an_example_that_the_service_accepts(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    bodies: set[str] = set()
    for item in spec["paths"].values():
        for operation in item.values():
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            refs = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
            bodies |= {ref["$ref"].rsplit("/", 1)[-1] for ref in refs if "$ref" in ref}
    assert bodies, "no request bodies found"
    assert sorted(b for b in bodies if not components[b].get("examples")) == []
    main_responses = ["CaseRead", "MilestoneRead", "TrackRead", "ReportRead", "ProposalRead", "MedicalStatusRead"]
    main_responses += ["CaseCompliance", "ObligationRead", "OrganizationRead", "EventRead", "Me", "Problem"]
    assert [name for name in main_responses if not components[name].get("examples")] == []
    known = models()
    for name, values in {**examples.REQUESTS, **examples.RESPONSES}.items():
        for value in values:
            known[name].model_validate(value)  # raises on an example the service would refuse or never send


# --- response headers ---------------------------------------------------------------------------------------------


def declared(spec: dict[str, Any], method: str, template: str, status: int) -> set[str]:
    response = spec["paths"][template][method.lower()]["responses"][str(status)]
    return {name.lower() for name in response.get("headers", {})}


async def test_headers_sent_are_declared(world: World, spec: dict[str, Any]) -> None:
    watched = {"etag", "location", "retry-after", "idempotent-replayed", "x-request-id", "content-location"}
    watched.add("www-authenticate")
    seen: list[tuple[str, str, int, set[str]]] = []

    async def check(method: str, url: str, template: str, **kwargs: Any) -> Any:
        response = await world.bureau.request(method, url, **kwargs)
        sent = {name.lower() for name in response.headers} & watched
        missing = sent - declared(spec, method, template, response.status_code)
        assert missing == set(), f"{method} {template} {response.status_code} sends undeclared {missing}"
        seen.append((method, template, response.status_code, sent))
        return response

    body = case_body(world)
    created = await check("POST", "/v1/cases", "/v1/cases", json=body, headers={"Idempotency-Key": "k-1"})
    await check("POST", "/v1/cases", "/v1/cases", json=body, headers={"Idempotency-Key": "k-1"})
    case = created.json()["id"]
    await check("GET", f"/v1/cases/{case}", "/v1/cases/{case_id}")
    await check(
        "PATCH",
        f"/v1/cases/{case}",
        "/v1/cases/{case_id}",
        json={"employer_case_manager": "X"},
        headers={"If-Match": '"1"'},
    )
    track = await check(
        "POST", f"/v1/cases/{case}/tracks", "/v1/cases/{case_id}/tracks", json={"spoor": 1, "started_on": "2025-02-03"}
    )
    await check("GET", f"/v1/tracks/{track.json()['id']}", "/v1/tracks/{track_id}")
    await check("GET", f"/v1/cases/{case}/compliance", "/v1/cases/{case_id}/compliance")
    anonymous = await world.bureau.client.get(f"/v1/cases/{case}")
    assert {"www-authenticate", "x-request-id"} <= {h.lower() for h in anonymous.headers}
    assert {"www-authenticate", "x-request-id"} <= declared(spec, "GET", "/v1/cases/{case_id}", 401)
    sent = {header for *_, headers in seen for header in headers}
    assert {"etag", "location", "idempotent-replayed", "x-request-id"} <= sent


# --- compatibility with the released spec -------------------------------------------------------------------------


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.stem.removeprefix("v").split("."))


def _resolve(spec: dict[str, Any], node: Any, seen: frozenset[str] = frozenset()) -> set[Any]:
    """Every enum value a schema admits at this place, through $ref, anyOf, oneOf and allOf."""
    if not isinstance(node, dict):
        return set()
    values = set(node.get("enum", []))
    ref = node.get("$ref")
    if ref and ref not in seen:
        values |= _resolve(spec, spec["components"]["schemas"][ref.rsplit("/", 1)[-1]], seen | {ref})
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            values |= _resolve(spec, option, seen)
    return values


def _props(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return dict(schema.get("properties", {}))


def removals(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What the current spec lost against the released one: operations, parameters, fields and enum values."""
    lost: list[str] = []
    for path, item in released["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            now = current["paths"].get(path, {}).get(method)
            if now is None:
                lost.append(f"{where}: operation")
                continue
            params = {(p["in"], p["name"]): p for p in now.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                key = (parameter["in"], parameter["name"])
                if key not in params:
                    lost.append(f"{where}: parameter {parameter['name']}")
                    continue
                gone = _resolve(released, parameter["schema"]) - _resolve(current, params[key]["schema"])
                lost += [f"{where}: parameter {parameter['name']} value {v!r}" for v in sorted(gone, key=str)]
    for name, schema in released["components"]["schemas"].items():
        now = current["components"]["schemas"].get(name)
        if now is None:
            lost.append(f"components.{name}")
            continue
        gone = _resolve(released, schema) - _resolve(current, now)
        lost += [f"components.{name}: value {v!r}" for v in sorted(gone, key=str)]
        now_props = _props(current, now)
        for field, definition in _props(released, schema).items():
            if field not in now_props:
                lost.append(f"components.{name}.{field}")
                continue
            before, after = _resolve(released, definition), _resolve(current, now_props[field])
            before |= _resolve(released, definition.get("items", {}))
            after |= _resolve(current, now_props[field].get("items", {}))
            lost += [f"components.{name}.{field}: value {v!r}" for v in sorted(before - after, key=str)]
    return lost


def test_nothing_released_is_removed_within_a_major_version(spec: dict[str, Any]) -> None:
    releases = sorted(RELEASED.glob("v*.json"), key=_version)
    assert releases, "openapi/released/ keeps the last release's spec"
    last = releases[-1]
    released = json.loads(last.read_text())
    major_now = int(spec["info"]["version"].split(".")[0])
    if major_now > _version(last)[0]:
        pytest.skip(f"a new major version ({spec['info']['version']}) may remove what {last.name} had")
    assert sorted(set(removals(released, spec)) - INTENDED_REMOVALS) == [], "breaking: see docs/versioning.md"


def test_the_comparison_sees_a_removal(spec: dict[str, Any]) -> None:
    """The check above would fail on a lost operation, field or enum value (it is not vacuous)."""
    released = json.loads(sorted(RELEASED.glob("v*.json"), key=_version)[-1].read_text())
    broken = json.loads(json.dumps(spec))
    del broken["paths"]["/v1/cases/{case_id}/close"]
    del broken["components"]["schemas"]["CaseRead"]["properties"]["external_ref"]
    broken["components"]["schemas"]["ObligationStatus"]["enum"].remove("lapsed")
    lost = removals(released, broken)
    assert "POST /v1/cases/{case_id}/close: operation" in lost
    assert "components.CaseRead.external_ref" in lost
    assert "components.ObligationRead.status: value 'lapsed'" in lost


def test_every_retry_safe_operation_documents_the_idempotency_conflict(spec: dict[str, Any]) -> None:
    """A concurrent request with the same Idempotency-Key answers 409 with Retry-After, on every such operation."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
                conflict = operation["responses"].get("409", {})
                assert "Retry-After" in conflict.get("headers", {}), f"{method.upper()} {path}"
