"""OpenAPI shaping: problem+json errors declared once per status, named vocabularies, response headers, examples."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core import examples
from app.core.errors import PROBLEM_MEDIA_TYPE, Problem
from app.core.vocabularies import VOCABULARIES, component

_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON)",
    401: "Missing, unknown or revoked API key",
    403: "The caller's kind of organization may not do this",
    404: "No such resource, or not visible to the caller",
    409: "Conflicts with the current state",
    412: "If-Match names a version that is no longer current",
    413: "Request body too large",
    415: "Request body is not JSON",
    422: "Invalid input; `errors` names each invalid field",
    428: "If-Match is required",
    503: "The database is unavailable; nothing was changed",
}

ETAG_PATTERN = r'^(W/)?"[0-9]{1,12}"$'

# Statuses that any authenticated route can answer.
COMMON = (400, 401, 413, 415, 422, 503)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry declaring these error statuses as problem+json."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in sorted(set(COMMON + statuses))
    }


def _require_if_match_on_patch(schema: dict[str, Any]) -> None:
    """Every PATCH (and every DELETE that takes it) needs If-Match. The handlers take it as optional only to answer
    its absence with 428 (a problem the client can act on) instead of a generic 422; the document says what a
    client must send."""
    for item in schema.get("paths", {}).values():
        parameters = [*item.get("patch", {}).get("parameters", []), *item.get("delete", {}).get("parameters", [])]
        for parameter in parameters:
            if parameter["in"] == "header" and parameter["name"] == "If-Match":
                parameter["required"] = True
                parameter["schema"] = {**parameter["schema"].pop("anyOf")[0], **parameter["schema"]}
                # An ETag as issued: another version is 412, blank or `*` 428, anything else malformed (422).
                parameter["schema"]["pattern"] = ETAG_PATTERN


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "Error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


# What a header can make any operation that takes it answer: a concurrent duplicate of an Idempotency-Key is a
# 409 (retry shortly), an If-Match a 412 (another version) or 428 (`*`, blank).
_HEADER_STATUSES = {"Idempotency-Key": (409,), "If-Match": (412, 428)}


def _declare_header_statuses(schema: dict[str, Any]) -> None:
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"] == "If-Match" and "anyOf" in parameter["schema"]:
                    # Where it is optional, too, the document asks for an ETag as issued (the server also takes
                    # `*` and blank, to answer them 428, and an unquoted number).
                    for choice in parameter["schema"]["anyOf"]:
                        if choice.get("type") == "string":
                            choice["pattern"] = ETAG_PATTERN
                for status in _HEADER_STATUSES.get(parameter["name"], ()) if parameter["in"] == "header" else ():
                    operation["responses"].setdefault(str(status), _problem(status))


def _body_schema(operation: dict[str, Any], status: str) -> Any:
    return operation["responses"].get(status, {}).get("content", {}).get("application/json", {}).get("schema")


def _link_creates_to_reads(schema: dict[str, Any]) -> None:
    """OpenAPI links from each creating POST (201) to the GET and PATCH of what it created.

    A target is an operation answering the same schema whose last path parameter names the resource: it takes
    the created `id`; its other path parameters come from the creating request's own path; a PATCH takes the
    created ETag as If-Match. Generated clients and stateful testers (schemathesis) follow them.
    """
    operations = [(path, method, op) for path, item in schema.get("paths", {}).items() for method, op in item.items()]
    for source_path, method, creator in operations:
        created = _body_schema(creator, "201")
        if method != "post" or created is None:
            continue
        links: dict[str, Any] = {}
        for target_path, target_method, target in operations:
            names = re.findall(r"\{(\w+)\}", target_path)
            if target_method not in ("get", "patch") or not names or _body_schema(target, "200") != created:
                continue
            *outer, resource = names
            if not target_path.endswith(f"{{{resource}}}") or not all(f"{{{n}}}" in source_path for n in outer):
                continue
            parameters = {f"path.{name}": f"$request.path.{name}" for name in outer}
            parameters[f"path.{resource}"] = "$response.body#/id"
            if target_method == "patch":
                parameters["header.If-Match"] = "$response.header.ETag"
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": parameters,
                "description": f"{target_method.upper()} {target_path} of the created resource",
            }
        if links:
            creator["responses"]["201"]["links"] = links


def api_version() -> str:
    """The package's version is the API's (docs/versioning.md)."""
    try:
        return package_version("spoorwijzer")
    except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
        return "0.0.0"


SERVERS = [
    {"url": "/", "description": "This service"},
    {"url": "http://127.0.0.1:8000", "description": "`make run` on your machine"},
]
# No e-mail member: FastAPI would check it with email-validator, a dependency for one address.
CONTACT = {"name": "Spoorwijzer API support", "url": "https://spoorwijzer.nl/support"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _name_vocabularies(schema: dict[str, Any]) -> None:
    """Each vocabulary becomes a component; every field carrying exactly its values refers to it instead.

    Fields of an open vocabulary (`x-vocabulary`, e.g. the feed's event type) accept any string besides, so an
    older client still reads a value added later. Single values of a discriminated union stay inline.
    """
    components = schema["components"]["schemas"]
    by_values: dict[frozenset[Any], str] = {}
    for vocabulary in VOCABULARIES:
        components[vocabulary.name] = component(vocabulary)
        if not vocabulary.open:
            key = frozenset(vocabulary.values)
            assert key not in by_values, f"{vocabulary.name} has the values of {by_values[key]}"
            by_values[key] = vocabulary.name

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        name = node.get("x-vocabulary")
        if name is not None:
            kept = {k: v for k, v in node.items() if k in ("description", "examples", "default")}
            return {"anyOf": [_ref(name), {"type": node.get("type", "string")}], **kept}
        values = node.get("enum")
        if isinstance(values, list) and len(values) > 1 and frozenset(values) in by_values:
            kept = {k: v for k, v in node.items() if k in ("description", "examples", "default")}
            return {**_ref(by_values[frozenset(values)]), **kept}
        return {key: visit(value) for key, value in node.items()}

    named = {vocabulary.name for vocabulary in VOCABULARIES}
    schema["paths"] = visit(schema["paths"])
    for name, definition in list(components.items()):
        if name not in named:
            components[name] = visit(definition)


def _add_examples(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for name, values in {**examples.REQUESTS, **examples.RESPONSES}.items():
        components[name]["examples"] = values


_VERSIONED = {"CaseRead", "TrackRead", "ReportRead", "ProposalRead", "MedicalStatusRead"}
_HEADERS = {
    "X-Request-ID": {
        "description": "The request's id (the one sent, when it was sane; else a new one), also in the access log",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The version of the resource; send it as If-Match to change it",
        "schema": {"type": "string", "pattern": ETAG_PATTERN},
    },
    "Location": {"description": "The address of the created resource", "schema": {"type": "string"}},
    "Content-Location": {"description": "The address of the resource the body shows", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}},
    "WWW-Authenticate": {"description": "`Bearer`: how to authenticate", "schema": {"type": "string"}},
}


def _declare_headers(schema: dict[str, Any]) -> None:
    """Declare each response header where the service sends it (tests/test_contract_docs.py checks real answers)."""
    for item in schema["paths"].values():
        for method, operation in item.items():
            idempotent = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
            if idempotent and "409" not in operation["responses"]:
                # A concurrent request with the same key answers 409 idempotency_in_progress on every such route.
                operation["responses"]["409"] = problems(409)[409]
            for status, response in operation["responses"].items():
                names = ["X-Request-ID"]
                body = (_body_schema(operation, status) or {}).get("$ref", "").rsplit("/", 1)[-1]
                if status.startswith("2"):
                    if body in _VERSIONED:
                        names.append("ETag")
                    if method == "post" and idempotent:
                        names.append("Location")
                    if method == "put" and body == "MedicalStatusRead":
                        names.append("Content-Location")
                        if status == "201":
                            names.append("Location")
                    if idempotent:
                        names.append("Idempotent-Replayed")
                if status == "503" or (status == "409" and idempotent):
                    names.append("Retry-After")
                if status == "401":
                    names.append("WWW-Authenticate")
                response["headers"] = {name: _HEADERS[name] for name in names}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            servers=SERVERS,
            contact=CONTACT,
            separate_input_output_schemas=False,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(
            {
                name: definition
                for name, definition in Problem.model_json_schema(
                    ref_template="#/components/schemas/{model}", mode="serialization"
                )
                .get("$defs", {})
                .items()
            }
        )
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
        problem_schema.pop("$defs", None)
        components["Problem"] = problem_schema
        # FastAPI's own validation error models are never sent: our 422 is a Problem.
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                if "422" in responses:
                    responses["422"] = {
                        "description": _DESCRIPTIONS[422],
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                    }
        _require_if_match_on_patch(schema)
        _declare_header_statuses(schema)
        _link_creates_to_reads(schema)
        _name_vocabularies(schema)
        _add_examples(schema)
        _declare_headers(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
