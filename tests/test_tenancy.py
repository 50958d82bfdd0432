"""No data crosses organizations: every route that names a case answers 404 to outsiders."""

from __future__ import annotations

import re
import uuid

from tests.conftest import World, assert_problem, create_case


async def test_every_case_route_hides_foreign_cases(world: World, app) -> None:  # type: ignore[no-untyped-def]
    case = await create_case(world)
    outsiders = [world.other_bureau, world.other_employer, world.other_arbodienst]
    probed = 0
    # The OpenAPI document is generated from the app's routes, so a new case route is probed too.
    for template, operations in app.openapi()["paths"].items():
        if "{case_id}" not in template:
            continue
        # Other ids in the path get a random UUID: the case must be refused before they matter.
        path = re.sub(r"\{\w+_id\}", str(uuid.uuid4()), template.replace("{case_id}", case["id"]))
        for method in (m.upper() for m in operations):
            for outsider in outsiders:
                headers = {"If-Match": '"1"'}
                response = await outsider.request(method, path, json={}, headers=headers)
                # A body that fails validation may answer 422 first; it must never be 2xx or reveal the case.
                assert response.status_code in (404, 422), (method, path, outsider.kind, response.text)
                assert case["external_ref"] not in response.text
                assert case["employee"]["name"] not in response.text
                if method == "GET":
                    assert_problem(response, 404)
                probed += 1
    assert probed >= 9


async def test_lists_never_show_foreign_cases(world: World) -> None:
    case = await create_case(world)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        listed = (await outsider.get("/v1/cases")).json()["items"]
        assert case["id"] not in {c["id"] for c in listed}
        by_employer = (await outsider.get("/v1/cases", params={"employer_id": world.employer.id})).json()
        assert by_employer["items"] == []
        by_ref = (await outsider.get("/v1/cases", params={"external_ref": case["external_ref"]})).json()
        assert by_ref["items"] == []
        feed = (await outsider.get("/v1/events")).json()["items"]
        assert case["id"] not in {e["case_id"] for e in feed}
