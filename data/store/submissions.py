"""Submissions in the store: one per quarter of an uploaded workbook, its values, its history
(SQL only; ``data.intake.ingest`` decides what may be written)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from data.accounts.policy import Principal, require
from data.store import audit, quarter_locks
from data.store.engine import frame, get_engine, reader, transaction
from data.store.models import Observation, Submission
from data.store.observations import (
    STORE_KEY,
    county_quarters,
    current_at,
    insert_values,
    supersede,
)
from data.store.version import lock_store


def committed_with(engine: Engine, sha256: str) -> int | None:
    """The id of the committed submission of a file with this sha256, if any.

    Parameters
    ----------
    engine : Engine
        The store.
    sha256 : str
        The file's hash.

    Returns
    -------
    int or None
        The submission's id.
    """
    with reader(engine) as sess:
        return sess.scalar(
            select(Submission.id)
            .where(Submission.sha256 == sha256, Submission.status == "committed")
            .order_by(Submission.id)
            .limit(1)
        )


class WriteConflict(Exception):
    """The stored values a file was checked against changed before it could be written (another
    submission or a revert landed in between): nothing of it was written; check it again."""

    def __init__(self, changed: int):
        super().__init__(f"{changed} stored value(s) changed since the file was checked")
        self.changed = changed


def _changed_since_check(sess, expected: pd.DataFrame) -> int:
    """How many of the file's keys hold, now, another value than the ``old`` it was compared
    with (NaN: nothing was stored)."""
    now = current_at(sess, expected).rename(columns={"value": "now"})
    if now.empty:  # nothing stored at these keys now: changed where something was
        return int(expected.old.notna().sum())
    both = expected[[*STORE_KEY, "old"]].merge(now, on=list(STORE_KEY), how="left")
    differ = both.old.isna() != both.now.isna()
    differ |= both.old.notna() & both.now.notna() & (both.old != both.now)
    return int(differ.sum())


def write_submissions(
    sess,
    sha256: str,
    filename: str,
    content: bytes,
    user: Principal,
    n_rows: int,
    write: pd.DataFrame,
    is_demo: bool,
    expected: pd.DataFrame | None = None,
    received_at: datetime | None = None,
) -> dict[str, int]:
    """One submission per quarter of a return, the values it revises superseded, its new values.

    A file of several quarters is reviewed, reverted and counted quarter by quarter, as if each
    had been sent alone. Runs inside the caller's transaction, after checking that ``user`` may
    write every region of it, taking the store's write turn, checking that no quarter it writes
    is approved (else quarter_locks.Locked) and (``expected``) that nothing it was compared with
    has changed since (else WriteConflict). A returned quarter it writes is submitted again. The
    file's bytes are kept once, with the first quarter's submission.

    Parameters
    ----------
    sess : Session
        The transaction.
    sha256 : str
        The file's hash.
    filename : str
        The file's name.
    content : bytes
        The file.
    user : Principal
        Who sends it.
    n_rows : int
        The file's data rows.
    write : pandas.DataFrame
        The values to store (rows with an ``old`` value revise one).
    is_demo : bool
        Demo data.
    expected : pandas.DataFrame or None
        Every key of the file with the ``old`` value it was compared with.
    received_at : datetime.datetime or None
        When the return was received, for one loaded after the fact (the demo's calendar);
        None: now.

    Returns
    -------
    dict of str to int
        Each quarter's submission id.
    """
    require(user, "ingest", regions=write.region_code.unique().tolist())
    lock_store(sess)
    pairs = county_quarters(write)
    quarter_locks.check_unlocked(sess, pairs)
    if expected is not None:
        changed = _changed_since_check(sess, expected)
        if changed:
            raise WriteConflict(changed)
    periods = sorted(write.period.astype(object).unique().tolist())
    counts = write.period.astype(object).value_counts()
    subs = [
        Submission(
            sha256=sha256,
            filename=filename,
            content=content if i == 0 else b"",
            uploaded_by=user.name,
            n_rows=n_rows,
            n_values=int(counts[period]),
            is_demo=is_demo,
            **({"uploaded_at": received_at} if received_at is not None else {}),
        )
        for i, period in enumerate(periods)
    ]
    sess.add_all(subs)
    sess.flush()
    for sub in subs[1:]:
        sub.note = f"file kept with submission {subs[0].id}"
    of_period = {period: int(sub.id) for period, sub in zip(periods, subs, strict=True)}
    revised = write.loc[write.old.notna(), list(STORE_KEY)]
    if len(revised):
        for period, keys in revised.groupby(revised.period.astype(object), sort=True):
            supersede(sess, keys, of_period[period])
    # in one pass, in the index's order (see insert_values)
    insert_values(sess.connection(), write, of_period if len(subs) > 1 else int(subs[0].id))
    quarter_locks.resubmitted(sess, user, pairs, received_at)
    return of_period


class RevertError(Exception):
    pass


def revert_submission(submission_id: int, user: Principal, engine: Engine | None = None) -> dict:
    """Undo a committed submission.

    Its values stop being current and the values it superseded become current again. Refused
    while a later submission has superseded any of its values, (PermissionDenied) when ``user``
    may not write every region it holds, and (quarter_locks.Locked) while any quarter it holds
    is approved.

    Parameters
    ----------
    submission_id : int
        The submission.
    user : Principal
        Who reverts it.
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    dict
        The submission, the values that stopped and became current again.
    """
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)  # first: two reverts of one submission cannot both pass the checks
        sub = sess.get(Submission, submission_id)
        if sub is None:
            raise RevertError(f"no submission {submission_id}")
        regions = sess.scalars(
            select(Observation.region_code)
            .where(Observation.submission_id == submission_id)
            .distinct()
        ).all()
        require(user, "revert", regions=regions)
        pairs = sess.execute(
            select(Observation.region_code, Observation.period)
            .where(Observation.submission_id == submission_id, Observation.is_current)
            .distinct()
        ).all()
        quarter_locks.check_unlocked(sess, [tuple(p) for p in pairs])
        if sub.status != "committed":
            raise RevertError(f"submission {submission_id} is {sub.status}, not committed")
        later = sess.scalars(
            select(Observation.superseded_by)
            .where(
                Observation.submission_id == submission_id, Observation.superseded_by.is_not(None)
            )
            .distinct()
        ).all()
        if later:
            raise RevertError(
                f"submission {submission_id} was revised by submission(s) "
                f"{', '.join(map(str, sorted(later)))}: revert those first"
            )
        n_off = sess.execute(
            update(Observation)
            .where(Observation.submission_id == submission_id, Observation.is_current)
            .values(is_current=False)
        ).rowcount
        n_back = sess.execute(
            update(Observation)
            .where(Observation.superseded_by == submission_id)
            .values(is_current=True, superseded_by=None)
        ).rowcount
        sub.status = "reverted"
        audit.record(
            sess,
            user,
            "revert",
            {"submission_id": submission_id, "withdrawn": n_off, "restored": n_back},
            target=f"submission {submission_id} ({sub.filename})",
            before={"status": "committed", "current_values": n_off},
            after={"status": "reverted", "restored_values": n_back},
        )
    return {"submission_id": submission_id, "withdrawn": n_off, "restored": n_back}


def read_submissions(engine: Engine | None = None) -> pd.DataFrame:
    """Every submission, newest first.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    pandas.DataFrame
        With the quarters each holds and how many of its values are still current.
    """
    current = (
        select(Observation.submission_id, func.count().label("current"))
        .where(Observation.is_current)
        .group_by(Observation.submission_id)
        .subquery()
    )
    stmt = (
        select(
            Submission.id,
            Submission.filename,
            Submission.sha256,
            Submission.uploaded_by,
            Submission.uploaded_at,
            Submission.status,
            Submission.n_rows,
            Submission.n_values,
            Submission.is_demo,
            func.coalesce(current.c.current, 0),
        )
        .outerjoin(current, current.c.submission_id == Submission.id)
        .order_by(Submission.id.desc())
    )
    quarters = (
        select(Observation.submission_id, Observation.period)
        .distinct()
        .order_by(Observation.submission_id, Observation.period)
    )
    with reader(engine or get_engine()) as sess:
        rows = sess.execute(stmt).all()
        held: dict[int, list[str]] = {}
        for sub_id, period in sess.execute(quarters):
            held.setdefault(sub_id, []).append(period)
    cols = [
        "id",
        "filename",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "status",
        "rows",
        "values",
        "is_demo",
        "current_values",
    ]
    out = frame(rows, cols)
    # the quarters each holds (a file of several quarters is stored as one per quarter)
    periods = [", ".join(held.get(int(i), [])) for i in out.id]
    out.insert(2, "periods", pd.Series(periods, index=out.index, dtype=object))
    return out


def keep_unwritten(
    engine: Engine, sha256: str, filename: str, content: bytes, user: Principal, status: str
) -> int:
    """Keep a file that could not be written, with who sent it, so no upload is ever lost.

    Parameters
    ----------
    engine : Engine
        The store.
    sha256 : str
        The file's hash.
    filename : str
        The file's name.
    content : bytes
        The file.
    user : Principal
        Who sent it.
    status : str
        Why it was not written ("conflict").

    Returns
    -------
    int
        Its id; it holds no values.
    """
    with transaction(engine) as sess:
        sub = Submission(
            sha256=sha256,
            filename=filename,
            content=content,
            uploaded_by=user.name,
            status=status,
            n_rows=0,
            n_values=0,
        )
        sess.add(sub)
        sess.flush()
        audit.record(sess, user, status, {"submission_id": sub.id}, target=f"file {filename}")
        return int(sub.id)


def has_demo(engine: Engine) -> bool:
    """Whether the store holds demo returns (it is then in demo mode).

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    bool
        True with any demo submission.
    """
    with reader(engine) as sess:
        return sess.scalar(select(Submission.id).where(Submission.is_demo).limit(1)) is not None


def delete_demo(engine: Engine) -> None:
    """Remove the demo submissions and their observations (never a user's submissions).

    Parameters
    ----------
    engine : Engine
        The store.
    """
    with transaction(engine) as sess:
        ids = select(Submission.id).where(Submission.is_demo)
        sess.execute(delete(Observation).where(Observation.submission_id.in_(ids)))
        sess.execute(delete(Submission).where(Submission.is_demo))
        quarter_locks.forget_empty_quarters(sess)
