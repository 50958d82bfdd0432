"""The committed OpenAPI document is the app's, and it is shaped for generated clients."""

from __future__ import annotations

import json
from collections import Counter

from app.core.settings import PROJECT_ROOT
from app.openapi_export import document


def test_committed_spec_matches_app() -> None:
    committed = (PROJECT_ROOT / "openapi" / "openapi.json").read_text()
    assert committed == document(), "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_spec_is_client_friendly() -> None:
    spec = json.loads(document())
    operations = [op for item in spec["paths"].values() for op in item.values()]
    ids = Counter(op["operationId"] for op in operations)
    assert all(count == 1 for count in ids.values()), ids
    assert all(op["operationId"].islower() and " " not in op["operationId"] for op in operations)
    schemas = spec["components"]["schemas"]
    assert not [name for name in schemas if name.endswith(("-Input", "-Output"))]
    assert "HTTPValidationError" not in schemas
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (path, method, status)
    # Inputs reject unknown fields, and that shows in the spec.
    assert schemas["CaseCreate"]["additionalProperties"] is False
    assert "employee" in schemas["CaseRead"]["required"]
