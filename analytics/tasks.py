"""Tracking the 37 key tasks: a task's status is its latest update (not started / in
progress / done); ``overdue`` is never stored: it is computed from the deadline and the
evaluation date. Status updates are checked here and written through ``data.store.tasks``."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from data import store
from data.accounts.policy import Principal
from data.reference import periods
from data.reference.plan import PLAN_FIELDS
from data.store import tasks as task_store

STATUSES = ("not_started", "in_progress", "done")  # what an update may say
SHOWN_STATUSES = STATUSES + ("overdue",)  # what the page shows (overdue is computed)


class TaskError(ValueError):
    """A status update that cannot be stored; the message says why."""


def _as_date(as_of: str | date | None) -> date:
    if as_of is None:
        return date.today()
    if isinstance(as_of, date):
        return as_of
    if re.fullmatch(r"\d{4}(Q[1-4])?", as_of):  # a quarter, or a year (= its last quarter)
        return pd.Period(periods.as_of_quarter(as_of), freq="Q").end_time.date()
    return date.fromisoformat(as_of)


def effective_status(reported: str, deadline: str | None, as_of: date) -> str:
    """A task's status at a date.

    Parameters
    ----------
    reported : str
        The latest status reported.
    deadline : str or None
        The task's deadline, "YYYY-MM-DD".
    as_of : datetime.date
        The date.

    Returns
    -------
    str
        ``overdue`` when the deadline has passed and the task is not done; else ``reported``.
    """
    if reported != "done" and isinstance(deadline, str) and date.fromisoformat(deadline) < as_of:
        return "overdue"
    return reported


def task_table(
    tasks: pd.DataFrame, updates: pd.DataFrame, as_of: str | date | None = None
) -> pd.DataFrame:
    """One row per task with its latest update and effective status at a date.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The plan's tasks by number (``data.store.tasks.read_tasks``).
    updates : pandas.DataFrame
        Their status updates, oldest first.
    as_of : str, datetime.date or None
        A date, ``YYYY-MM-DD`` or a quarter (its end); None: today. Updates after it are not
        seen.

    Returns
    -------
    pandas.DataFrame
        The plan's columns, the latest update's and ``status``.
    """
    when = _as_date(as_of)
    frame = tasks.copy()
    seen = updates[pd.to_datetime(updates["at"]).dt.date <= when] if len(updates) else updates
    latest = {u.number: u for u in seen.itertuples(index=False)}
    order = {s: i for i, s in enumerate(dict.fromkeys(frame.section))}
    frame["section_order"] = frame.section.map(order)
    reported = [latest[n].status if n in latest else "not_started" for n in frame.number]
    frame["reported_status"] = reported
    frame["status"] = [
        effective_status(s, d, when) for s, d in zip(reported, frame.deadline, strict=True)
    ]
    for column, name in (
        ("updated_by", "user"),
        ("updated_at", "at"),
        ("note", "note"),
        ("evidence_url", "evidence_url"),
    ):
        frame[column] = [getattr(latest[n], name) if n in latest else None for n in frame.number]
    return frame


def update_task(
    number: int,
    status: str,
    note: str | None,
    evidence_url: str | None,
    user: Principal,
    engine=None,
) -> int:
    """Record a task's status update (kept with who and when; earlier ones are never changed).

    Parameters
    ----------
    number : int
        The task's number in the plan.
    status : str
        One of the statuses.
    note : str or None
        The department's note.
    evidence_url : str or None
        A link to the evidence.
    user : Principal
        Who reports it.
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    int
        The update's id.

    Raises
    ------
    TaskError
        An unknown task or status; nothing is written.
    TextRejected
        A note or evidence link that may not be stored.
    PermissionDenied
        A user whose departments neither lead nor co-lead the task.
    """
    if status not in STATUSES:
        raise TaskError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    try:
        return task_store.add_update(
            engine or store.get_engine(), number, status, note, evidence_url, user
        )
    except task_store.UnknownTask as exc:
        raise TaskError(f"no task number {number} (the plan has tasks 1-{exc.last})") from None


def department_view(frame: pd.DataFrame) -> pd.DataFrame:
    """Per department: its tasks and their effective statuses.

    Parameters
    ----------
    frame : pandas.DataFrame
        The tasks (``task_table``).

    Returns
    -------
    pandas.DataFrame
        Tasks led, co-led (listed but not leading, or each responsible for its part), and
        counts of each effective status over all its tasks; in the order the departments first
        appear in the plan.
    """
    rows: dict[str, dict] = {}
    for t in frame.itertuples(index=False):
        for d in t.departments:
            r = rows.setdefault(
                d, {"department": d, "led": [], "co_led": [], **dict.fromkeys(SHOWN_STATUSES, 0)}
            )
            (r["led"] if d == t.lead else r["co_led"]).append(int(t.number))
            r[t.status] += 1
    out = pd.DataFrame(
        list(rows.values()), columns=["department", "led", "co_led", *SHOWN_STATUSES]
    )
    out.insert(3, "n_led", out.led.map(len))
    out.insert(4, "n_co_led", out.co_led.map(len))
    return out


def tasks_json(frame: pd.DataFrame) -> list[dict]:
    """The fields of ``urbdash tasks --json``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The tasks (``task_table``).

    Returns
    -------
    list of dict
        One per task.
    """
    cols = [
        *PLAN_FIELDS,
        "status",
        "reported_status",
        "updated_by",
        "updated_at",
        "note",
        "evidence_url",
    ]
    records = frame[cols].astype(object).where(frame[cols].notna(), None).to_dict("records")
    for r in records:
        r["number"] = int(r["number"])
        r["each_responsible"] = bool(r["each_responsible"])
    return records
