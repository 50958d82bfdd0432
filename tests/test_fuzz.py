"""Generated bad input against the live service (`spoorwijzer run` on a seeded database): every GET route with
every query parameter it declares (and some it does not), path ids real, random or garbage, values of every kind
(NUL, lone surrogates as UTF-8 bytes, invalid UTF-8, huge numbers, far-off dates and moments), hand-made cursors,
unsigned and signed-looking, real cursors moved to other lists, and odd headers (`If-Match: {}`, malformed
`Idempotency-Key`, 10 kB values). No answer may be a 5xx, and every 4xx is a problem+json document.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import case_body
from tests.live import Server, committed_database, committing_app, parties, serve
from tests.test_medical import status_body
from tests.workflows import add_proposal, add_report, start_track

EXAMPLES = 250


@dataclass
class Seeded:
    server: Server
    keys: list[str]  # bureau, employer, arbodienst
    ids: list[str]  # ids of every kind that exists
    cursors: list[str]  # real next_cursors of several lists
    routes: list[tuple[str, list[str]]]  # GET path templates with their query parameters
    patch_urls: list[str]


async def _seed(url: str) -> tuple[list[str], list[str], list[str]]:
    async with committing_app(url) as (_, _, factory):
        p = await parties(factory, "fuzz")
        case = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
        for _ in range(2):
            await p.bureau.post("/v1/cases", json=case_body(p))
        track = await start_track(p.bureau, case["id"])
        report = await add_report(p.bureau, track["id"], "2026-02")
        proposal = await add_proposal(p.bureau, track["id"])
        await p.arbodienst.put(f"/v1/cases/{case['id']}/medical-status", json=status_body())
        ids = [p.bureau.id, p.employer.id, case["id"], track["id"], report["id"], proposal["id"]]
        cursors = []
        for list_url in ("/v1/cases", f"/v1/cases/{case['id']}/audit-log", f"/v1/cases/{case['id']}/milestones"):
            page = (await p.bureau.get(list_url, params={"limit": 1})).json()
            cursors.append(page["next_cursor"])
        cursors.append((await p.bureau.get("/v1/events", params={"limit": 1})).json()["next_cursor"])
        return [p.bureau.key, p.employer.key, p.arbodienst.key], ids, [c for c in cursors if c]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    url = committed_database("fuzz")
    keys, ids, cursors = asyncio.run(_seed(url))
    log = Path(tmp_path_factory.mktemp("fuzz")) / "server.log"
    with serve(url, log) as server:
        spec = httpx.get(f"{server.base}/openapi.json").json()
        routes = [
            (path, [p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"])
            for path, ops in spec["paths"].items()
            if "get" in ops
        ]
        patches = [path for path, ops in spec["paths"].items() if "patch" in ops]
        case, track, report, proposal = ids[2], ids[3], ids[4], ids[5]
        fill = {"case_id": case, "track_id": track, "report_id": report, "proposal_id": proposal}
        patch_urls = [_fill(path, fill) for path in patches]
        yield Seeded(server, keys, ids, cursors, routes, patch_urls)
        assert "Traceback" not in server.output()


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "a\x00b", "²", "٣", "-1", "0", "1e309", "NaN", "true", "null", "{}", "[]"]),
    st.integers().map(str),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2025-02-30",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2025-01-01T00:00:00",
            "2025-01-01T25:00:00Z",
            "2025-06-01",
            "2025-06-01T10:00:00Z",
            "werkgever",
            "open",
            "overdue",
            str(uuid.uuid4()),
        ]
    ),
)


def _cursor_strategy(real: list[str]) -> st.SearchStrategy[str]:
    key_values = st.lists(st.one_of(st.text(max_size=12), st.integers().map(str)), min_size=0, max_size=6)
    unsigned = key_values.map(lambda v: _b64(json.dumps(v).encode()))
    signed_looking = st.tuples(key_values, st.binary(min_size=16, max_size=16)).map(
        lambda t: _b64(json.dumps(t[0]).encode()) + "." + _b64(t[1])
    )
    surrogates = st.sampled_from([_b64(b'["\\ud800"]'), _b64(b'["2025-01-01","\\udfff"]')])
    tampered = st.sampled_from(real).map(lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"))
    return st.one_of(unsigned, signed_looking, surrogates, st.sampled_from(real), tampered, st.text(max_size=30))


def _value_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


ODD_BYTES = st.sampled_from([b"\xed\xa0\x80", b"\xff\xfe", b"\xc3", b"%", b"\x00\x00"])

HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "If-Match": st.sampled_from(["{}", "*", '"1"', "W/", '"x"', "1" * 300]),
        "If-None-Match": st.sampled_from(["{}", "*", '"1"']),
        "Idempotency-Key": st.sampled_from(["", "a b", "k" * 201, "ok-key", "ü".encode()]),
        "X-Acting-User": st.sampled_from(["", "x" * 10_240, "Łukasz".encode(), "j.jansen"]),
        "X-Request-ID": st.sampled_from(["x" * 10_240, "../../etc", "abc"]),
        "Accept": st.sampled_from(["application/pdf", "*/*", "text/html", "application/json;q=abc", "x" * 10_240]),
        "X-Padding": st.just("p" * 10_240),
    },
)


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers
        body = response.json()
        assert body["status"] == response.status_code
        assert body["title"]


def test_no_get_answers_5xx(live: Seeded) -> None:
    path_values = st.one_of(st.sampled_from(live.ids), st.uuids().map(str), st.sampled_from(["x", "%00", "1" * 60]))

    @st.composite
    def requests(draw: Any) -> tuple[str, dict[str, Any]]:
        template, params = draw(st.sampled_from(live.routes))
        path = template
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + draw(path_values) + path[end + 1 :]
        names = draw(st.lists(st.sampled_from([*params, "unknown", "cursor", "after"]), max_size=4))
        pairs = []
        for name in names:
            if name in ("cursor", "after"):
                value: str | bytes = draw(_cursor_strategy(live.cursors))
            else:
                value = draw(st.one_of(ODD_TEXT, ODD_BYTES))
            pairs.append(f"{quote(name)}={quote_from_bytes(_value_bytes(value), safe='')}")
        headers = dict(draw(HEADERS))
        headers["Authorization"] = draw(st.sampled_from([*(f"Bearer {k}" for k in live.keys), "Bearer x", "Basic x"]))
        return path + ("?" + "&".join(pairs) if pairs else ""), headers

    with httpx.Client(base_url=live.server.base, timeout=30) as client:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(requests())
        def run(request: tuple[str, dict[str, Any]]) -> None:
            url, headers = request
            _check(client.get(url, headers=headers))

        run()


def test_malformed_if_match_and_idempotency_keys_are_4xx_not_412(live: Seeded) -> None:
    malformed_if_match = st.one_of(
        st.sampled_from(["{}", "W/", '"x"', '"1', "1 2", "[]", "'1'", '"' + "9" * 13 + '"']),
        st.text(alphabet="{}[]()<>,;:xyz", min_size=1, max_size=20),
    )
    with httpx.Client(base_url=live.server.base, timeout=30) as client:
        bureau = {"Authorization": f"Bearer {live.keys[0]}"}

        @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(st.sampled_from(live.patch_urls), malformed_if_match)
        def run(url: str, if_match: str) -> None:
            response = client.patch(url, json={}, headers={**bureau, "If-Match": if_match})
            _check(response)
            assert response.status_code in (400, 422), (url, if_match, response.text)

        run()
        for key in ("", "k" * 201):
            response = client.post("/v1/cases", json={}, headers={**bureau, "Idempotency-Key": key})
            _check(response)
            assert response.status_code == 422, (key, response.text)
