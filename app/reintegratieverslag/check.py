"""The completeness check of the re-integratieverslag (shared/domain/reintegratieverslag.md sections 1-4.1).

Pure: a case's facts, its document references, its compliance on `as_of` (app.poortwachter.evaluate) and `as_of`
in; the ten parts with status, findings, evidence, documents and the parties that must act out. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal, get_args

from app import poortwachter
from app.reintegratieverslag.documents import ARBEIDSDESKUNDIG, DocumentRef, Finding, upload_findings

PartKey = Literal[
    "ziekmelding_en_gegevens",
    "probleemanalyse",
    "plan_van_aanpak",
    "bijstellingen",
    "eerstejaarsevaluatie",
    "actueel_oordeel",
    "eindevaluatie",
    "oordeel_werknemer",
    "arbeidsdeskundig_rapport",
    "spoor_2_overzicht",
]
PART_KEYS: tuple[str, ...] = get_args(PartKey)
PartStatus = Literal["not_required", "missing", "incomplete", "stale", "present"]
BLOCKING_STATUSES = frozenset({"missing", "incomplete", "stale"})
PartFindingCode = Literal[
    "bsn_unknown",
    "arbodienst_unknown",
    "advice_without_bijstelling",
    "older_than_max_age",
    "before_actueel_oordeel",
    "before_eindevaluatie",
    "report_overdue",
    "obligation_overdue",
    "document_missing",
]
EvidenceType = Literal["case", "milestone", "medical_status", "track", "progress_report", "document"]

DEFAULT_MAX_AGE_DAYS = 48  # the distance from sickday(602) to sickday(650): see the spec, section 1
MAX_AGE_RANGE = (14, 182)


@dataclass(frozen=True, slots=True)
class PartDefinition:
    title: str
    legal_basis: str
    supplied_by: tuple[str, ...]
    obligation: str | None


PARTS: dict[str, PartDefinition] = {
    "ziekmelding_en_gegevens": PartDefinition(
        "Ziekmelding en administratieve gegevens",
        "Regeling art. 6 lid 1 onder a-e",
        ("werkgever",),
        None,
    ),
    "probleemanalyse": PartDefinition(
        "Probleemanalyse (oordeel bedrijfsarts)",
        "Regeling art. 6 lid 1 onder f; art. 2",
        ("bedrijfsarts",),
        "probleemanalyse",
    ),
    "plan_van_aanpak": PartDefinition(
        "Plan van aanpak",
        "Regeling art. 6 lid 1 onder g; art. 4 lid 1-3",
        ("werkgever", "werknemer"),
        "plan_van_aanpak",
    ),
    "bijstellingen": PartDefinition(
        "Bijstellingsadviezen en bijstellingen plan van aanpak",
        "Regeling art. 6 lid 1 onder f en g; art. 4 lid 4-5",
        ("bedrijfsarts", "werkgever", "werknemer"),
        "bijstelling_plan_van_aanpak",
    ),
    "eerstejaarsevaluatie": PartDefinition(
        "Eerstejaarsevaluatie",
        "Regeling art. 6 lid 1 onder h; art. 4 lid 2 onder b",
        ("werkgever", "werknemer"),
        "eerstejaarsevaluatie",
    ),
    "actueel_oordeel": PartDefinition(
        "Actueel oordeel bedrijfsarts",
        "Regeling art. 6 lid 1 onder i, j en k",
        ("bedrijfsarts",),
        "actueel_oordeel",
    ),
    "eindevaluatie": PartDefinition(
        "Eindevaluatie",
        "Regeling art. 6 lid 1 onder h, i en k; WIA art. 25 lid 3",
        ("werkgever", "werknemer"),
        "eindevaluatie",
    ),
    "oordeel_werknemer": PartDefinition(
        "Oordeel werknemer",
        "Regeling art. 6 lid 1 onder l; WIA art. 25 lid 6",
        ("werknemer",),
        None,
    ),
    "arbeidsdeskundig_rapport": PartDefinition(
        "Arbeidsdeskundig rapport",
        "Regeling art. 7a; Werkwijzer Poortwachter",
        ("reintegratiebureau", "bedrijfsarts"),
        None,
    ),
    "spoor_2_overzicht": PartDefinition(
        "Overzicht re-integratie tweede spoor",
        "BW 7:658a lid 1; Regeling art. 6 lid 1 onder g en h",
        ("reintegratiebureau",),
        "start_spoor_2",
    ),
}
# Parts whose overdue obligation the compliance answer shows (the table's `obligation` column).
PART_OBLIGATIONS: dict[str, str] = {k: d.obligation for k, d in PARTS.items() if d.obligation is not None}


@dataclass(frozen=True, slots=True)
class MedicalVersion:
    """A medical-status version: only its id, date and the milestone it recorded (section 7)."""

    id: str
    milestone_id: str | None
    assessed_on: date


@dataclass(frozen=True, slots=True)
class RivCase:
    """What the check knows of a case beyond the rules' facts."""

    case_id: str
    first_sick_day: date
    bsn_known: bool
    arbodienst_known: bool
    facts: poortwachter.CaseFacts
    medical: tuple[MedicalVersion, ...] = ()
    documents: tuple[DocumentRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    type: str
    id: str
    date: date
    detail: str | None


@dataclass(frozen=True, slots=True)
class PartDocument:
    id: str
    milestone_id: str | None
    kind: str
    dated_on: date
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Part:
    part: str
    title: str
    legal_basis: str
    supplied_by: tuple[str, ...]
    status: str
    findings: tuple[Finding, ...]
    evidence: tuple[Evidence, ...]
    documents: tuple[PartDocument, ...]
    documents_ok: bool | None
    action_by: tuple[str, ...]
    due_on: date
    obligation: str | None


@dataclass(frozen=True, slots=True)
class ObligationState:
    code: str
    status: str
    due_on: date
    completed_on: date | None
    evidence_id: str | None


@dataclass(frozen=True, slots=True)
class RivCheck:
    case_id: str
    as_of: date
    first_sick_day: date
    sick_week: int | None
    wachttijd_end: date
    verlenging_end: date | None
    due_on: date
    aanvraag_due_on: date
    reference_date: date
    complete: bool
    blocking: tuple[str, ...]
    upload_ready: bool
    obligations: tuple[ObligationState, ...]
    parts: tuple[Part, ...]


RIV_DUE_BEFORE_END = 91  # WIA art. 25 lid 3: E' - 91


def _obligation(compliance: poortwachter.Compliance, code: str) -> poortwachter.Obligation:
    for ob in compliance.obligations:
        if ob.code == code:
            return ob
    raise ValueError(f"The compliance answer has no {code} item.")


def verlenging_end(compliance: poortwachter.Compliance) -> date | None:
    """E' when a verlenging moved it past E; else None."""
    return compliance.verlenging_end


def _earliest(milestones: Sequence[poortwachter.Milestone], type_: str) -> poortwachter.Milestone | None:
    """The earliest by date; on one day the first recorded (the list is in recording order)."""
    found = None
    for m in milestones:
        if m.type == type_ and (found is None or m.occurred_on < found.occurred_on):
            found = m
    return found


def _latest(milestones: Sequence[poortwachter.Milestone], type_: str) -> poortwachter.Milestone | None:
    """The latest by date; on one day the last recorded."""
    found = None
    for m in milestones:
        if m.type == type_ and (found is None or m.occurred_on >= found.occurred_on):
            found = m
    return found


def _all(milestones: Sequence[poortwachter.Milestone], type_: str) -> list[poortwachter.Milestone]:
    return sorted((m for m in milestones if m.type == type_), key=lambda m: m.occurred_on)  # stable: recording order


def _milestone_evidence(m: poortwachter.Milestone) -> Evidence:
    return Evidence("milestone", m.id or "", m.occurred_on, m.type)


def _sorted_evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(sorted(items, key=lambda e: (e.date.isoformat(), e.type, e.id)))


def _counting(docs: Iterable[DocumentRef]) -> DocumentRef | None:
    """Append-only references: the latest by dated_on, then created_at, counts."""
    return max(docs, key=lambda d: (d.dated_on, d.created_at), default=None)


@dataclass(slots=True)
class _PartState:
    key: str
    status: str = "present"
    findings: list[Finding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    needed: list[poortwachter.Milestone] = field(default_factory=list)  # milestones that each need a reference
    needs_case_document: bool = False  # part 9
    action_override: tuple[str, ...] | None = None


def check(
    case: RivCase, compliance: poortwachter.Compliance, as_of: date, *, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> RivCheck:
    """The RIV of `case` on `as_of`; `compliance` is evaluate()'s answer for the same case and date."""
    facts = case.facts
    milestones = [m for m in facts.milestones if m.occurred_on <= as_of]
    tracks = sorted((t for t in facts.tracks if t.started_on <= as_of), key=lambda t: t.started_on)
    reports = [r for r in facts.reports if r.submitted_on <= as_of]
    documents = [d for d in case.documents if d.dated_on <= as_of]
    medical = [v for v in case.medical if v.assessed_on <= as_of]

    riv = _obligation(compliance, "reintegratieverslag")
    aanvraag = _obligation(compliance, "wia_aanvraag")
    due_on, aanvraag_due_on = riv.due_on, aanvraag.due_on
    first_aanvraag = _earliest(milestones, "wia_aanvraag")
    reference = first_aanvraag.occurred_on if first_aanvraag else max(as_of, aanvraag_due_on)

    spoor_2_tracks = [t for t in tracks if t.spoor == 2]
    spoor_2_required = not (_obligation(compliance, "start_spoor_2").status == "waived" and not spoor_2_tracks)

    def too_old(m: poortwachter.Milestone) -> bool:
        return (reference - m.occurred_on).days > max_age_days

    def medical_of(m: poortwachter.Milestone) -> list[Evidence]:
        return [Evidence("medical_status", v.id, v.assessed_on, None) for v in medical if v.milestone_id == m.id]

    states: list[_PartState] = []

    # 1. Ziekmelding en gegevens: D always exists.
    p = _PartState("ziekmelding_en_gegevens", evidence=[Evidence("case", case.case_id, case.first_sick_day, None)])
    if (melding := _earliest(milestones, "ziekmelding_uwv")) is not None:
        p.evidence.append(_milestone_evidence(melding))
    if not case.bsn_known:
        p.findings.append(Finding("bsn_unknown"))
    if not case.arbodienst_known:
        p.findings.append(Finding("arbodienst_unknown"))
    if p.findings:
        p.status = "incomplete"
    states.append(p)

    # 2, 3, 5: the earliest milestone.
    for key, type_ in (("probleemanalyse", "probleemanalyse"), ("plan_van_aanpak", "plan_van_aanpak")):
        m = _earliest(milestones, type_)
        p = _PartState(key)
        if m is None:
            p.status = "missing"
        else:
            p.evidence.append(_milestone_evidence(m))
            p.needed = [m]
            if key == "probleemanalyse":
                p.evidence.extend(medical_of(m))
        if key == "plan_van_aanpak":
            p.evidence.extend(_milestone_evidence(g) for g in _all(milestones, "voortgangsgesprek"))
            p.evidence.extend(Evidence("track", t.id, t.started_on, "spoor_1") for t in tracks if t.spoor == 1)
        if key == "probleemanalyse":
            p.action_override = ("bedrijfsarts", "werkgever")  # the werkgever must ask for it
        states.append(p)

    # 4. Bijstellingen.
    advices = _all(milestones, "bijstellingsadvies")
    bijstellingen = _all(milestones, "bijstelling_plan_van_aanpak")
    p = _PartState("bijstellingen", needed=sorted(advices + bijstellingen, key=lambda m: m.occurred_on))
    p.evidence = [_milestone_evidence(m) for m in advices + bijstellingen]
    if not advices:
        p.status = "not_required"
    else:
        for advice in advices:
            if not any(b.occurred_on >= advice.occurred_on for b in bijstellingen):
                p.findings.append(Finding("advice_without_bijstelling", advice.id))
        if p.findings:
            p.status = "incomplete"
            p.action_override = ("werkgever", "werknemer")
    states.append(p)

    # 5. Eerstejaarsevaluatie.
    m = _earliest(milestones, "eerstejaarsevaluatie")
    p = _PartState("eerstejaarsevaluatie")
    if m is None:
        p.status = "missing"
    else:
        p.evidence, p.needed = [_milestone_evidence(m)], [m]
    states.append(p)

    # 6-8: the latest milestone, fresh at r and in order.
    oordeel = _latest(milestones, "actueel_oordeel")
    eind = _latest(milestones, "eindevaluatie")
    for key in ("actueel_oordeel", "eindevaluatie", "oordeel_werknemer"):
        m = {"actueel_oordeel": oordeel, "eindevaluatie": eind}.get(key) or (
            _latest(milestones, key) if key == "oordeel_werknemer" else None
        )
        p = _PartState(key)
        if m is None:
            p.status = "missing"
            states.append(p)
            continue
        p.evidence, p.needed = [_milestone_evidence(m)], [m]
        if key == "actueel_oordeel":
            p.evidence.extend(medical_of(m))
        if key in ("actueel_oordeel", "eindevaluatie") and too_old(m):
            p.findings.append(Finding("older_than_max_age"))
        if key == "oordeel_werknemer" and eind is not None and m.occurred_on < eind.occurred_on:
            p.findings.append(Finding("before_eindevaluatie"))
        if key != "actueel_oordeel" and oordeel is not None and m.occurred_on < oordeel.occurred_on:
            p.findings.append(Finding("before_actueel_oordeel"))
        if p.findings:
            p.status = "stale"
        states.append(p)

    # 9. Arbeidsdeskundig rapport: required exactly when spoor 2 is (choice of the spec).
    reports_ad = [d for d in documents if d.kind == ARBEIDSDESKUNDIG]
    p = _PartState("arbeidsdeskundig_rapport", needs_case_document=True)
    p.evidence = [Evidence("document", d.id, d.dated_on, d.kind) for d in reports_ad]
    p.action_override = ("werkgever", "reintegratiebureau")
    if not spoor_2_required:
        p.status = "not_required"
    elif not reports_ad:
        p.status = "missing"
    states.append(p)

    # 10. Spoor 2 overview.
    p = _PartState("spoor_2_overzicht")
    spoor_2_ids = {t.id for t in spoor_2_tracks}
    for t in spoor_2_tracks:
        p.evidence.append(Evidence("track", t.id, t.started_on, "spoor_2"))
    p.evidence.extend(
        Evidence("progress_report", r.id, r.submitted_on, r.period) for r in reports if r.track_id in spoor_2_ids
    )
    if not spoor_2_required:
        p.status = "not_required"
    elif not spoor_2_tracks:
        p.status = "missing"
        p.action_override = ("werkgever", "reintegratiebureau")
    else:
        order = {t.id: i for i, t in enumerate(spoor_2_tracks)}
        overdue = sorted(
            (ob for ob in compliance.obligations if ob.code == "voortgangsrapportage" and ob.status == "overdue"),
            key=lambda ob: (order.get(ob.track_id or "", len(order)), ob.period or ""),
        )
        for ob in overdue:
            if ob.track_id in spoor_2_ids:
                p.findings.append(Finding("report_overdue", f"{ob.track_id}/{ob.period}"))
        if p.findings:
            p.status = "incomplete"
    states.append(p)

    # The check is never laxer than compliance: a part the rules above find present while the compliance answer
    # shows its obligation overdue (an actueel oordeel dated before W91 that an early aanvraag keeps "fresh", an
    # eindevaluatie from before a verlenging, a plan van aanpak from before a later probleemanalyse that found
    # possibilities) does not fulfil what it stands for: it is stale (not in the spec's table, see the report).
    overdue_codes = {ob.code for ob in compliance.obligations if ob.status == "overdue"}
    for state in states:
        code = PARTS[state.key].obligation
        if state.status == "present" and code in overdue_codes:
            state.findings.append(Finding("obligation_overdue", code))
            state.status = "stale"

    parts = tuple(_finish(s, documents, due_on, aanvraag_due_on) for s in states)
    blocking = tuple(part.part for part in parts if part.status in BLOCKING_STATUSES)
    complete = not blocking
    return RivCheck(
        case_id=case.case_id,
        as_of=as_of,
        first_sick_day=compliance.first_sick_day,
        sick_week=compliance.sick_week,
        wachttijd_end=compliance.wachttijd_end,
        verlenging_end=verlenging_end(compliance),
        due_on=due_on,
        aanvraag_due_on=aanvraag_due_on,
        reference_date=reference,
        complete=complete,
        blocking=blocking,
        upload_ready=complete and all(part.documents_ok is not False for part in parts),
        obligations=tuple(
            ObligationState(ob.code, ob.status, ob.due_on, ob.completed_on, ob.evidence_id) for ob in (riv, aanvraag)
        ),
        parts=parts,
    )


_NO_DOCUMENTS = frozenset({"ziekmelding_en_gegevens", "spoor_2_overzicht"})


def _finish(state: _PartState, documents: Sequence[DocumentRef], due_on: date, aanvraag_due_on: date) -> Part:
    definition = PARTS[state.key]
    findings = list(state.findings)
    counted: list[tuple[DocumentRef, tuple[Finding, ...]]] = []
    lacking: list[poortwachter.Milestone] = []  # needed milestones whose reference is missing or has findings
    documents_ok: bool | None = None
    if state.key not in _NO_DOCUMENTS and state.status not in ("missing", "not_required"):
        documents_ok = True
        for m in state.needed:
            doc = _counting(d for d in documents if d.milestone_id == m.id)
            if doc is None:
                findings.append(Finding("document_missing", m.id))
                lacking.append(m)
                documents_ok = False
                continue
            upload = upload_findings(doc)
            counted.append((doc, upload))
            if upload:
                lacking.append(m)
                documents_ok = False
        if state.needs_case_document:
            doc = _counting(d for d in documents if d.kind == ARBEIDSDESKUNDIG)
            if doc is not None:
                upload = upload_findings(doc)
                counted.append((doc, upload))
                documents_ok = documents_ok and not upload
    elif state.key not in _NO_DOCUMENTS:
        # The counting references are listed whatever the status.
        for m in state.needed:
            if (doc := _counting(d for d in documents if d.milestone_id == m.id)) is not None:
                counted.append((doc, upload_findings(doc)))
        if state.needs_case_document and (doc := _counting(d for d in documents if d.kind == ARBEIDSDESKUNDIG)):
            counted.append((doc, upload_findings(doc)))

    if state.status == "not_required" or (state.status == "present" and documents_ok is not False):
        action_by: tuple[str, ...] = ()
    elif state.key == "bijstellingen" and state.status == "present":
        kinds = {m.type for m in lacking}
        action_by = ("bedrijfsarts",) if "bijstellingsadvies" in kinds else ()
        if "bijstelling_plan_van_aanpak" in kinds:
            action_by += ("werkgever", "werknemer")
    elif state.key == "spoor_2_overzicht":
        action_by = state.action_override or definition.supplied_by
    else:
        action_by = state.action_override or definition.supplied_by
    parts_documents = tuple(
        sorted(
            (PartDocument(d.id, d.milestone_id, d.kind, d.dated_on, upload) for d, upload in counted),
            key=lambda d: (d.dated_on, d.kind, d.id),
        )
    )
    return Part(
        part=state.key,
        title=definition.title,
        legal_basis=definition.legal_basis,
        supplied_by=definition.supplied_by,
        status=state.status,
        findings=tuple(findings),
        evidence=_sorted_evidence(state.evidence),
        documents=parts_documents,
        documents_ok=documents_ok,
        action_by=action_by,
        due_on=aanvraag_due_on if state.key == "oordeel_werknemer" else due_on,
        obligation=definition.obligation,
    )


def redact(result: RivCheck, *, readable_kinds: frozenset[str] | None, reports_visible: bool) -> RivCheck:
    """The check as a caller may see it: references and progress reports it may not read left out of `evidence`
    and `documents`; statuses, findings and flags stay the same for everyone (section 4.1)."""
    if readable_kinds is None and reports_visible:
        return result

    def shown(e: Evidence) -> bool:
        if e.type == "progress_report":
            return reports_visible
        if e.type == "document":
            return readable_kinds is None or (e.detail or "") in readable_kinds
        return True

    parts = tuple(
        replace(
            part,
            evidence=tuple(e for e in part.evidence if shown(e)),
            documents=tuple(d for d in part.documents if readable_kinds is None or d.kind in readable_kinds),
        )
        for part in result.parts
    )
    return replace(result, parts=parts)
