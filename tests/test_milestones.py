"""Milestones: the discriminated union, recording rights of domain section 4, and validation."""

from __future__ import annotations

import pytest

from tests.conftest import World, assert_problem, create_case


async def test_record_and_list(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/milestones"
    pa = await world.arbodienst.post(url, json={"type": "probleemanalyse", "occurred_on": "2025-02-12"})
    assert pa.status_code == 201, pa.text
    assert pa.json()["type"] == "probleemanalyse"
    assert pa.json()["recorded_by_organization_id"] == world.arbodienst.id
    assert pa.json()["until"] is None
    assert pa.headers["location"] == f"{url}/{pa.json()['id']}"
    pva = await world.employer.post(url, json={"type": "plan_van_aanpak", "occurred_on": "2025-02-20", "note": "ok"})
    assert pva.status_code == 201, pva.text
    wia = await world.bureau.post(
        url, json={"type": "wia_beslissing", "occurred_on": "2026-11-30", "percentage": 50, "uitkering": "wga"}
    )
    assert wia.json()["percentage"] == 50
    afw = await world.bureau.post(
        url,
        json={
            "type": "afwijking",
            "occurred_on": "2026-01-10",
            "obligation": "eerstejaarsevaluatie",
            "reason": "ziekenhuisopname",
            "new_due_on": "2026-02-01",
        },
    )
    assert afw.json()["obligation"] == "eerstejaarsevaluatie"
    listed = (await world.employer.get(url)).json()["items"]
    assert [m["type"] for m in listed] == ["probleemanalyse", "plan_van_aanpak", "afwijking", "wia_beslissing"]
    assert (await world.arbodienst.get(f"{url}/{pa.json()['id']}")).json() == pa.json()
    only = (await world.bureau.get(url, params={"type": "afwijking"})).json()["items"]
    assert [m["id"] for m in only] == [afw.json()["id"]]


@pytest.mark.parametrize(
    ("actor", "milestone_type", "allowed"),
    [
        ("arbodienst", "probleemanalyse", True),
        ("arbodienst", "actueel_oordeel", True),
        ("arbodienst", "plan_van_aanpak", False),
        ("arbodienst", "wia_kennisgeving", False),
        ("employer", "probleemanalyse", False),
        ("employer", "bijstellingsadvies", False),
        ("employer", "eerstejaarsevaluatie", True),
        ("employer", "wia_kennisgeving", True),
        ("bureau", "bijstellingsadvies", True),
        ("bureau", "ziekmelding_uwv", True),
    ],
)
async def test_recording_rights(world: World, actor: str, milestone_type: str, allowed: bool) -> None:
    case = await create_case(world)
    caller = getattr(world, actor)
    response = await caller.post(
        f"/v1/cases/{case['id']}/milestones", json={"type": milestone_type, "occurred_on": "2025-03-01"}
    )
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 403)
    assert len((await world.bureau.get(f"/v1/cases/{case['id']}/milestones")).json()["items"]) == int(allowed)


async def test_validation(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/milestones"
    before_d = await world.bureau.post(url, json={"type": "probleemanalyse", "occurred_on": "2025-01-05"})
    assert assert_problem(before_d, 422)["errors"][0]["field"] == "occurred_on"
    assert_problem(await world.bureau.post(url, json={"type": "loonsanctie", "occurred_on": "2026-11-01"}), 422)
    assert_problem(await world.bureau.post(url, json={"type": "wia_beslissing", "occurred_on": "2026-11-01"}), 422)
    assert_problem(
        await world.bureau.post(
            url, json={"type": "wia_beslissing", "occurred_on": "2026-11-01", "percentage": 101, "uitkering": "iva"}
        ),
        422,
    )
    assert_problem(await world.bureau.post(url, json={"type": "afwijking", "occurred_on": "2025-03-01"}), 422)
    bad_obligation = {"type": "afwijking", "occurred_on": "2025-03-01", "obligation": "koffie", "reason": "x"}
    assert_problem(await world.bureau.post(url, json=bad_obligation), 422)
    assert_problem(await world.bureau.post(url, json={"type": "diagnose", "occurred_on": "2025-03-01"}), 422)
    extra = {"type": "probleemanalyse", "occurred_on": "2025-03-01", "percentage": 5}
    assert_problem(await world.bureau.post(url, json=extra), 422)
    # E = 2027-01-03, A = 2026-10-18 and no aanvraag by 2026-11-01: B = 2026-11-01 + 77 = 2027-01-17 (v2). A
    # loonsanctie decided in time (by B - 42) runs at most 52 weeks past B; a verlenging must end after E.
    too_long = {"type": "loonsanctie", "occurred_on": "2026-11-01", "until": "2028-01-17"}
    assert_problem(await world.bureau.post(url, json=too_long), 422)
    ok = {"type": "loonsanctie", "occurred_on": "2026-11-01", "until": "2028-01-16"}
    assert (await world.bureau.post(url, json=ok)).status_code == 201
    early = {"type": "verlenging_loondoorbetaling", "occurred_on": "2026-10-01", "until": "2027-01-03"}
    assert_problem(await world.bureau.post(url, json=early), 422)
    assert len((await world.bureau.get(url)).json()["items"]) == 1


async def test_outsiders_get_404(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/milestones"
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url), 404)
        assert_problem(await outsider.post(url, json={"type": "plan_van_aanpak", "occurred_on": "2025-03-01"}), 404)
