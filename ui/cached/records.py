"""The workflow's records: submissions, the review cycle, the key tasks and their updates,
saved scenarios, accounts, the audit trail and the reminder log. Accounts, the audit and the
reminder log are read on every run (sign-ins and the reminder timer write them too)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cached.store import _lang, engine, registry


@st.cache_data(show_spinner=False, max_entries=32)
def tasks_frame(as_of: str) -> pd.DataFrame:
    from analytics.tasks import task_table
    from data.store.tasks import read_tasks

    return task_table(*read_tasks(engine()), as_of)


@st.cache_data(show_spinner=False)
def saved_scenarios() -> pd.DataFrame:
    from data.store.scenarios import read_scenarios

    return read_scenarios(engine())


@st.cache_data(show_spinner=False)
def submissions() -> pd.DataFrame:
    from data.intake.ingest import list_submissions

    return list_submissions(engine())


def annotated_copy(content: bytes, problems: list, lang: str) -> bytes:
    """The uploaded workbook with each finding marked in its cell."""
    from data.intake.annotate import annotate

    return annotate(content, problems, lang)


def review(period: str):
    """Every office's state in the review cycle of ``period`` (``analytics.review``)."""
    from datetime import date

    return _review(period, date.today().isoformat(), _lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _review(period: str, today: str, lang: str):
    from datetime import date

    from analytics.review import review as state
    from data.store.approvals import read_review

    return state(read_review(engine(), period), registry(), date.fromisoformat(today))


@st.cache_data(show_spinner=False, max_entries=16)
def review_events(period: str) -> pd.DataFrame:
    from data.store.approvals import read_events

    return read_events(engine(), period)


def reviewers(codes: tuple[str, ...]) -> dict[str, str]:
    """Each county's reviewer: its city, or the province for 杨凌示范区."""
    from data.store.approvals import places

    return {c: p.reviewer for c, p in places(codes).items()}


@st.cache_data(show_spinner=False)
def task_updates() -> pd.DataFrame:
    from data.store.tasks import read_updates

    return read_updates(engine())


def users() -> pd.DataFrame:
    """Every account (read on every run: lock-outs are written by sign-ins, not by pages)."""
    from data.store.users import list_users

    return list_users(engine())


def audit(since, who: str | None, action: str | None) -> pd.DataFrame:
    """The audit trail, filtered (read on every run: an admin sees the newest record)."""
    from data.store.audit import read_audit

    return read_audit(engine(), since, who, action)


def reminder_log() -> pd.DataFrame:
    from data.store.reminders import read_log

    return read_log(engine())


__all__ = [
    "tasks_frame",
    "saved_scenarios",
    "submissions",
    "annotated_copy",
    "review",
    "review_events",
    "reviewers",
    "task_updates",
    "users",
    "audit",
    "reminder_log",
]
