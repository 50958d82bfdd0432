"""Seed a benchmark database with realistic dossiers, fast (COPY), straight into the tables.

Each case gets the milestones a diligent-but-human dossier has at its age: a probleemanalyse, a plan van aanpak
and casemanager, voortgangsgesprekken every six weeks or so, a 42e-weeksmelding, an eerstejaarsevaluatie, a
spoor 2 track with monthly reports for older cases, and now and then a late or missing step. Most employees'
BSN is known (stored encrypted and masked, as the API stores it); some cases have an arbodienst; with
`closed_share`, that share of each bureau's cases is closed (older dossiers end: hersteld, plaatsing, wia).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

from app.auth.keys import hash_secret, new_secret
from app.core.crypto import encrypt, mask_bsn

CLOSE_REASONS = ("hersteld", "plaatsing", "wia", "uit_dienst")


@dataclass
class Seeded:
    bureau_ids: list[uuid.UUID]
    bureau_keys: list[str]
    employer_ids: list[uuid.UUID]
    employer_keys: dict[uuid.UUID, str]
    case_ids: list[uuid.UUID]
    # Per case: its bureau and employer (what a load generator needs to read it as each party).
    case_bureau: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    case_employer: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    open_case_ids: list[uuid.UUID] = field(default_factory=list)


def _bsn(n: int) -> str:
    """A valid BSN (elfproef) derived from n: eight digits, then the check digit that makes it pass."""
    while True:
        digits = [int(c) for c in f"{10_000_000 + n % 89_999_999:08d}"]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)
        n += 1


def _report_content(month: date, rng: random.Random) -> dict[str, str]:
    """The JSON content of a submitted monthly report (app/reports/schemas.py), as stored."""
    day = month + timedelta(days=rng.randint(0, 27))
    return {
        "plan_progress": json.dumps([{"goal": "Urenopbouw naar 24 uur", "status": "on_track", "deviation": None}]),
        "activities": json.dumps([{"description": "Sollicitatietraining", "on": day.isoformat()}]),
        "bottlenecks": json.dumps([]),
        "next_steps": json.dumps(
            [{"action": "Drie sollicitaties", "due_on": (month + timedelta(days=45)).isoformat(), "responsible": None}]
        ),
        "houding_en_gedrag": "Actief en gemotiveerd.",
    }


async def seed(
    dsn: str,
    *,
    bureaus: int,
    employers: int,
    cases_per_bureau: int,
    today: date,
    rng_seed: int = 42,
    arbodiensten: int = 0,
    closed_share: float = 0.0,
    bsn_share: float = 0.0,
    bureau_cases: list[int] | None = None,
    employers_per_bureau: list[int] | None = None,
) -> Seeded:
    """`bureau_cases` (cases per bureau, one entry each) overrides `bureaus` and `cases_per_bureau`;
    `employers_per_bureau` gives each bureau its own number of the `employers` (else an equal slice)."""
    if bureau_cases is not None:
        bureaus = len(bureau_cases)
    sizes = bureau_cases or [cases_per_bureau] * bureaus
    rng = random.Random(rng_seed)
    conn = await asyncpg.connect(dsn)
    now = datetime.now(UTC)
    try:
        orgs: list[tuple[object, ...]] = []
        keys: list[tuple[object, ...]] = []
        links: list[tuple[object, ...]] = []
        bureau_ids = [uuid.uuid4() for _ in range(bureaus)]
        employer_ids = [uuid.uuid4() for _ in range(employers)]
        bureau_keys: list[str] = []
        employer_keys: dict[uuid.UUID, str] = {}
        for i, org_id in enumerate(bureau_ids):
            orgs.append((org_id, "reintegratiebureau", f"Bench bureau {i}", None, now))
            secret = new_secret()
            bureau_keys.append(secret)
            keys.append((uuid.uuid4(), org_id, "bench", secret[:8], hash_secret(secret), now))
        for i, org_id in enumerate(employer_ids):
            orgs.append((org_id, "werkgever", f"Bench werkgever {i}", f"{10_000_000 + i:08d}", now))
            secret = new_secret()
            employer_keys[org_id] = secret
            keys.append((uuid.uuid4(), org_id, "bench", secret[:8], hash_secret(secret), now))
        # Employers are spread over bureaus: each bureau works with its own slice of them.
        per_bureau = max(1, employers // bureaus)
        slices = employers_per_bureau or [per_bureau] * bureaus
        starts = [sum(slices[:i]) for i in range(bureaus)]
        bureau_employers = {
            b: employer_ids[starts[i] : starts[i] + slices[i]] or employer_ids for i, b in enumerate(bureau_ids)
        }
        for b, emps in bureau_employers.items():
            links += [(b, e, now) for e in emps]
            links += [(e, b, now) for e in emps]
        arbo_ids = [uuid.uuid4() for _ in range(arbodiensten)]
        for i, org_id in enumerate(arbo_ids):
            orgs.append((org_id, "arbodienst", f"Bench arbodienst {i}", f"{20_000_000 + i:08d}", now))
            keys.append((uuid.uuid4(), org_id, "bench", "spw_arbo", hash_secret(new_secret()), now))
            links += [(b, org_id, now) for b in bureau_ids] + [(org_id, b, now) for b in bureau_ids]
        # Reads never decrypt: a few distinct tokens stand in for the encryption of every BSN.
        tokens = [encrypt(_bsn(i)) for i in range(16)]
        seeded = Seeded(bureau_ids, bureau_keys, employer_ids, employer_keys, [])

        # Report content columns came with issue 4: fill those the schema has (NOT NULL JSON lists among them).
        report_columns = {
            r["column_name"]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'progress_reports'"
            )
        }
        report_content = [c for c in _report_content(today, rng) if c in report_columns]
        case_rows: list[tuple[object, ...]] = []
        milestone_rows: list[tuple[object, ...]] = []
        track_rows: list[tuple[object, ...]] = []
        report_rows: list[tuple[object, ...]] = []
        case_ids: list[uuid.UUID] = []
        created = now - timedelta(days=800)
        for b, size in zip(bureau_ids, sizes, strict=True):
            for n in range(size):
                case_id = uuid.uuid4()
                case_ids.append(case_id)
                employer = rng.choice(bureau_employers[b])
                seeded.case_bureau[case_id], seeded.case_employer[case_id] = b, employer
                age = rng.randint(5, 720)
                d = today - timedelta(days=age)
                created += timedelta(microseconds=1000)
                # Deterministic share (every k-th case) so that each bureau has exactly its share closed.
                closed = closed_share > 0 and n % round(1 / closed_share) == 0
                closed_on = d + timedelta(days=rng.randint(1, age)) if closed else None
                if not closed:
                    seeded.open_case_ids.append(case_id)
                bsn = _bsn(len(case_ids)) if rng.random() < bsn_share else None
                case_rows.append(
                    (
                        case_id,
                        b,
                        employer,
                        rng.choice(arbo_ids) if arbo_ids and rng.random() < 0.5 else None,
                        f"B-{n}",
                        f"Werknemer {n}",
                        date(1980, 1, 1) + timedelta(days=n % 9000),
                        rng.choice(tokens) if bsn else None,
                        mask_bsn(bsn) if bsn else None,
                        json.dumps([{"first_day": d.isoformat(), "last_day": None}]),
                        "[]",
                        d,
                        False,
                        "M. Jansen",
                        "closed" if closed else "open",
                        closed_on,
                        rng.choice(CLOSE_REASONS) if closed else None,
                        1,
                        created,
                        created,
                    )
                )

                last_fact = min(today, closed_on) if closed_on else today

                def fact(
                    kind: str,
                    day_offset: int,
                    case_id: uuid.UUID = case_id,
                    b: uuid.UUID = b,
                    d: date = d,
                    last_fact: date = last_fact,
                ) -> None:
                    on = d + timedelta(days=day_offset)
                    if on <= last_fact:
                        milestone_rows.append(
                            (uuid.uuid4(), case_id, b, kind, on, None, None, None, None, None, b, None, now)
                        )

                pa = rng.randint(25, 50)
                if rng.random() < 0.95:
                    fact("probleemanalyse", pa)
                    pva = pa + rng.randint(5, 18)
                    if rng.random() < 0.9:
                        fact("plan_van_aanpak", pva)
                        fact("casemanager", pva)
                        talk = pva
                        while talk + 42 < age:
                            talk += rng.randint(30, 46)
                            fact("voortgangsgesprek", talk)
                if rng.random() < 0.15:
                    advice = rng.randint(60, 300)
                    fact("bijstellingsadvies", advice)
                    fact("bijstelling_plan_van_aanpak", advice + rng.randint(3, 20))
                if rng.random() < 0.92:
                    fact("ziekmelding_uwv", rng.randint(285, 300))
                if rng.random() < 0.9:
                    fact("eerstejaarsevaluatie", rng.randint(320, 365))
                if age > 380 and rng.random() < 0.8:
                    track_id = uuid.uuid4()
                    start = d + timedelta(days=rng.randint(370, 400))
                    if start <= last_fact and not closed:
                        track_rows.append(
                            (track_id, case_id, b, 2, start, None, None, "Coach", "Plaatsing", 1, now, now)
                        )
                        month = date(start.year, start.month, 1)
                        while month < date(today.year, today.month, 1):
                            next_month = (month + timedelta(days=32)).replace(day=1)
                            if rng.random() < 0.9:
                                submitted = next_month + timedelta(days=rng.randint(2, 20))
                                if submitted <= today:
                                    content = _report_content(month, rng)
                                    report_rows.append(
                                        (
                                            uuid.uuid4(),
                                            track_id,
                                            case_id,
                                            b,
                                            month.strftime("%Y-%m"),
                                            "submitted",
                                            submitted,
                                            1,
                                            now,
                                            now,
                                            *(content[c] for c in report_content),
                                        )
                                    )
                            month = next_month
                if age > 560 and rng.random() < 0.7:
                    fact("actueel_oordeel", rng.randint(590, 640))
                    fact("eindevaluatie", rng.randint(590, 640))
                    fact("reintegratieverslag", rng.randint(600, 640))

        async with conn.transaction():
            await conn.copy_records_to_table(
                "organizations", records=orgs, columns=["id", "kind", "name", "kvk", "created_at"]
            )
            await conn.copy_records_to_table(
                "api_keys", records=keys, columns=["id", "organization_id", "name", "prefix", "key_hash", "created_at"]
            )
            await conn.copy_records_to_table(
                "organization_links", records=links, columns=["viewer_id", "organization_id", "created_at"]
            )
            await conn.copy_records_to_table(
                "cases",
                records=case_rows,
                columns=[
                    "id",
                    "bureau_id",
                    "employer_id",
                    "arbodienst_id",
                    "external_ref",
                    "employee_name",
                    "employee_date_of_birth",
                    "employee_bsn_encrypted",
                    "employee_bsn_masked",
                    "absence_periods",
                    "leave_periods",
                    "first_sick_day",
                    "employer_is_wga_eigenrisicodrager",
                    "employer_case_manager",
                    "status",
                    "closed_on",
                    "close_reason",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            )
            await conn.copy_records_to_table(
                "milestones",
                records=milestone_rows,
                columns=[
                    "id",
                    "case_id",
                    "bureau_id",
                    "type",
                    "occurred_on",
                    "note",
                    "until",
                    "percentage",
                    "obligation",
                    "reason",
                    "recorded_by_organization_id",
                    "recorded_by_key_id",
                    "created_at",
                ],
            )
            await conn.copy_records_to_table(
                "tracks",
                records=track_rows,
                columns=[
                    "id",
                    "case_id",
                    "bureau_id",
                    "spoor",
                    "started_on",
                    "ended_on",
                    "end_reason",
                    "coach",
                    "goal",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            )
            await conn.copy_records_to_table(
                "progress_reports",
                records=report_rows,
                columns=[
                    "id",
                    "track_id",
                    "case_id",
                    "bureau_id",
                    "period",
                    "status",
                    "submitted_on",
                    "version",
                    "created_at",
                    "updated_at",
                    *report_content,
                ],
            )
        await conn.execute("ANALYZE")
        seeded.case_ids = case_ids
        return seeded
    finally:
        await conn.close()
