"""The audit trail: one appended record per change, written in the transaction of the change
(a change that fails leaves no audit row, an audit row that fails undoes the change). The table
is append-only: this module has no update or delete, and triggers refuse them in the database."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from data.accounts.policy import Principal
from data.store.engine import Engine, reader
from data.store.models import AuditLog

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
    """Append who did what to which (``target``), with the values before and after, to the
    open session."""
    name = user.name if isinstance(user, Principal) else str(user)
    sess.add(
        AuditLog(
            user=name[:80],
            action=action,
            detail=detail or {},
            target=target,
            before=before,
            after=after,
        )
    )


def record_many(sess, user: Principal | str, action: str, rows: list[dict]) -> None:
    """Append one record per item of ``rows`` (each with detail, target, before, after) in
    one statement, in order."""
    from datetime import UTC
    from datetime import datetime as _dt

    from sqlalchemy import insert

    name = (user.name if isinstance(user, Principal) else str(user))[:80]
    now = _dt.now(UTC)
    sess.execute(
        insert(AuditLog),
        [
            {"at": now, "user": name, "action": action, "detail": r.get("detail") or {},
             "target": r.get("target"), "before": r.get("before"), "after": r.get("after")}
            for r in rows
        ],
    )  # fmt: skip


def read_audit(
    engine: Engine,
    since: datetime | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit records (``COLUMNS``), newest first, filtered by time, user and action."""
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
    """The warnings confirmed on committed returns, by the value they were about (from the
    ingest and revise records): region_code, period, rule, n."""
    stmt = select(AuditLog.detail).where(AuditLog.action.in_(("ingest", "revise")))
    with reader(engine) as sess:
        details = sess.execute(stmt).scalars().all()
    rows = [tuple(f) for d in details for f in (d or {}).get("flags", [])]
    return pd.DataFrame(rows, columns=["region_code", "period", "rule", "n"])


def read_rows_after(engine: Engine, last_id: int) -> list[dict]:
    """Every audit row with an id above ``last_id``, oldest first (what a restore carries);
    none when the store cannot be read (a store being replaced because it broke)."""
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
    """Append rows read by ``read_rows_after`` (their own times kept), in order."""
    for row in rows:
        sess.add(AuditLog(**row))
    sess.flush()
