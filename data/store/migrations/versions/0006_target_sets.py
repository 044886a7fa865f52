"""target_set: named groups of targets with their source (2015 interim, 2020 plan, and any an
admin adds); target.set_name says which group a target belongs to

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "target_set",
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("target") as batch:
        batch.add_column(sa.Column("set_name", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("target") as batch:
        batch.drop_column("set_name")
    op.drop_table("target_set")
