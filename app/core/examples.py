"""Examples for the OpenAPI document, by component name: every request body and the main responses.

One story (the one of docs/walkthrough.md): Jan de Vries of Bakkerij De Korenschoof, sick since 6 January 2025.
tests/test_contract_docs.py validates each example against its schema and requires one for every request body.
"""

from __future__ import annotations

from typing import Any

BUREAU = "0b9c4a56-1d2e-4f3a-9b8c-7d6e5f4a3b21"
EMPLOYER = "5f0e9a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
ARBODIENST = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
CASE = "3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4"
TRACK = "9e8d7c6b-5a49-4382-a716-05f4e3d2c1b0"
MILESTONE = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PROPOSAL = "4d3c2b1a-0f9e-48d7-a6b5-c4d3e2f1a0b9"
REPORT = "6c5b4a39-2817-4605-b4f3-e2d1c0b9a876"
KEY = "2e1d0c9b-8a79-4685-b4a3-928170f6e5d4"
MEDICAL = "8b7a6958-4736-4251-a40f-3e2d1c0b9a87"
AT = "2025-03-03T09:15:00Z"

PLAN_VAN_AANPAK: dict[str, Any] = {
    "code": "plan_van_aanpak",
    "title": "Plan van aanpak",
    "parties": ["werkgever", "werknemer"],
    "legal_basis": "Wet WIA art. 25 lid 2; BW 7:658a lid 3; Regeling procesgang eerste en tweede ziektejaar art. 4 "
    "lid 1 en 3",
    "due_on": "2025-02-26",
    "window_opens_on": "2025-02-10",
    "status": "overdue",
    "completed_on": None,
    "late_by_days": None,
    "overdue_by_days": 5,
    "waiting_for": None,
    "evidence_id": None,
    "period": None,
    "track_id": None,
}

REQUESTS: dict[str, list[dict[str, Any]]] = {
    "OrganizationCreate": [{"kind": "werkgever", "name": "Bakkerij De Korenschoof B.V.", "kvk": "69599084"}],
    "CaseCreate": [
        {
            "external_ref": "KS-2025-001",
            "employer_id": EMPLOYER,
            "arbodienst_id": ARBODIENST,
            "employee": {"name": "Jan de Vries", "date_of_birth": "1980-04-12", "bsn": "111222333"},
            "absence_periods": [{"first_day": "2025-01-06"}],
            "employer_is_wga_eigenrisicodrager": False,
            "employer_case_manager": "Petra Smit",
        }
    ],
    "CaseUpdate": [{"employer_case_manager": "Karin Jansen"}],
    "CaseClose": [{"closed_on": "2025-06-30", "reason": "hersteld"}],
    "SimpleMilestoneCreate": [{"type": "voortgangsgesprek", "occurred_on": "2025-03-24", "note": "Op locatie"}],
    "ProbleemanalyseCreate": [{"type": "probleemanalyse", "occurred_on": "2025-02-10", "note": "Door de bedrijfsarts"}],
    "PlanMilestoneCreate": [{"type": "plan_van_aanpak", "occurred_on": "2025-02-24", "casemanager": "Petra Smit"}],
    "OordeelWerknemerCreate": [{"type": "oordeel_werknemer", "occurred_on": "2026-09-14", "agreement": "deels_eens"}],
    "Spoor2NietIngezetCreate": [
        {
            "type": "spoor_2_niet_ingezet",
            "occurred_on": "2025-10-06",
            "reason": "terugkeer_eigen_werk",
            "until": "2026-01-05",
        }
    ],
    "GedeeltelijkeHervattingCreate": [
        {
            "type": "gedeeltelijke_hervatting",
            "occurred_on": "2025-04-07",
            "percentage": 50,
            "hours_per_week": 19,
            "werk": "aangepast_werk",
        }
    ],
    "HerstelbeslissingCreate": [{"type": "herstelbeslissing", "occurred_on": "2027-03-01", "hersteld": True}],
    "LegalHoldChange": [{"legal_hold": True, "reason": "Procedure bij de kantonrechter"}],
    "CalendarFeedCreate": [{"party": "werkgever", "employer_id": EMPLOYER, "include_employee_name": False}],
    "DocumentCreate": [
        {
            "kind": "plan_van_aanpak",
            "title": "Plan van aanpak Jan de Vries",
            "dated_on": "2025-02-24",
            "supplied_by": "werkgever",
            "signed_by": ["werkgever", "werknemer"],
            "bsn_on_document": True,
            "media_type": "application/pdf",
            "size_bytes": 184320,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        }
    ],
    "WebhookEndpointCreate": [
        {
            "url": "https://backoffice.example.nl/hooks/spoorwijzer",
            "event_types": ["case.created", "obligation.overdue"],
            "description": "Back office",
        }
    ],
    "WebhookEndpointUpdate": [{"event_types": ["case.created", "case.closed", "obligation.overdue"]}],
    "ApiKeyCreate": [{"name": "HR-systeem Korenschoof", "scope": "write", "expires_on": "2027-12-31"}],
    "MilestoneVoid": [{"reason": "Vastgelegd op de verkeerde casus"}],
    "OrganizationUpdate": [{"contact_name": "Petra Smit", "contact_email": "hr@korenschoof.example.nl"}],
    "ErasureRequest": [{"reason": "Bewaartermijn verstreken; verzoek werknemer (AVG art. 17)"}],
    "ExtensionMilestoneCreate": [
        {"type": "verlenging_loondoorbetaling", "occurred_on": "2026-11-02", "until": "2027-06-30"}
    ],
    "WiaBeslissingCreate": [
        {"type": "wia_beslissing", "occurred_on": "2027-01-04", "percentage": 45, "uitkering": "wga"}
    ],
    "AfwijkingCreate": [
        {
            "type": "afwijking",
            "occurred_on": "2025-02-20",
            "obligation": "voortgangsgesprek",
            "reason": "Werknemer opgenomen in het ziekenhuis; gesprek uitgesteld.",
            "new_due_on": "2025-03-10",
        }
    ],
    "TrackCreate": [{"spoor": 1, "started_on": "2025-02-17", "coach": "Mark Bos", "goal": "Terug in eigen functie"}],
    "TrackUpdate": [{"coach": "Sanne Vos"}],
    "TrackEnd": [{"ended_on": "2025-06-30", "end_reason": "Werknemer hersteld"}],
    "ReportCreate": [
        {
            "period": "2025-02",
            "activities": [{"description": "Intakegesprek met werknemer", "on": "2025-02-18"}],
            "plan_progress": [{"goal": "Twee dagen per week werken", "status": "on_track"}],
            "belastbaarheid": {
                "description": "Lichte werkzaamheden, vier uur per dag",
                "hours_per_week": 20,
                "source": "bedrijfsarts",
                "assessed_on": "2025-02-10",
            },
            "next_steps": [{"action": "Opbouw naar drie dagen", "due_on": "2025-03-31", "responsible": "werkgever"}],
        }
    ],
    "ReportUpdate": [{"houding_en_gedrag": "Gemotiveerd en op tijd bij afspraken."}],
    "ReportSubmit": [{"submitted_on": "2025-03-03"}],
    "ProposalCreate": [
        {
            "prospective_employer": {"name": "Bakkerij Het Gouden Korrel", "kvk": "12345678", "place": "Utrecht"},
            "vacancy_title": "Medewerker broodafdeling",
            "proposed_on": "2025-02-24",
            "channel": "vacature",
        }
    ],
    "ProposalUpdate": [{"status": "interview", "status_date": "2025-02-27"}],
    "MedicalStatusPut": [
        {
            "functional_capacities": {
                "fysieke_omgevingseisen": {"level": "beperkt", "note": "Niet tillen boven 10 kg"},
                "werktijden": {"level": "beperkt", "note": "Vier uur per dag"},
            },
            "available_hours_per_week": 20,
            "prognosis": "volledige_terugkeer",
            "expected_return_on": "2025-06-01",
            "adjustment_advice": "Geen nachtdiensten",
            "assessed_on": "2025-02-10",
            "assessment_kind": "probleemanalyse",
            "bedrijfsarts_name": "dr. A. Bakker",
        }
    ],
}

RESPONSES: dict[str, list[dict[str, Any]]] = {
    "OrganizationRead": [
        {
            "id": EMPLOYER,
            "kind": "werkgever",
            "name": "Bakkerij De Korenschoof B.V.",
            "kvk": "69599084",
            "contact_name": "Petra Smit",
            "contact_email": "hr@korenschoof.example.nl",
            "contact_phone": None,
            "registered_by_id": BUREAU,
            "created_at": AT,
            "updated_at": AT,
        }
    ],
    "Me": [
        {
            "organization": {
                "id": BUREAU,
                "kind": "reintegratiebureau",
                "name": "Re-integratiebureau Noord",
                "kvk": "12345670",
                "contact_name": None,
                "contact_email": None,
                "contact_phone": None,
                "registered_by_id": None,
                "created_at": AT,
                "updated_at": AT,
            },
            "kind": "reintegratiebureau",
            "api_key_id": KEY,
            "scope": "write",
            "expires_on": None,
            "issued_by_id": None,
        }
    ],
    "CaseRead": [
        {
            "id": CASE,
            "bureau_id": BUREAU,
            "employer_id": EMPLOYER,
            "arbodienst_id": ARBODIENST,
            "external_ref": "KS-2025-001",
            "employee": {"name": "Jan de Vries", "date_of_birth": "1980-04-12", "bsn_masked": "*****2333"},
            "absence_periods": [{"first_day": "2025-01-06", "last_day": None}],
            "leave_periods": [],
            "employer_is_wga_eigenrisicodrager": False,
            "employer_case_manager": "Petra Smit",
            "status": "open",
            "first_sick_day": "2025-01-06",
            "closed_on": None,
            "close_reason": None,
            "legal_hold": False,
            "anonymised_at": None,
            "version": 1,
            "created_at": AT,
            "updated_at": AT,
        }
    ],
    "MilestoneRead": [
        {
            "id": MILESTONE,
            "case_id": CASE,
            "type": "probleemanalyse",
            "occurred_on": "2025-02-10",
            "note": "Door de bedrijfsarts",
            "until": None,
            "percentage": None,
            "obligation": None,
            "reason": None,
            "new_due_on": None,
            "geen_benutbare_mogelijkheden": False,
            "casemanager": None,
            "uitkering": None,
            "hours_per_week": None,
            "werk": None,
            "hersteld": None,
            "agreement": None,
            "recorded_by_organization_id": BUREAU,
            "voided_at": None,
            "voided_by": None,
            "void_reason": None,
            "created_at": AT,
        }
    ],
    "TrackRead": [
        {
            "id": TRACK,
            "case_id": CASE,
            "bureau_id": BUREAU,
            "spoor": 1,
            "status": "active",
            "started_on": "2025-02-17",
            "ended_on": None,
            "end_reason": None,
            "coach": "Mark Bos",
            "goal": "Terug in eigen functie",
            "version": 1,
            "created_at": AT,
            "updated_at": AT,
        }
    ],
    "ProposalRead": [
        {
            "id": PROPOSAL,
            "track_id": TRACK,
            "case_id": CASE,
            "bureau_id": BUREAU,
            "prospective_employer": {"name": "Bakkerij Het Gouden Korrel", "kvk": "12345678", "place": "Utrecht"},
            "vacancy_title": "Medewerker broodafdeling",
            "proposed_on": "2025-02-24",
            "channel": "vacature",
            "note": None,
            "status": "proposed",
            "status_date": "2025-02-24",
            "status_history": [{"status": "proposed", "status_date": "2025-02-24", "reason": None, "recorded_at": AT}],
            "version": 1,
            "created_at": AT,
            "updated_at": AT,
        }
    ],
    "ReportRead": [
        {
            "id": REPORT,
            "track_id": TRACK,
            "case_id": CASE,
            "bureau_id": BUREAU,
            "spoor": 2,
            "period": "2025-09",
            "status": "submitted",
            "submitted_on": "2025-10-06",
            "plan_progress": [{"goal": "Werk bij een andere bakkerij", "status": "on_track", "deviation": None}],
            "belastbaarheid": {
                "description": "Lichte werkzaamheden, vier uur per dag",
                "hours_per_week": 20,
                "source": "bedrijfsarts",
                "assessed_on": "2025-02-10",
            },
            "activities": [{"description": "Voorgesteld bij Bakkerij Het Gouden Korrel", "on": "2025-09-15"}],
            "houding_en_gedrag": "Gemotiveerd en op tijd bij afspraken.",
            "bottlenecks": [],
            "next_steps": [{"action": "Sollicitatiegesprek", "due_on": "2025-10-10", "responsible": "jobcoach"}],
            "employee_comments": None,
            "candidate_proposals": [
                {
                    "id": PROPOSAL,
                    "prospective_employer": {"name": "Bakkerij Het Gouden Korrel", "kvk": None, "place": "Utrecht"},
                    "vacancy_title": "Medewerker broodafdeling",
                    "proposed_on": "2025-09-15",
                    "channel": "vacature",
                    "status": "interview",
                    "status_date": "2025-09-22",
                }
            ],
            "version": 2,
            "created_at": AT,
            "updated_at": AT,
        }
    ],
    "ObligationRead": [PLAN_VAN_AANPAK],
    "CaseCompliance": [
        {
            "case_id": CASE,
            "as_of": "2025-03-03",
            "first_sick_day": "2025-01-06",
            "sick_week": 9,
            "phase": "wachttijd",
            "wachttijd_end": "2027-01-03",
            "verlenging_end": None,
            "loondoorbetaling_end": "2027-01-03",
            "wia_uitkering": None,
            "loonsanctie_risk": True,
            "obligations": [PLAN_VAN_AANPAK],
            "outstanding": {
                "werkgever": [PLAN_VAN_AANPAK],
                "werknemer": [PLAN_VAN_AANPAK],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        }
    ],
    "MedicalStatusRead": [
        {
            "id": MEDICAL,
            "case_id": CASE,
            "version": 1,
            "functional_capacities": {
                "persoonlijk_functioneren": None,
                "sociaal_functioneren": None,
                "fysieke_omgevingseisen": {"level": "beperkt", "note": "Niet tillen boven 10 kg"},
                "dynamische_handelingen": None,
                "statische_houdingen": None,
                "werktijden": {"level": "beperkt", "note": "Vier uur per dag"},
            },
            "available_hours_per_week": 20,
            "prognosis": "volledige_terugkeer",
            "expected_return_on": "2025-06-01",
            "adjustment_advice": "Geen nachtdiensten",
            "assessed_on": "2025-02-10",
            "assessment_kind": "probleemanalyse",
            "bedrijfsarts_name": "dr. A. Bakker",
            "milestone_id": MILESTONE,
            "pushed_by_organization_id": ARBODIENST,
            "pushed_by_key_id": KEY,
            "pushed_at": AT,
        }
    ],
    "EventRead": [
        {
            "id": "5d4c3b2a-1908-4f7e-a6d5-c4b3a2918070",
            "type": "case.created",
            "entity_type": "case",
            "entity_id": CASE,
            "case_id": CASE,
            "occurred_at": AT,
        }
    ],
    "Problem": [
        {
            "type": "https://spoorwijzer.nl/docs/errors#case_closed",
            "code": "case_closed",
            "title": "Conflict",
            "status": 409,
            "detail": "The case is closed; no new track can start.",
            "instance": f"/v1/cases/{CASE}/tracks",
        },
        {
            "type": "https://spoorwijzer.nl/docs/errors#validation_error",
            "code": "validation_error",
            "title": "Unprocessable Content",
            "status": 422,
            "detail": "employee.date_of_birth: Field required",
            "instance": "/v1/cases",
            "errors": [
                {"field": "employee.date_of_birth", "location": "body", "message": "Field required", "type": "missing"}
            ],
        },
        {
            "type": "https://spoorwijzer.nl/docs/errors#stale_version",
            "code": "stale_version",
            "title": "Precondition Failed",
            "status": 412,
            "detail": "The resource has changed (version 3); read it again and retry.",
            "instance": f"/v1/cases/{CASE}",
            "current_version": 3,
        },
    ],
}
