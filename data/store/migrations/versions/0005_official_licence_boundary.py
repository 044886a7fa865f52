"""official_value: the licence of every published value and the boundary it counts by

The county census figures come from a census yearbook under its own licence and count people by
administrative boundary, while the city census bulletins count by management boundary (西安市,
咸阳市 and 杨凌示范区 differ). Both facts travel with each value so that no page sums across
boundaries and every value can be cited with its licence.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("official_value") as batch:
        batch.add_column(sa.Column("licence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("boundary", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("official_value") as batch:
        batch.drop_column("boundary")
        batch.drop_column("licence")
