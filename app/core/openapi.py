"""OpenAPI shaping: every error response is problem+json, declared once per status."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.errors import PROBLEM_MEDIA_TYPE, Problem

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
            servers=app.servers,
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
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
