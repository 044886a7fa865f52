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
    """``overdue`` when the deadline has passed and the task is not done."""
    if reported != "done" and isinstance(deadline, str) and date.fromisoformat(deadline) < as_of:
        return "overdue"
    return reported


def list_tasks(engine=None, as_of: str | date | None = None) -> pd.DataFrame:
    """One row per task with its latest update and effective status at ``as_of``
    (a date, ``YYYY-MM-DD`` or a quarter; default today)."""
    when = _as_date(as_of)
    frame, updates = task_store.read_tasks(engine or store.get_engine())
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


def task_updates(engine=None, number: int | None = None) -> pd.DataFrame:
    """Every status update (newest first), optionally of one task."""
    return task_store.read_updates(engine or store.get_engine(), number)


def update_task(
    number: int,
    status: str,
    note: str | None,
    evidence_url: str | None,
    user: Principal,
    engine=None,
) -> int:
    """Record a status update (kept with who and when; earlier ones are never changed).

    Raises TaskError for an unknown task or status; the store refuses (TextRejected) a note
    or evidence link that may not be stored and (PermissionDenied) a user whose departments
    neither lead nor co-lead the task. Nothing is written then.
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
    """Per department: tasks led, co-led (listed but not leading, or each responsible for its
    part), and counts of each effective status over all its tasks. Rows in the order the
    departments first appear in the plan."""
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
    """The fields of ``urbdash tasks --json``."""
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
