"""The audit trail: one appended record per change, written in the transaction of the change."""

from __future__ import annotations

from data.store.models import AuditLog


def record(sess, user: str, action: str, detail: dict) -> None:
    """Append who did what (``detail``: the change's ids and values) to the open session."""
    sess.add(AuditLog(user=user, action=action, detail=detail))
