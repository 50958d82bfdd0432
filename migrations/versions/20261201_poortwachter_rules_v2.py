"""poortwachter rules v2

The milestone fields of domain section 4 (v2) and the snapshot columns the portfolio needs for the v2 statuses.
Data: a v1 `wia_beslissing` gets the `uitkering` its percentage implies where it is unambiguous (below 35: geen;
35 to 79: wga; from 80 it may be wga or iva, so it stays null and the decision is re-recorded). A v1 `afwijking`
has no `new_due_on`: it stays readable but no longer counts in the rules; the upgrade prints how many there are so
an operator knows to re-record them. Stored compliance snapshots are of rules version 2: they are deleted here (the
portfolio evaluates cases without a current snapshot directly) and rebuilt at start or by `refresh-compliance`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:30:00+00:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("spoorwijzer.migrations")

_MILESTONE_COLUMNS = (
    sa.Column("new_due_on", sa.Date(), nullable=True),
    sa.Column("geen_benutbare_mogelijkheden", sa.Boolean(), nullable=True),
    sa.Column("casemanager", sa.Text(), nullable=True),
    sa.Column("uitkering", sa.String(length=10), nullable=True),
    sa.Column("hours_per_week", sa.Numeric(4, 2), nullable=True),
    sa.Column("werk", sa.String(length=20), nullable=True),
    sa.Column("hersteld", sa.Boolean(), nullable=True),
    sa.Column("agreement", sa.String(length=10), nullable=True),
)


def upgrade() -> None:
    for column in _MILESTONE_COLUMNS:
        op.add_column("milestones", column)
    op.create_check_constraint(
        op.f("ck_milestones_hours_range"),
        "milestones",
        "hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 60)",
    )
    op.execute(
        "UPDATE milestones SET uitkering = CASE WHEN percentage < 35 THEN 'geen' ELSE 'wga' END "
        "WHERE type = 'wia_beslissing' AND uitkering IS NULL AND percentage < 80"
    )
    op.execute("UPDATE milestones SET geen_benutbare_mogelijkheden = false WHERE type = 'probleemanalyse'")
    op.add_column("compliance_snapshots", sa.Column("pay_ends_on", sa.Date(), nullable=True))
    op.add_column("compliance_items", sa.Column("waived_through", sa.Date(), nullable=True))
    op.add_column(
        "compliance_items",
        sa.Column("lapses_with_pay", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.execute("DELETE FROM compliance_snapshots")  # the items go with them (ON DELETE CASCADE)
    if not context.is_offline_mode():
        bind = op.get_bind()
        old = bind.scalar(sa.text("SELECT count(*) FROM milestones WHERE type = 'afwijking' AND new_due_on IS NULL"))
        unsure = bind.scalar(
            sa.text("SELECT count(*) FROM milestones WHERE type = 'wia_beslissing' AND uitkering IS NULL")
        )
        # A log line (JSON in the service's log format); the CLI's stdout is its JSON answer.
        log.warning(
            f"rules v2: {old} afwijking milestone(s) without new_due_on no longer count (re-record them with "
            f"new_due_on); {unsure} wia_beslissing milestone(s) of 80% or more need their uitkering (wga or iva) "
            "re-recorded; compliance snapshots are rebuilt at start or by `spoorwijzer refresh-compliance`"
        )


def downgrade() -> None:
    op.execute("DELETE FROM compliance_snapshots")  # v1 snapshots are rebuilt by the v1 code
    op.drop_column("compliance_items", "lapses_with_pay")
    op.drop_column("compliance_items", "waived_through")
    op.drop_column("compliance_snapshots", "pay_ends_on")
    op.drop_constraint(op.f("ck_milestones_hours_range"), "milestones", type_="check")
    # v1 knows none of the v2 types: their rows go (v1 rules would reject them as unknown types).
    op.execute(
        "DELETE FROM milestones WHERE type IN ('oordeel_werknemer', 'spoor_2_niet_ingezet', "
        "'gedeeltelijke_hervatting', 'einde_dienstverband', 'ziekmelding_uit_dienst', "
        "'reintegratieverslag_uit_dienst', 'herstelmelding', 'herstelbeslissing')"
    )
    for column in reversed(_MILESTONE_COLUMNS):
        op.drop_column("milestones", column.name)
