"""audit_chain: each audit row carries a hash over the previous row's and its own fields

A changed, inserted or deleted audit row is then detected by ``urbdash audit --verify``, on
SQLite too (whose triggers the file's owner can drop). The rows already stored are chained
here, in id order, with the append-only triggers lifted for this one update; ``audit_head``
holds the last row's chain (a deleted last row shows as a head that matches no row).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from data.store.audit_chain import FIELDS, GENESIS, link

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("audit_log", sa.Column("chain", sa.String(length=64), nullable=True))
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("user", sa.String()),
        sa.column("action", sa.String()),
        sa.column("target", sa.String()),
        sa.column("detail", sa.JSON()),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("chain", sa.String()),
    )
    rows = bind.execute(sa.select(log.c.id, *(log.c[f] for f in FIELDS)).order_by(log.c.id))
    previous, chains = GENESIS, []
    for row in rows.mappings():
        previous = link(previous, dict(row))
        chains.append({"row_id": row["id"], "chain": previous})
    if chains:
        pg = bind.dialect.name == "postgresql"
        if pg:
            op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        else:
            op.execute("DROP TRIGGER audit_log_no_update")
        bind.execute(
            log.update()
            .where(log.c.id == sa.bindparam("row_id"))
            .values(chain=sa.bindparam("chain")),
            chains,
        )
        if pg:
            op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        else:
            op.execute(SQLITE_TRIGGERS[0])
    op.bulk_insert(head, [{"id": 1, "chain": previous}])


def downgrade() -> None:
    op.drop_table("audit_head")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("audit_log", "chain")
    else:  # SQLite rebuilds the table to drop a column: the triggers go with it
        with op.batch_alter_table("audit_log") as batch_op:
            batch_op.drop_column("chain")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
