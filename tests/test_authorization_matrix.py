"""Authorization matrix: every route of the app, every kind of caller, the expected answer class.

The routes come from the app (`app.openapi()["paths"]`), the expectations from MATRIX, an explicit table keyed by
(method, path template). A route that is not in MATRIX fails the test with the entry to add, so nobody ships a
route without deciding who may call it. Each probe runs in a savepoint that is rolled back, so every probe sees
the same dossier and a successful write (closing the case, a push) does not change what the next probe meets.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.auth.models import ApiKey
from app.organizations.models import Organization
from tests.conftest import Actor, Factory, World, case_body, create_case
from tests.test_medical import first_push, status_body
from tests.test_reintegratieverslag import document_body

# The callers: the case's three parties, the same kinds of another bureau's world, and two without a valid key.
# Then three partner keys of the case's employer: issued by the case's bureau (write and read scope) and by the
# other bureau, which registered the same employer (organizations are shared, partner keys are not).
B, E, A = "bureau", "employer", "arbodienst"
OB, OE, OA = "other_bureau", "other_employer", "other_arbodienst"
NO_KEY, REVOKED, EXPIRED = "no_key", "revoked_key", "expired_key"
PE, RE, FPE = "partner_employer", "read_partner_employer", "foreign_partner_employer"
KEYED = (B, E, A, OB, OE, OA)
CALLERS = (*KEYED, PE, RE, FPE, NO_KEY, REVOKED, EXPIRED)
UNKEYED = {NO_KEY: "401", REVOKED: "401", EXPIRED: "401"}

OK, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = "2xx", "401", "403", "404"


@dataclass
class Dossier:
    """What the probes act on: one case of `bureau` with its employer and arbodienst, and ids inside it."""

    world: World
    case: dict[str, Any]
    ids: dict[str, str]

    def body_for(self, caller: str) -> dict[str, Any]:
        return case_body(self.world) if caller != OB else other_case_body(self.world)


def other_case_body(world: World) -> dict[str, Any]:
    return case_body(world, employer_id=world.other_employer.id, arbodienst_id=world.other_arbodienst.id)


Body = Callable[[Dossier, str], dict[str, Any] | None]
Headers = Callable[[Dossier, str], dict[str, str]]


@dataclass(frozen=True)
class Probe:
    expect: dict[str, str]  # caller -> answer class
    body: Body = lambda dossier, caller: None
    content: Callable[[Dossier, str], bytes | None] = lambda dossier, caller: None  # a raw body (JSON Lines)
    headers: Headers = lambda dossier, caller: {}
    params: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> another key of Dossier.ids


def parties(ok: str = "", forbidden: str = "") -> dict[str, str]:
    """A route on one case: the listed parties get 2xx or 403, everyone else with a key 404, no key 401."""
    granted, refused = ok.split(), forbidden.split()
    expect = {c: OK if c in granted else FORBIDDEN if c in refused else NOT_FOUND for c in KEYED}
    # The other bureau's partner key of the same employer sees none of this bureau's cases.
    return {**expect, FPE: NOT_FOUND, **UNKEYED}


def kinds(ok: str = "", forbidden: str = "") -> dict[str, str]:
    """A route on no case: answered by the caller's kind alone."""
    granted, refused = ok.split(), forbidden.split()
    assert set(granted) | set(refused) == set(KEYED), "name every keyed caller"
    expect = {c: OK if c in granted else FORBIDDEN for c in KEYED}
    return {**expect, FPE: expect[E], **UNKEYED}


# What a partner key may never use: these deliver the organization's whole view (app/auth/principal.py::WHOLE_VIEW).
WHOLE_VIEW_PATHS = ("/v1/webhook-endpoints", "/v1/webhook-deliveries", "/v1/calendar-feeds")


def expected_answer(probe: Probe, method: str, caller: str, template: str = "") -> str:
    """A partner key of the case's employer issued by its bureau answers as the employer; a read key the same on
    reads and 403 on every write; no partner key manages webhooks or calendar feeds."""
    whole_view = template.startswith(WHOLE_VIEW_PATHS) and not template.endswith(".ics")
    if caller in (PE, RE, FPE) and whole_view and probe.expect[E] != UNAUTHENTICATED:
        return FORBIDDEN
    if caller == RE and method not in ("GET", "HEAD"):
        return FORBIDDEN
    if caller in (PE, RE) and caller not in probe.expect:
        return probe.expect[E]
    return probe.expect[caller]


EVERYONE = kinds(ok=" ".join(KEYED))
PUBLIC = dict.fromkeys(CALLERS, OK)


def if_match(version: int = 1) -> Headers:
    return lambda dossier, caller: {"If-Match": f'"{version}"'}


def milestone_for(dossier: Dossier, caller: str) -> dict[str, Any]:
    """Each party posts a milestone its kind may record, so the answer shows who may use the route at all."""
    kind = {B: "ziekmelding_uwv", E: "plan_van_aanpak", A: "probleemanalyse"}.get(caller.removeprefix("other_"))
    return {"type": kind or "plan_van_aanpak", "occurred_on": "2025-02-20"}


MATRIX: dict[tuple[str, str], Probe] = {
    ("GET", "/healthz"): Probe(PUBLIC),
    ("GET", "/readyz"): Probe(PUBLIC),
    ("GET", "/metrics"): Probe(PUBLIC),  # operations, outside the authenticated API: restrict it at the network
    ("GET", "/v1/me"): Probe(EVERYONE),
    ("GET", "/v1/organizations"): Probe(EVERYONE),
    ("POST", "/v1/organizations"): Probe(
        kinds(ok=f"{B} {OB}", forbidden=f"{E} {A} {OE} {OA}"),
        body=lambda d, c: {"kind": "werkgever", "name": "Garage Visser", "kvk": None},
    ),
    # The case's employer and arbodienst may look up the bureau handling their case.
    ("GET", "/v1/organizations/{organization_id}"): Probe(parties(ok=f"{B} {E} {A}")),
    # The employer itself or the bureau that registered it; the other bureau registered the same employer by KvK
    # later, and the organization itself answers to any of its keys (also the other bureau's partner key).
    ("PATCH", "/v1/organizations/{organization_id}"): Probe(
        {**parties(ok=f"{B} {E}", forbidden=OB), FPE: OK},
        body=lambda d, c: {"contact_email": "hr@example.nl"},
        ids={"organization_id": "employer_id"},
    ),
    # Partner keys: a bureau that registered the organization (both did); the employer sees itself but may not.
    ("POST", "/v1/organizations/{organization_id}/api-keys"): Probe(
        {**parties(ok=f"{B} {OB}", forbidden=E), FPE: FORBIDDEN},
        body=lambda d, c: {"name": "HR", "scope": "read"},
        ids={"organization_id": "employer_id"},
    ),
    ("GET", "/v1/organizations/{organization_id}/api-keys"): Probe(
        {**parties(ok=f"{B} {OB}", forbidden=E), FPE: FORBIDDEN}, ids={"organization_id": "employer_id"}
    ),
    # Only the issuing bureau; another bureau does not learn the key exists.
    ("DELETE", "/v1/api-keys/{api_key_id}"): Probe({**kinds(ok=B, forbidden=f"{E} {A} {OE} {OA} {OB}"), OB: NOT_FOUND}),
    ("GET", "/v1/cases"): Probe(EVERYONE),
    ("POST", "/v1/cases"): Probe(kinds(ok=f"{B} {OB}", forbidden=f"{E} {A} {OE} {OA}"), body=Dossier.body_for),
    ("GET", "/v1/cases/{case_id}"): Probe(parties(ok=f"{B} {E} {A}")),
    ("PATCH", "/v1/cases/{case_id}"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"),
        body=lambda d, c: {"employer_case_manager": "A. Bakker"},
        headers=if_match(),
    ),
    ("POST", "/v1/cases/{case_id}/close"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"closed_on": "2025-03-01", "reason": "hersteld"}
    ),
    ("GET", "/v1/cases/{case_id}/milestones"): Probe(parties(ok=f"{B} {E} {A}")),
    ("POST", "/v1/cases/{case_id}/milestones"): Probe(parties(ok=f"{B} {E} {A}"), body=milestone_for),
    ("GET", "/v1/cases/{case_id}/milestones/{milestone_id}"): Probe(parties(ok=f"{B} {E} {A}")),
    # The dossier's milestone is a probleemanalyse (a bedrijfsarts fact): the arbodienst and the bureau may void it.
    ("POST", "/v1/milestones/{milestone_id}/void"): Probe(
        parties(ok=f"{B} {A}", forbidden=E), body=lambda d, c: {"reason": "Recorded on the wrong case"}
    ),
    ("GET", "/v1/cases/{case_id}/medical-status"): Probe(parties(ok=f"{B} {E} {A}")),
    ("PUT", "/v1/cases/{case_id}/medical-status"): Probe(
        parties(ok=A, forbidden=f"{B} {E}"),
        body=lambda d, c: status_body(assessed_on="2025-03-01", assessment_kind=None),
        headers=if_match(),
    ),
    ("GET", "/v1/cases/{case_id}/medical-status/history"): Probe(parties(ok=f"{B} {E} {A}")),
    ("GET", "/v1/cases/{case_id}/compliance"): Probe(parties(ok=f"{B} {E} {A}"), params={"as_of": "2025-03-03"}),
    ("GET", "/v1/compliance"): Probe(EVERYONE, params={"as_of": "2025-03-03"}),
    ("GET", "/v1/events"): Probe(EVERYONE),
    ("GET", "/v1/cases/{case_id}/audit-log"): Probe(parties(ok=B, forbidden=f"{E} {A}")),
    ("GET", "/v1/cases/{case_id}/access-log"): Probe(parties(ok=B, forbidden=f"{E} {A}")),
    # Imports: a bureau's own; nobody else's, and no other kind's.
    ("POST", "/v1/imports"): Probe(
        kinds(ok=f"{B} {OB}", forbidden=f"{E} {A} {OE} {OA}"),
        content=lambda d, c: orjson.dumps(Dossier.body_for(d, c)),
        headers=lambda d, c: {"Content-Type": "application/x-ndjson"},
    ),
    ("GET", "/v1/imports"): Probe(kinds(ok=f"{B} {OB}", forbidden=f"{E} {A} {OE} {OA}")),
    ("GET", "/v1/imports/{import_id}"): Probe({**kinds(ok=B, forbidden=f"{E} {A} {OE} {OA} {OB}"), OB: NOT_FOUND}),
    ("GET", "/v1/imports/{import_id}/lines"): Probe(
        {**kinds(ok=B, forbidden=f"{E} {A} {OE} {OA} {OB}"), OB: NOT_FOUND}
    ),
    # Document references: each party records the kinds it supplies; the arbodienst reads only those kinds.
    ("GET", "/v1/cases/{case_id}/documents"): Probe(parties(ok=f"{B} {E} {A}")),
    ("POST", "/v1/cases/{case_id}/documents"): Probe(parties(ok=f"{B} {E} {A}"), body=lambda d, c: document_for(d, c)),
    ("GET", "/v1/cases/{case_id}/documents/{document_id}"): Probe(parties(ok=f"{B} {E} {A}")),
    # The RIV check: the case's three parties; the export (with the BSN): bureau and werkgever only.
    ("GET", "/v1/cases/{case_id}/reintegratieverslag"): Probe(
        parties(ok=f"{B} {E} {A}"), params={"as_of": "2025-03-03"}
    ),
    ("GET", "/v1/cases/{case_id}/reintegratieverslag/export"): Probe(
        parties(ok=f"{B} {E}"), params={"as_of": "2025-03-03"}
    ),
    ("GET", "/v1/reintegratieverslag"): Probe(EVERYONE, params={"as_of": "2025-03-03"}),
    # AVG rights and legal hold: the bureau alone.
    ("GET", "/v1/cases/{case_id}/export"): Probe(parties(ok=B, forbidden=f"{E} {A}")),
    ("POST", "/v1/cases/{case_id}/erase"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"reason": "verzoek van de werknemer"}
    ),
    ("GET", "/v1/cases/{case_id}/legal-hold"): Probe(parties(ok=B, forbidden=f"{E} {A}")),
    ("PUT", "/v1/cases/{case_id}/legal-hold"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"legal_hold": True, "reason": "geschil"}
    ),
    # Tracks: the bureau writes; the employer and the arbodienst read.
    ("GET", "/v1/cases/{case_id}/tracks"): Probe(parties(ok=f"{B} {E} {A}")),
    ("POST", "/v1/cases/{case_id}/tracks"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"spoor": 1, "started_on": "2025-03-01"}
    ),
    ("GET", "/v1/tracks/{track_id}"): Probe(parties(ok=f"{B} {E} {A}")),
    ("PATCH", "/v1/tracks/{track_id}"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"coach": "P. de Boer"}, headers=if_match()
    ),
    ("DELETE", "/v1/tracks/{track_id}"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), headers=if_match(2), ids={"track_id": "empty_track_id"}
    ),
    ("POST", "/v1/tracks/{track_id}/end"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"ended_on": "2025-03-01", "end_reason": "hersteld"}
    ),
    # Progress reports: the bureau's; the employer reads submitted ones only; the arbodienst never (404).
    ("GET", "/v1/tracks/{track_id}/progress-reports"): Probe(parties(ok=f"{B} {E}")),
    ("POST", "/v1/tracks/{track_id}/progress-reports"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"period": "2025-04"}
    ),
    ("GET", "/v1/progress-reports/{report_id}"): Probe(
        parties(ok=f"{B} {E}"), ids={"report_id": "submitted_report_id"}
    ),
    ("PATCH", "/v1/progress-reports/{report_id}"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {"employee_comments": "Gaat goed"}, headers=if_match()
    ),
    ("DELETE", "/v1/progress-reports/{report_id}"): Probe(parties(ok=B, forbidden=f"{E} {A}"), headers=if_match()),
    ("POST", "/v1/progress-reports/{report_id}/submit"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: {}
    ),
    # Candidate proposals: the bureau writes; the employer reads; the arbodienst never (404).
    ("GET", "/v1/tracks/{track_id}/candidate-proposals"): Probe(parties(ok=f"{B} {E}")),
    ("POST", "/v1/tracks/{track_id}/candidate-proposals"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"), body=lambda d, c: proposal_body()
    ),
    ("GET", "/v1/candidate-proposals/{proposal_id}"): Probe(parties(ok=f"{B} {E}")),
    ("PATCH", "/v1/candidate-proposals/{proposal_id}"): Probe(
        parties(ok=B, forbidden=f"{E} {A}"),
        body=lambda d, c: {"status": "interview", "status_date": "2025-02-20"},
        headers=if_match(),
    ),
    # Webhook endpoints and calendar feeds belong to one organization (any kind); others' answer 404.
    ("GET", "/v1/webhook-endpoints"): Probe(EVERYONE),
    ("POST", "/v1/webhook-endpoints"): Probe(EVERYONE, body=lambda d, c: {"url": "http://127.0.0.1:9/hook"}),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"): Probe(parties(ok=B)),
    ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"): Probe(
        parties(ok=B), body=lambda d, c: {"description": "Back-office"}, headers=if_match()
    ),
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"): Probe(parties(ok=B)),
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): Probe(parties(ok=B)),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"): Probe(parties(ok=B)),
    ("POST", "/v1/webhook-deliveries/{delivery_id}/redeliver"): Probe(parties(ok=B)),
    ("GET", "/v1/calendar-feeds"): Probe(EVERYONE),
    ("POST", "/v1/calendar-feeds"): Probe(EVERYONE, body=lambda d, c: {}),
    ("DELETE", "/v1/calendar-feeds/{feed_id}"): Probe(parties(ok=B)),
    # The secret URL is the credential (calendar clients send no header): whoever holds it reads the feed.
    ("GET", "/v1/calendar-feeds/{token}.ics"): Probe(PUBLIC),
}


def document_for(dossier: Dossier, caller: str) -> dict[str, Any]:
    """Each party records a document reference of a kind it supplies."""
    kind = caller.removeprefix("other_")
    if kind == B:
        return document_body("arbeidsdeskundig_rapport", "2025-03-01", None)
    if kind == E:
        return document_body("plan_van_aanpak", "2025-02-20", dossier.ids["plan_van_aanpak_id"])
    return document_body("probleemanalyse", "2025-02-20", dossier.ids["milestone_id"])


def proposal_body() -> dict[str, Any]:
    return {
        "prospective_employer": {"name": "Bouwbedrijf Smit", "place": "Zwolle"},
        "vacancy_title": "Magazijnmedewerker",
        "proposed_on": "2025-02-15",
        "channel": "vacature",
    }


async def dossier(world: World) -> Dossier:
    endpoint = await world.bureau.post("/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"})
    assert endpoint.status_code == 201, endpoint.text
    feed = await world.bureau.post("/v1/calendar-feeds", json={})
    assert feed.status_code == 201, feed.text
    case = await create_case(world)
    status = await first_push(world, case)  # also records the probleemanalyse milestone
    bureau = world.bureau
    track = await bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 2, "started_on": "2025-02-01"})
    assert track.status_code == 201, track.text
    reports = f"/v1/tracks/{track.json()['id']}/progress-reports"
    submitted = await bureau.post(reports, json={"period": "2025-02", "employee_comments": "Gaat goed"})
    assert submitted.status_code == 201, submitted.text
    done = await bureau.post(f"/v1/progress-reports/{submitted.json()['id']}/submit", json={})
    assert done.status_code == 200, done.text
    draft = await bureau.post(
        reports, json={"period": "2025-03", "activities": [{"description": "Sollicitatietraining"}]}
    )
    assert draft.status_code == 201, draft.text
    proposal = await bureau.post(f"/v1/tracks/{track.json()['id']}/candidate-proposals", json=proposal_body())
    assert proposal.status_code == 201, proposal.text
    empty_track = await bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 1, "started_on": "2025-02-01"})
    assert empty_track.status_code == 201, empty_track.text
    # Ended (version 2), so that the spoor 1 track the POST probe starts does not overlap it.
    ended = await bureau.post(
        f"/v1/tracks/{empty_track.json()['id']}/end", json={"ended_on": "2025-02-10", "end_reason": "anders"}
    )
    assert ended.status_code == 200, ended.text
    issued = await bureau.post(f"/v1/organizations/{world.employer.id}/api-keys", json={"name": "x", "scope": "read"})
    assert issued.status_code == 201, issued.text
    imported = await bureau.post(
        "/v1/imports", content=orjson.dumps(case_body(world)), headers={"Content-Type": "application/x-ndjson"}
    )
    assert imported.status_code == 202, imported.text
    plan = await bureau.post(
        f"/v1/cases/{case['id']}/milestones", json={"type": "plan_van_aanpak", "occurred_on": "2025-02-20"}
    )
    assert plan.status_code == 201, plan.text
    document = await bureau.post(
        f"/v1/cases/{case['id']}/documents", json=document_body("arbeidsdeskundig_rapport", "2025-02-25", None)
    )
    assert document.status_code == 201, document.text
    ids = {
        "case_id": case["id"],
        "organization_id": world.bureau.id,
        "milestone_id": status["milestone_id"],
        "track_id": track.json()["id"],
        "report_id": draft.json()["id"],
        "submitted_report_id": submitted.json()["id"],
        "proposal_id": proposal.json()["id"],
        "employer_id": world.employer.id,
        "empty_track_id": empty_track.json()["id"],
        "api_key_id": issued.json()["id"],
        "import_id": imported.json()["id"],
        "endpoint_id": endpoint.json()["id"],
        "delivery_id": (await bureau.get(f"/v1/webhook-endpoints/{endpoint.json()['id']}/deliveries")).json()["items"][
            0
        ]["id"],
        "feed_id": feed.json()["id"],
        "token": feed.json()["url"].removeprefix("/v1/calendar-feeds/").removesuffix(".ics"),
        "plan_van_aanpak_id": plan.json()["id"],
        "document_id": document.json()["id"],
    }
    return Dossier(world, case, ids)


def routes(app: Any) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]


def _entry_hint(method: str, template: str) -> str:
    return (
        f'    ("{method}", "{template}"): Probe(parties(ok="...", forbidden="...")),'
        "  # or kinds(...) / EVERYONE / PUBLIC; add body=, headers=, params= so the request is valid"
    )


async def test_every_route_is_in_the_matrix(app: Any) -> None:
    present = routes(app)
    missing = [route for route in present if route not in MATRIX]
    assert not missing, (
        "Routes without an authorization decision. Add to MATRIX in tests/test_authorization_matrix.py:\n"
        + "\n".join(_entry_hint(*route) for route in missing)
        + "\n(and add any new path parameter's id to `ids` in dossier())"
    )
    stale = [route for route in MATRIX if route not in present]
    assert not stale, f"MATRIX names routes the app no longer has; remove them: {stale}"


async def revoked_actor(factory: Factory, sessionmaker: async_sessionmaker[AsyncSession], world: World) -> Actor:
    """A key of the case's own bureau, revoked: it must open nothing."""
    actor = await factory.key_for(world.bureau.id, "reintegratiebureau")
    async with sessionmaker() as session, session.begin():
        await session.execute(update(ApiKey).where(ApiKey.id == uuid.UUID(actor.key_id)).values(revoked_at=func.now()))
    return actor


async def expired_actor(factory: Factory, sessionmaker: async_sessionmaker[AsyncSession], world: World) -> Actor:
    """A key of the case's own bureau that expired yesterday."""
    actor = await factory.key_for(world.bureau.id, "reintegratiebureau")
    async with sessionmaker() as session, session.begin():
        yesterday = date.today() - timedelta(days=2)  # two days: whatever the hour in Amsterdam
        await session.execute(update(ApiKey).where(ApiKey.id == uuid.UUID(actor.key_id)).values(expires_on=yesterday))
    return actor


async def partner_key(issuer: Actor, organization: Actor, scope: str) -> Actor:
    response = await issuer.post(f"/v1/organizations/{organization.id}/api-keys", json={"name": "HR", "scope": scope})
    assert response.status_code == 201, response.text
    key = response.json()
    return Actor(organization.client, organization.id, organization.kind, key["key"], key["id"])


async def partner_actors(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> dict[str, Actor]:
    """The employer's partner keys: two of its bureau's, and one of the other bureau, which registers the same
    employer by its KvK number first (the organization is shared, the key's view is not)."""
    kvk = f"{uuid.uuid4().int % 10**8:08d}"
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Organization).where(Organization.id == uuid.UUID(world.employer.id)).values(kvk=kvk)
        )
    again = await world.other_bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "B", "kvk": kvk})
    assert again.status_code == 200 and again.json()["id"] == world.employer.id, again.text
    return {
        PE: await partner_key(world.bureau, world.employer, "write"),
        RE: await partner_key(world.bureau, world.employer, "read"),
        FPE: await partner_key(world.other_bureau, world.employer, "write"),
    }


def answer_class(status: int) -> str:
    return OK if 200 <= status < 300 else str(status)


async def test_authorization_matrix(
    app: Any,
    world: World,
    factory: Factory,
    connection: AsyncConnection,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
) -> None:
    d = await dossier(world)
    actors: dict[str, Actor | None] = {
        **{c: getattr(world, c) for c in KEYED},
        **await partner_actors(sessionmaker, world),
        REVOKED: await revoked_actor(factory, sessionmaker, world),
        EXPIRED: await expired_actor(factory, sessionmaker, world),
        NO_KEY: None,
    }
    secrets = (d.case["external_ref"], d.case["employee"]["name"], status_body()["bedrijfsarts_name"])
    failures = []
    for method, template in routes(app):
        probe = MATRIX.get((method, template))
        if probe is None:
            continue  # test_every_route_is_in_the_matrix says what to add
        unknown = set(re.findall(r"\{(\w+)\}", template)) - set(d.ids)
        assert not unknown, f"{method} {template}: give dossier() an id for {unknown}"
        ids = {param: d.ids[probe.ids.get(param, param)] for param in re.findall(r"\{(\w+)\}", template)}
        path = template.format(**ids)
        for caller in CALLERS:
            # A partner key of the employer sends what the employer would.
            body = probe.body(d, E if caller in (PE, RE, FPE) else caller)
            kwargs: dict[str, Any] = {"headers": probe.headers(d, caller), "params": probe.params}
            if body is not None:
                kwargs["json"] = body
            content = probe.content(d, caller)
            if content is not None:
                kwargs["content"] = content
            savepoint = await connection.begin_nested()
            try:
                actor = actors[caller]
                if actor is None:
                    response = await client.request(method, path, **kwargs)
                else:
                    response = await actor.request(method, path, **kwargs)
            finally:
                await savepoint.rollback()
            got, expected = answer_class(response.status_code), expected_answer(probe, method, caller, template)
            if got != expected:
                failures.append(f"{method} {template} as {caller}: expected {expected}, got {got}: {response.text}")
            elif got != OK and any(secret in response.text for secret in secrets):
                failures.append(f"{method} {template} as {caller}: a refusal shows the case's data")
    assert not failures, "\n".join(failures)


async def test_the_change_feed_shows_each_caller_only_what_it_may_read(world: World) -> None:
    d = await dossier(world)

    async def seen(actor: Actor) -> dict[str, set[str]]:
        items = (await actor.get("/v1/events", params={"limit": 200})).json()["items"]
        by_type: dict[str, set[str]] = {}
        for event in items:
            if event["case_id"] == d.case["id"]:
                by_type.setdefault(event["entity_type"], set()).add(event["entity_id"])
        return by_type

    everything = await seen(world.bureau)
    assert {"case", "milestone", "medical_status", "track", "progress_report", "candidate_proposal"} <= set(everything)
    arbodienst = await seen(world.arbodienst)
    # The arbodienst reads the arbeidsdeskundig rapport's reference (a kind it may record), never a report.
    assert set(arbodienst) == {"case", "milestone", "medical_status", "track", "document"}
    employer = await seen(world.employer)
    assert employer["progress_report"] == {d.ids["submitted_report_id"]}  # never the draft
    assert employer["candidate_proposal"] == everything["candidate_proposal"]
    assert employer["medical_status"] == everything["medical_status"]
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert await seen(outsider) == {}
