"""Tasks and their status updates in the store (SQL only; the rules are in analytics.tasks)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from data.accounts.policy import Principal, require
from data.reference.plan import PLAN_FIELDS, ParsedTask
from data.store import audit
from data.store.engine import reader, transaction
from data.store.models import Task, TaskUpdate
from data.store.version import lock_store
from data.typed_text import clean_text, clean_url

UPDATE_COLUMNS = ["id", "number", "status", "note", "evidence_url", "user", "at"]


class UnknownTask(LookupError):
    """No task has this number; ``last`` is the highest number the plan has."""

    def __init__(self, number: int, last: int):
        super().__init__(number)
        self.number, self.last = number, last


def load_plan(sess, tasks: list[ParsedTask]) -> int:
    """(Re)load the parsed tasks into the store; status updates are kept.

    Parameters
    ----------
    sess : Session
        The transaction.
    tasks : list of ParsedTask
        The plan's tasks.

    Returns
    -------
    int
        The tasks loaded.
    """
    numbers = [t.number for t in tasks]
    sess.execute(delete(Task).where(Task.number.not_in(numbers)))
    existing = {t.number: t for t in sess.execute(select(Task)).scalars()}
    for t in tasks:
        row = existing.get(t.number) or Task(number=t.number)
        for name in PLAN_FIELDS[1:]:
            setattr(row, name, getattr(t, name))
        sess.add(row)
    return len(tasks)


def read_tasks(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every task as the plan states it and every update.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.DataFrame)
        The tasks by number, and the updates oldest first.
    """
    with reader(engine) as sess:
        tasks = sess.execute(select(Task).order_by(Task.number)).scalars().all()
        updates = sess.execute(select(TaskUpdate).order_by(TaskUpdate.id)).scalars().all()
        task_rows = [
            {
                "number": t.number,
                "number_zh": t.number_zh,
                "section": t.section,
                "text": t.text,
                "departments": list(t.departments or []),
                "lead": t.lead,
                "each_responsible": bool(t.each_responsible),
                "deadline": t.deadline,
            }
            for t in tasks
        ]
        update_rows = [_update_row(u) for u in updates]
    return (
        pd.DataFrame(task_rows, columns=list(PLAN_FIELDS)),
        pd.DataFrame(update_rows, columns=UPDATE_COLUMNS),
    )


def _update_row(u: TaskUpdate) -> dict:
    return {
        "id": u.id,
        "number": u.task_number,
        "status": u.status,
        "note": u.note,
        "evidence_url": u.evidence_url,
        "user": u.user,
        "at": pd.Timestamp(u.at).isoformat(),
    }


def read_updates(engine: Engine, number: int | None = None) -> pd.DataFrame:
    """Every status update, newest first.

    Parameters
    ----------
    engine : Engine
        The store.
    number : int or None
        Only this task's.

    Returns
    -------
    pandas.DataFrame
        One row per update.
    """
    stmt = select(TaskUpdate).order_by(TaskUpdate.id.desc())
    if number is not None:
        stmt = stmt.where(TaskUpdate.task_number == number)
    with reader(engine) as sess:
        rows = [_update_row(u) for u in sess.execute(stmt).scalars()]
    return pd.DataFrame(rows, columns=UPDATE_COLUMNS)


def add_update(
    engine: Engine,
    number: int,
    status: str,
    note: str | None,
    evidence_url: str | None,
    user: Principal,
) -> int:
    """Append a status update and its audit record (status before and after) in one transaction.

    Parameters
    ----------
    engine : Engine
        The store.
    number : int
        The task.
    status : str
        The new status.
    note : str or None
        The department's note.
    evidence_url : str or None
        A link to the evidence.
    user : Principal
        Who reports it.

    Returns
    -------
    int
        The update's id.

    Raises
    ------
    UnknownTask
        No such task.
    PermissionDenied
        Unless one of ``user``'s departments leads or co-leads the task.
    TextRejected
        A note or link that may not be stored.
    """
    note = clean_text(note, "note")
    evidence_url = clean_url(evidence_url)
    with transaction(engine) as sess:
        lock_store(sess)
        task = sess.get(Task, number)
        if task is None:
            raise UnknownTask(number, sess.scalar(select(func.max(Task.number))) or 0)
        require(user, "task_update", task_departments=list(task.departments or []))
        last = sess.scalars(
            select(TaskUpdate.status)
            .where(TaskUpdate.task_number == number)
            .order_by(TaskUpdate.id.desc())
            .limit(1)
        ).first()
        upd = TaskUpdate(
            task_number=number, status=status, note=note, evidence_url=evidence_url, user=user.name
        )
        sess.add(upd)
        sess.flush()
        audit.record(
            sess,
            user,
            "task_update",
            {"update_id": upd.id},
            target=f"task {number}",
            before={"status": last},
            after={"status": status, "note": note, "evidence_url": evidence_url},
        )
        return upd.id
