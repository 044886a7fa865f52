"""official_value: the day each published figure became public

A forecast "as of" a date may use only the figures public by then: a year's statistical
bulletin appears months after the year ends, and the 2020 census on 2021-05-19. ``published``
is that day; ``published_how`` says whether it is the source's own date ("exact") or a stated
rule's ("approx": data/reference/official.py). `urbdash init` fills both from the data files.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("official_value") as batch:
        batch.add_column(sa.Column("published", sa.Date(), nullable=True))
        batch.add_column(sa.Column("published_how", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("official_value") as batch:
        batch.drop_column("published_how")
        batch.drop_column("published")
