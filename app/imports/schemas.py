"""Wire shapes of imports: a bundle per line (a case with everything that hangs under it), and the job's progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from app.cases.schemas import CaseCreate, ExternalRef
from app.core.schemas import DossierDate, ReadModel
from app.milestones.schemas import MilestoneCreate
from app.proposals.schemas import ProposalCreate
from app.reports.schemas import ReportCreate
from app.tracks.schemas import EndReason, TrackCreate

MAX_BUNDLES = 10_000


class BundleReport(ReportCreate):
    submitted_on: DossierDate | None = Field(default=None, description="Set: the report is submitted on that day")


class BundleTrack(TrackCreate):
    ended_on: DossierDate | None = Field(default=None, description="Set (with end_reason): the track has ended")
    end_reason: EndReason | None = None
    candidate_proposals: list[ProposalCreate] = Field(default_factory=list, max_length=500)
    progress_reports: list[BundleReport] = Field(default_factory=list, max_length=200)


class CaseBundle(CaseCreate):
    """One line of an import: a case as POST /v1/cases takes it, with its milestones and tracks (each track with
    its candidate proposals and progress reports). `external_ref` is required: it makes the import idempotent."""

    external_ref: ExternalRef = Field(description="The bureau's own id: a bundle whose case exists is skipped")
    milestones: list[MilestoneCreate] = Field(default_factory=list, max_length=500)
    tracks: list[BundleTrack] = Field(default_factory=list, max_length=50)


ImportStatus = Literal["queued", "running", "done"]
LineStatus = Literal["pending", "created", "existing", "failed"]


class ImportRead(ReadModel):
    id: uuid.UUID
    status: ImportStatus = Field(description="`queued`, `running`, then `done` once every line is processed")
    total: int = Field(description="Bundles (lines) in the file")
    done: int = Field(description="Lines processed so far: created + existing + failed")
    created: int = Field(description="Bundles whose case and facts were created")
    existing: int = Field(description="Bundles skipped because a case with their external_ref already exists")
    failed: int = Field(description="Bundles refused whole (nothing of them was created); see the lines")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class LineProblem(ReadModel):
    status: int = Field(description="The HTTP status the same request would have answered (409, 422, ...)")
    field: str | None = Field(description="Dotted path inside the bundle, e.g. `tracks.0.progress_reports.1.period`")
    message: str


class ImportLineRead(ReadModel):
    line: int = Field(description="Line number in the file, from 1")
    status: LineStatus
    external_ref: str | None
    created: dict[str, Any] | None = Field(
        description="The ids made: `case_id`, `milestone_ids`, `tracks` (each `track_id`, `report_ids`, "
        "`proposal_ids`); for `existing`, `case_id` of the case that was there"
    )
    problem: LineProblem | None
