"""An import job and its lines: the lines wait in the database, so a restart resumes where it stopped."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

IMPORT_STATUSES = ("queued", "running", "done")
LINE_STATUSES = ("pending", "created", "existing", "failed")


class Import(Base):
    __tablename__ = "imports"
    __table_args__ = (
        CheckConstraint(f"status IN {IMPORT_STATUSES}", name="status"),
        Index("ix_imports_bureau_created", "bureau_id", "created_at", "id"),
        # The worker's claim looks only at unfinished imports.
        Index("ix_imports_unfinished", "created_at", postgresql_where=text("status <> 'done'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    bureau_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # The key that posted it: the bundles are created as that key (audit rows name it); null from the CLI.
    key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    total: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer, server_default="0")
    existing: Mapped[int] = mapped_column(Integer, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportLine(Base):
    __tablename__ = "import_lines"
    __table_args__ = (
        CheckConstraint(f"status IN {LINE_STATUSES}", name="status"),
        Index("ix_import_lines_pending", "import_id", "line_no", postgresql_where=text("status = 'pending'")),
    )

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    # The parsed bundle while pending, encrypted (app/imports/service.py::seal) as a JSON string; cleared once
    # processed (the case data then lives in the case).
    payload: Mapped[str | None] = mapped_column(JSONB)
    external_ref: Mapped[str | None] = mapped_column(String(100))
    # Created ids, or the problem (field, message).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
