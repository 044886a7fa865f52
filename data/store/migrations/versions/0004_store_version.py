"""store_version: one row whose counter every write of returns bumps first

Taking this row's lock first serialises the writers of observations on every backend (SQLite
takes its write lock at BEGIN IMMEDIATE as well), so a revision compares the file with what is
stored at commit time, never with a state another writer has since replaced. The counter also
tells caches that the store has changed.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("store_version")
