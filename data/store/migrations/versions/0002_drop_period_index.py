"""drop ix_observation_period

A bulk return is written sorted by (region, indicator, period) so the unique index grows in
order; a second index led by period made every insert a random B-tree write (about half the
cost of ingesting 700,000 values). The queries that filter on period alone read the current
rows of one store, which the unique index or a scan serves in milliseconds.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_period")


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index("ix_observation_period", ["period", "indicator_code"], unique=False)
