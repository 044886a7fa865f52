"""Reminders in the store (SQL only): a stage is claimed for an office and quarter before its
mail is sent (the unique key makes a second claim fail, so two runs at once never send it
twice), then marked sent or failed (a failed one is claimed again by a later run)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from data.store import audit
from data.store.engine import Engine, frame, reader, transaction
from data.store.models import Reminder
from data.store.observations import ReportingState, reporting_state
from data.store.users import contacts

LOG_COLUMNS = ["at", "region_code", "period", "stage", "recipients", "status", "error"]


def claim(
    engine: Engine, offices: list[str], period: str, stage: str, recipients: list[str]
) -> list[str]:
    """Claim a reminder stage for each office, one transaction each.

    One taken elsewhere does not spoil the rest.

    Parameters
    ----------
    engine : Engine
        The store.
    offices : list of str
        The offices' codes.
    period : str
        The quarter.
    stage : str
        The reminder stage.
    recipients : list of str
        The addresses written to.

    Returns
    -------
    list of str
        The offices claimed now.
    """
    got = []
    for code in offices:
        try:
            with transaction(engine) as sess:
                row = sess.scalar(
                    select(Reminder).where(
                        Reminder.region_code == code,
                        Reminder.period == period,
                        Reminder.stage == stage,
                    )
                )
                if row is None:
                    sess.add(
                        Reminder(
                            region_code=code, period=period, stage=stage,
                            recipients=recipients, status="sending", at=datetime.now(UTC),
                        )
                    )  # fmt: skip
                elif row.status == "failed":
                    taken = sess.execute(
                        update(Reminder)
                        .where(Reminder.id == row.id, Reminder.status == "failed")
                        .values(status="sending", recipients=recipients, at=datetime.now(UTC))
                    ).rowcount
                    if not taken:
                        continue
                else:
                    continue
            got.append(code)
        except IntegrityError:  # another run claimed it first
            continue
    return got


def finish(engine: Engine, offices: list[str], period: str, stage: str, error: str | None) -> None:
    """Mark the claimed stage sent (or failed, with the error), audited once for the group.

    Parameters
    ----------
    engine : Engine
        The store.
    offices : list of str
        The offices' codes.
    period : str
        The quarter.
    stage : str
        The reminder stage.
    error : str or None
        The error; None: sent.
    """
    with transaction(engine) as sess:
        sess.execute(
            update(Reminder)
            .where(
                Reminder.region_code.in_(offices),
                Reminder.period == period,
                Reminder.stage == stage,
                Reminder.status == "sending",
            )
            .values(status="failed" if error else "sent", error=error, at=datetime.now(UTC))
        )
        audit.record(
            sess,
            "system",
            "remind",
            {"period": period, "stage": stage, "regions": offices, "error": error},
            target=f"reminder {period} {stage}",
        )


def sent_stages(engine: Engine, periods: list[str]) -> set[tuple[str, str, str]]:
    """The stages already claimed, sent or being sent (not failed).

    Parameters
    ----------
    engine : Engine
        The store.
    periods : list of str
        The quarters looked at.

    Returns
    -------
    set of tuple of (str, str, str)
        (office, period, stage).
    """
    with reader(engine) as sess:
        rows = sess.execute(
            select(Reminder.region_code, Reminder.period, Reminder.stage).where(
                Reminder.period.in_(periods), Reminder.status != "failed"
            )
        ).all()
    return {tuple(r) for r in rows}


def read_log(engine: Engine, limit: int = 500) -> pd.DataFrame:
    """The reminders, newest first.

    Parameters
    ----------
    engine : Engine
        The store.
    limit : int
        At most this many.

    Returns
    -------
    pandas.DataFrame
        ``LOG_COLUMNS``.
    """
    stmt = select(*(getattr(Reminder, c) for c in LOG_COLUMNS)).order_by(Reminder.id.desc())
    with reader(engine) as sess:
        rows = sess.execute(stmt.limit(limit)).all()
    return frame(rows, LOG_COLUMNS)


class ReminderRecords(NamedTuple):
    """What planning the reminders reads: who has reported what, the people with an e-mail
    address (``data.store.users.contacts``) and the (office, quarter, stage) reminders
    already sent for the quarters in the window."""

    state: ReportingState
    people: pd.DataFrame
    sent: set[tuple[str, str, str]]


def read_reminder_records(engine: Engine, periods: list[str]) -> ReminderRecords:
    """Read what a reminders run plans from, once.

    Parameters
    ----------
    engine : Engine
        The store.
    periods : list of str
        The quarters in their reminder window (``analytics.reminders.window``).

    Returns
    -------
    ReminderRecords
        The reporting state, the contacts and the stages sent.
    """
    return ReminderRecords(reporting_state(engine), contacts(engine), sent_stages(engine, periods))
