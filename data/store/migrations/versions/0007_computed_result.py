"""computed_result: heavy results (forecasts, backtests, calibration, nowcast) computed once per
store version by a worker outside the page run, with a lease so that a killed worker's job is
taken over, and kept for every replica to read

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "computed_result",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("params", sa.String(400), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("store_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(20), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "params", "method", "store_version", name="uq_result_key"),
    )
    op.create_index("ix_result_status", "computed_result", ["status"])


def downgrade() -> None:
    op.drop_index("ix_result_status", "computed_result")
    op.drop_table("computed_result")
