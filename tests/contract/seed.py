"""A dedicated database with callers and data for the contract run and the generated clients: a bureau, its
employer and arbodienst with keys, cases with milestones, a medical status, a spoor 2 track with a submitted and
a draft progress report, and a candidate proposal. Everything goes through the API (real commits)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.conftest import create_case
from tests.live import Server, committed_database, committing_app, parties, serve
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
    employer_cases: str  # how many cases the employer sees

    def env(self) -> dict[str, str]:
        """For the client scripts: SPOORWIJZER_<FIELD> variables (the URL excepted)."""
        return {f"SPOORWIJZER_{k.upper()}": v for k, v in asdict(self).items() if k != "url"}


async def seed(url: str) -> Seeded:
    """Fill `url` (a fresh database from tests.live.committed_database)."""
    async with committing_app(url) as (_, _, factory):
        p = await parties(factory, "contract")
        case, track = await spoor_2(p)  # type: ignore[arg-type]  # Parties carries the World fields it reads
        await first_push(p, case)  # type: ignore[arg-type]
        others = [await create_case(p) for _ in range(3)]  # type: ignore[arg-type]
        submitted = await add_report(p.bureau, track["id"], "2026-01", **report_content("2026-01"))
        done = await p.bureau.post(f"/v1/progress-reports/{submitted['id']}/submit", json={})
        assert done.status_code == 200, done.text
        await add_report(p.bureau, track["id"], "2026-02")
        await add_proposal(p.bureau, track["id"])
    employer_cases = str(1 + len(others))
    keys = (p.bureau.key, p.employer.key, p.arbodienst.key)
    return Seeded(url, *keys, p.employer.id, case["id"], submitted["id"], employer_cases)


@contextmanager
def seeded_server(name: str, log_dir: Path) -> Iterator[tuple[Server, Seeded]]:
    """A fresh database `<test database>_<name>`, seeded, served by `spoorwijzer run`."""
    seeded = asyncio.run(seed(committed_database(name)))
    with serve(seeded.url, log_dir / "server.log") as server:
        yield server, seeded
