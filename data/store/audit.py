"""The audit trail: one appended record per change, written in the transaction of the change
(a change that fails leaves no audit row, an audit row that fails undoes the change). The table
is append-only: this module has no update or delete, and triggers refuse them in the database.

Rows are chained (``data.store.audit_chain``): the records of a transaction are appended when
it commits, after the head row (``audit_head``) is taken FOR UPDATE, so the chain is one line
in commit order on PostgreSQL as on SQLite, and the lock is held only for the commit.
``verify`` walks the chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from data.accounts.policy import Principal
from data.store.audit_chain import FIELDS, GENESIS, first_break, link
from data.store.engine import Engine, reader
from data.store.models import AuditHead, AuditLog

PENDING = "urbdash_audit_rows"  # Session.info key: this transaction's records, in order

COLUMNS = ["id", "at", "user", "action", "target", "before", "after", "detail"]


def record(
    sess,
    user: Principal | str,
    action: str,
    detail: dict | None = None,
    target: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Append who did what to which, with the values before and after, to the open session.

    Parameters
    ----------
    sess : Session
        The transaction.
    user : Principal or str
        Who.
    action : str
        What.
    detail : dict or None
        Further facts.
    target : str or None
        To which.
    before, after : dict or None
        The values before and after.
    """
    name = user.name if isinstance(user, Principal) else str(user)
    row = {"at": datetime.now(UTC), "user": name[:80], "action": action, "detail": detail or {},
           "target": target, "before": before, "after": after}  # fmt: skip
    sess.info.setdefault(PENDING, []).append(row)


def record_many(sess, user: Principal | str, action: str, rows: list[dict]) -> None:
    """Append one record per item in one statement, in order.

    Parameters
    ----------
    sess : Session
        The transaction.
    user : Principal or str
        Who.
    action : str
        What.
    rows : list of dict
        Each with detail, target, before, after.
    """
    name = (user.name if isinstance(user, Principal) else str(user))[:80]
    now = datetime.now(UTC)
    sess.info.setdefault(PENDING, []).extend(
        {"at": now, "user": name, "action": action, "detail": r.get("detail") or {},
         "target": r.get("target"), "before": r.get("before"), "after": r.get("after")}
        for r in rows
    )  # fmt: skip


@event.listens_for(Session, "before_commit")
def _append(sess: Session) -> None:
    """The transaction's records, chained after the head and inserted, as it commits."""
    rows = sess.info.pop(PENDING, None)
    if not rows:
        return
    head = sess.get(AuditHead, 1, with_for_update=True)
    previous = head.chain if head is not None else GENESIS
    for row in rows:
        previous = row["chain"] = link(previous, row)
    sess.execute(insert(AuditLog), rows)
    if head is None:
        sess.add(AuditHead(id=1, chain=previous))
    else:
        head.chain = previous


def verify(engine: Engine) -> dict:
    """Walk the audit chain.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    dict
        ``ok``, how many rows were checked, and where it first breaks (``broken_at``: a row
        id; -1 when rows after the last one are gone), with that row.
    """
    with reader(engine) as sess:
        head = sess.scalar(select(AuditHead.chain).where(AuditHead.id == 1))
        result = sess.execute(
            select(AuditLog.id, AuditLog.chain, *(getattr(AuditLog, f) for f in FIELDS))
            .order_by(AuditLog.id)
            .execution_options(yield_per=2000)
        )
        broken, n = first_break(result.mappings(), head)
    return {"ok": broken is None, "rows": n, "broken_at": broken, "head": head}


def read_audit(
    engine: Engine,
    since: datetime | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit records, newest first.

    Parameters
    ----------
    engine : Engine
        The store.
    since : datetime.datetime or None
        Only those from then on.
    user : str or None
        Only this user's.
    action : str or None
        Only this action's.
    limit : int or None
        At most this many.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``.
    """
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if since is not None:
        stmt = stmt.where(AuditLog.at >= since)
    if user:
        stmt = stmt.where(AuditLog.user == user)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if limit:
        stmt = stmt.limit(limit)
    with reader(engine) as sess:
        rows = [{c: getattr(r, c) for c in COLUMNS} for r in sess.execute(stmt).scalars()]
    return pd.DataFrame(rows, columns=COLUMNS)


def confirmed_flags(engine: Engine) -> pd.DataFrame:
    """The warnings confirmed on committed returns, by the value they were about.

    From the ingest and revise records.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        region_code, period, rule, n.
    """
    stmt = select(AuditLog.detail).where(AuditLog.action.in_(("ingest", "revise")))
    with reader(engine) as sess:
        details = sess.execute(stmt).scalars().all()
    rows = [tuple(f) for d in details for f in (d or {}).get("flags", [])]
    return pd.DataFrame(rows, columns=["region_code", "period", "rule", "n"])


def read_rows_after(engine: Engine, last_id: int) -> list[dict]:
    """Every audit row with an id above ``last_id``, oldest first (what a restore carries).

    Parameters
    ----------
    engine : Engine
        The store.
    last_id : int
        The last id already held.

    Returns
    -------
    list of dict
        The rows; none when the store cannot be read (a store being replaced because it
        broke).
    """
    from sqlalchemy.exc import SQLAlchemyError

    cols = ["at", "user", "action", "detail", "target", "before", "after"]
    try:
        with reader(engine) as sess:
            rows = sess.execute(
                select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id)
            ).scalars()
            return [{c: getattr(r, c) for c in cols} for r in rows]
    except SQLAlchemyError:
        return []


def carry(sess, rows: list[dict]) -> None:
    """Append rows read by ``read_rows_after`` (their own times kept), in order.

    Chained in the store they are carried into.

    Parameters
    ----------
    sess : Session
        The transaction.
    rows : list of dict
        The rows.
    """
    sess.info.setdefault(PENDING, []).extend(dict(row) for row in rows)
