"""signin_guard: wrong passwords counted per account and client address

A lock-out per account let anyone who knows a user name keep that user out; failures are now
counted per (account, client address), under the account's row lock (no lost increment when
many arrive at once), with a lock that doubles with each further failure from that address.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_guard",
        sa.Column("user_name", sa.String(80), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_name", "client"),
    )


def downgrade() -> None:
    op.drop_table("signin_guard")
