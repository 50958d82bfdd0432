"""Every ORM model, imported once so that Alembic sees the whole schema."""

from app.audit.models import AccessEntry, AuditEntry, Event
from app.auth.models import ApiKey
from app.calendar.models import CalendarFeed, CalendarOccurrence
from app.cases.models import Case
from app.compliance.models import ComplianceCount, ComplianceItem, ComplianceSnapshot
from app.core.db import Base
from app.core.health import SchemaCompatibility
from app.core.idempotency import IdempotencyRecord
from app.deadlines.models import DeadlineTransition
from app.documents.models import DocumentReference
from app.imports.models import Import, ImportLine
from app.medical.models import MedicalStatusVersion
from app.milestones.models import Milestone
from app.organizations.models import Organization, OrganizationLink
from app.proposals.models import CandidateProposal, ProposalStatusChange
from app.reports.models import ProgressReport
from app.retention.models import RetentionRun
from app.tracks.models import Track
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessEntry",
    "ApiKey",
    "AuditEntry",
    "Base",
    "CalendarFeed",
    "CalendarOccurrence",
    "CandidateProposal",
    "Case",
    "ComplianceCount",
    "ComplianceItem",
    "ComplianceSnapshot",
    "DeadlineTransition",
    "DocumentReference",
    "Event",
    "IdempotencyRecord",
    "Import",
    "ImportLine",
    "MedicalStatusVersion",
    "Milestone",
    "Organization",
    "OrganizationLink",
    "ProgressReport",
    "ProposalStatusChange",
    "RetentionRun",
    "SchemaCompatibility",
    "Track",
    "WebhookDelivery",
    "WebhookEndpoint",
]
