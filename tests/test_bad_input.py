"""Input a client can send by mistake or on purpose is a 4xx problem, never a 5xx: the hand-found cases of issue 12
(hand-made cursors on every list, out-of-range moments, NUL and lone surrogates in query values, a chunked body
over the limit, a malformed If-Match), and cursors bound to the list and the filters they were issued for."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Actor, World, assert_problem
from tests.test_medical import status_body
from tests.workflows import add_proposal, add_report, spoor_2


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unsigned(*values: Any) -> str:
    return _b64(json.dumps(list(values)).encode())


# What was found by hand: each a 500 on some list before cursors were signed.
HAND_MADE = [
    _unsigned("²"),  # a Unicode digit passes str.isdigit() but not int()
    _unsigned("²", "²"),
    _unsigned(str(2**70)),  # past int8
    _unsigned(str(2**70), str(2**70)),
    _unsigned("0001-01-01T00:00:00+14:00", "7b1c2b8e-4f0e-4f5e-9a51-2f4a0c1d2e3f"),  # a year 0 moment in UTC
    _unsigned("2025-01-01", "\x00"),
    _unsigned("2025-01-01", "a", "b", "c", "\x00"),
    _b64(b'["2025-01-01","\\ud800"]'),  # a lone surrogate
    _b64(b'["\\ud800"]'),
    "not a cursor",
    _unsigned("2025-01-01T00:00:00+00:00", "7b1c2b8e-4f0e-4f5e-9a51-2f4a0c1d2e3f") + "." + _b64(b"x" * 16),
]


@pytest.fixture
async def lists(world: World) -> dict[str, tuple[Actor, str, str]]:
    """Every list that takes a cursor: (caller, URL, name of the cursor parameter)."""
    case, track = await spoor_2(world)
    await add_report(world.bureau, track["id"], "2026-02")
    await add_proposal(world.bureau, track["id"])
    pushed = await world.arbodienst.put(f"/v1/cases/{case['id']}/medical-status", json=status_body())
    assert pushed.status_code in (200, 201), pushed.text
    return {
        "cases": (world.bureau, "/v1/cases", "cursor"),
        "organizations": (world.bureau, "/v1/organizations", "cursor"),
        "milestones": (world.bureau, f"/v1/cases/{case['id']}/milestones", "cursor"),
        "tracks": (world.bureau, f"/v1/cases/{case['id']}/tracks", "cursor"),
        "reports": (world.bureau, f"/v1/tracks/{track['id']}/progress-reports", "cursor"),
        "proposals": (world.bureau, f"/v1/tracks/{track['id']}/candidate-proposals", "cursor"),
        "medical history": (world.arbodienst, f"/v1/cases/{case['id']}/medical-status/history", "cursor"),
        "compliance": (world.bureau, "/v1/compliance", "cursor"),
        "events": (world.bureau, "/v1/events", "after"),
        "audit log": (world.bureau, f"/v1/cases/{case['id']}/audit-log", "cursor"),
        "access log": (world.bureau, f"/v1/cases/{case['id']}/access-log", "cursor"),
        "re-integratieverslag portfolio": (world.bureau, "/v1/reintegratieverslag", "cursor"),
        "webhook endpoints": (world.bureau, "/v1/webhook-endpoints", "cursor"),
        "documents": (world.bureau, f"/v1/cases/{case['id']}/documents", "cursor"),
        "calendar feeds": (world.bureau, "/v1/calendar-feeds", "cursor"),
    }


async def test_hand_made_cursors_are_422_on_every_list(lists: dict[str, tuple[Actor, str, str]]) -> None:
    for name, (actor, url, parameter) in lists.items():
        assert (await actor.get(url)).status_code == 200, name
        for cursor in HAND_MADE:
            problem = assert_problem(await actor.get(url, params={parameter: cursor}), 422)
            assert problem["code"] == "invalid_cursor", (name, cursor, problem)
            assert problem["errors"][0]["field"] == parameter


async def test_a_cursor_works_only_for_its_list_and_filters(world: World) -> None:
    case, _ = await spoor_2(world)
    await spoor_2(world)
    await spoor_2(world)
    first = (await world.bureau.get("/v1/cases", params={"status": "open", "limit": 1})).json()
    cursor = first["next_cursor"]
    assert cursor is not None
    # The same list and filters (another page size is fine): the next page.
    following = await world.bureau.get("/v1/cases", params={"status": "open", "limit": 2, "cursor": cursor})
    assert following.status_code == 200, following.text
    assert following.json()["items"][0]["id"] != first["items"][0]["id"]
    # Other filters, no filters, another list: 422, not silently other rows.
    for url, params in [
        ("/v1/cases", {"status": "closed", "cursor": cursor}),
        ("/v1/cases", {"cursor": cursor}),
        ("/v1/cases", {"status": "open", "employer_id": world.employer.id, "cursor": cursor}),
        (f"/v1/cases/{case['id']}/audit-log", {"cursor": cursor}),
        ("/v1/organizations", {"cursor": cursor}),
    ]:
        problem = assert_problem(await world.bureau.get(url, params=params), 422)
        assert problem["code"] == "invalid_cursor"
    # A cursor of one case's audit log does not page another case's.
    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log", params={"limit": 1})).json()
    other_case = (await world.bureau.get("/v1/cases", params={"limit": 3})).json()["items"][-1]["id"]
    assert audit["next_cursor"] is not None
    moved = await world.bureau.get(f"/v1/cases/{other_case}/audit-log", params={"cursor": audit["next_cursor"]})
    assert_problem(moved, 422)


async def test_timestamps_and_dates_out_of_range_are_422(world: World) -> None:
    for moment in (
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
    ):
        problem = assert_problem(await world.bureau.get("/v1/cases", params={"updated_since": moment}), 422)
        assert problem["errors"][0]["field"] == "updated_since"
    assert (await world.bureau.get("/v1/cases", params={"updated_since": "2000-01-01T00:00:00Z"})).status_code == 200
    for day in ("0001-01-01", "1999-12-31", "2101-01-01"):
        assert_problem(await world.bureau.get("/v1/compliance", params={"as_of": day}), 422)


@pytest.mark.parametrize(
    "query",
    [
        "external_ref=%00",
        "external_ref=a%00b",
        "status=open%00",
        "%00=1",
        "external_ref=%ED%A0%80",  # a lone surrogate, UTF-8 style
        "external_ref=%FF%FE",  # not UTF-8 at all
        "limit=%00",
    ],
)
async def test_nul_and_lone_surrogates_in_query_values_are_422(world: World, query: str) -> None:
    for url in ("/v1/cases", "/v1/organizations", "/v1/events", "/v1/compliance"):
        problem = assert_problem(await world.bureau.get(f"{url}?{query}"), 422)
        assert problem["errors"][0]["location"] == "query"


async def test_lone_surrogate_in_a_body_is_422(world: World) -> None:
    from tests.conftest import case_body

    body = json.dumps(case_body(world)).replace("J. de Vries", "J. de \\ud800Vries")
    response = await world.bureau.post("/v1/cases", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 422)


async def test_an_oversized_chunked_body_is_413(world: World) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(300):
            yield b"x" * 4096
        yield b'"}'

    response = await world.bureau.post("/v1/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    problem = assert_problem(response, 413)
    assert problem["code"] == "body_too_large"


async def test_a_small_chunked_body_still_works(world: World) -> None:
    from tests.conftest import case_body

    raw = json.dumps(case_body(world)).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(raw), 50):
            yield raw[i : i + 50]

    response = await world.bureau.post("/v1/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("if_match", ["{}", '"abc"', "W/", '"1', "1 2", '"' + "9" * 20 + '"'])
async def test_a_malformed_if_match_is_422_not_412(world: World, if_match: str) -> None:
    case, _ = await spoor_2(world)
    response = await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": if_match}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "If-Match"
    stale = await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": '"9"'}
    )
    assert_problem(stale, 412)


async def test_control_characters_in_header_values_are_422(world: World) -> None:
    for name in ("X-Acting-User", "Idempotency-Key", "X-Anything"):
        response = await world.bureau.get("/v1/cases", headers={name: "a\x00b"})
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["location"] == "header"


async def test_every_answer_says_nosniff(world: World, client: Any) -> None:
    for response in (
        await world.bureau.get("/v1/cases"),
        await client.get("/healthz"),
        await client.get("/v1/cases"),  # 401
        await client.get("/nowhere"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
