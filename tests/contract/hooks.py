"""Schemathesis hooks of the contract run (loaded through SCHEMATHESIS_HOOKS by contract_schemathesis.py)."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: Any, value: Any) -> bytes:
    """POST /v1/imports takes JSON Lines: its schema is a binary string, sent as it is generated."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()
