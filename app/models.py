"""Every ORM model, imported once so that Alembic sees the whole schema."""

from app.audit.models import AccessEntry, AuditEntry, Event
from app.auth.models import ApiKey
from app.cases.models import Case
from app.compliance.models import ComplianceItem, ComplianceSnapshot
from app.core.db import Base
from app.core.health import SchemaCompatibility
from app.core.idempotency import IdempotencyRecord
from app.documents.models import DocumentReference
from app.medical.models import MedicalStatusVersion
from app.milestones.models import Milestone
from app.organizations.models import Organization, OrganizationLink
from app.proposals.models import CandidateProposal, ProposalStatusChange
from app.reports.models import ProgressReport
from app.retention.models import RetentionRun
from app.tracks.models import Track

__all__ = [
    "AccessEntry",
    "ApiKey",
    "AuditEntry",
    "Base",
    "CandidateProposal",
    "Case",
    "ComplianceItem",
    "ComplianceSnapshot",
    "DocumentReference",
    "Event",
    "IdempotencyRecord",
    "MedicalStatusVersion",
    "Milestone",
    "Organization",
    "OrganizationLink",
    "ProgressReport",
    "ProposalStatusChange",
    "RetentionRun",
    "SchemaCompatibility",
    "Track",
]
