"""approval, approval_event: the quarter's review cycle (county office submits, city approves
or returns, province approves, release on a date); reminder and the user's e-mail and
language: reminders to offices that have not reported

A store made before this revision published every stored figure at once, so every quarter it
holds starts released (approved at province level, released on the day of the upgrade, by
"upgrade 0009"), with one event and one audit row per quarter saying so. Quarters stored after
the upgrade go through the cycle.

Revision ID: 0009
Revises: 0008
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from geo.regions import PROVINCE_CODE as PROVINCE

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BY = "system"  # the upgrade itself; its audit row says why


def upgrade() -> None:
    approval = op.create_table(
        "approval",
        sa.Column("region_code", sa.String(6), sa.ForeignKey("region.code"), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("by_user", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("release_on", sa.Date(), nullable=True),
        sa.Column("released_by", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("region_code", "period", "level"),
    )
    event = op.create_table(
        "approval_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(6), sa.ForeignKey("region.code"), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("user", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("release_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_approval_event_period", "approval_event", ["period", "region_code"])
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(6), sa.ForeignKey("region.code"), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("stage", sa.String(12), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "period", "stage", name="uq_reminder"),
    )
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lang", sa.String(2), nullable=True))
    bind = op.get_bind()
    stored = [
        r[0]
        for r in bind.execute(
            sa.text("SELECT DISTINCT period FROM observation WHERE is_current ORDER BY period")
        )
    ]
    if (
        not stored
        or not bind.execute(
            sa.text("SELECT 1 FROM region WHERE code = :c"), {"c": PROVINCE}
        ).first()
    ):
        return
    now = datetime.now(UTC)
    note = "released_at_upgrade"  # shown in words by the audit page (audit.value.*)
    op.bulk_insert(
        approval,
        [
            {"region_code": PROVINCE, "period": p, "level": "province", "state": "approved",
             "by_user": BY, "at": now, "comment": note, "release_on": now.date(),
             "released_by": BY}
            for p in stored
        ],
    )  # fmt: skip
    op.bulk_insert(
        event,
        [
            {"region_code": PROVINCE, "period": p, "level": "province", "action": "release",
             "user": BY, "at": now, "comment": note, "release_on": now.date()}
            for p in stored
        ],
    )  # fmt: skip
    audit = sa.table(
        "audit_log",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("user", sa.String),
        sa.column("action", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("target", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    op.bulk_insert(
        audit,
        [{"at": now, "user": BY, "action": "release", "detail": {"periods": stored, "reason": note},
          "target": None, "before": None,
          "after": {"periods": stored, "release_on": now.date().isoformat()}}],
    )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("lang")
        batch.drop_column("email")
    op.drop_table("reminder")
    op.drop_index("ix_approval_event_period", table_name="approval_event")
    op.drop_table("approval_event")
    op.drop_table("approval")
