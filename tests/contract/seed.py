"""A dedicated database with callers and data for the contract run and the generated clients: a bureau, its
employer and arbodienst with keys, cases with milestones, a medical status, a spoor 2 track with a submitted and
a draft progress report, and a candidate proposal. Everything goes through the API (real commits)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tests.conftest import create_case
from tests.live import committing_app, parties
from tests.test_medical import first_push
from tests.workflows import add_proposal, add_report, report_content, spoor_2


@dataclass
class Seeded:
    url: str
    bureau_key: str
    employer_key: str
    arbodienst_key: str
    employer_id: str
    case_id: str
    report_id: str  # submitted: the employer may read it

    def env(self) -> dict[str, str]:
        """For the client scripts: SPOORWIJZER_<FIELD> variables (the URL excepted)."""
        return {f"SPOORWIJZER_{k.upper()}": v for k, v in asdict(self).items() if k != "url"}


async def seed(url: str) -> Seeded:
    """Fill `url` (a fresh database from tests.live.committed_database)."""
    async with committing_app(url) as (_, _, factory):
        p = await parties(factory, "contract")
        case, track = await spoor_2(p)  # type: ignore[arg-type]  # Parties carries the World fields it reads
        await first_push(p, case)  # type: ignore[arg-type]
        for _ in range(3):
            await create_case(p)  # type: ignore[arg-type]
        submitted = await add_report(p.bureau, track["id"], "2026-01", **report_content("2026-01"))
        done = await p.bureau.post(f"/v1/progress-reports/{submitted['id']}/submit", json={})
        assert done.status_code == 200, done.text
        await add_report(p.bureau, track["id"], "2026-02")
        await add_proposal(p.bureau, track["id"])
    return Seeded(url, p.bureau.key, p.employer.key, p.arbodienst.key, p.employer.id, case["id"], submitted["id"])
