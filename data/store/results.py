"""Heavy results kept in the store (SQL only; ``analytics.results`` says what they are and
computes them).

A row is one result for one (name, params, method version, store version): *queued* when asked
for, *running* while a worker holds its lease, *done* with its payload, or *failed* with the
error. The store's own locks do the scheduling: a worker claims a row with one conditional
UPDATE (``claim``), which only one of several concurrent workers can win on either backend
(SQLite serialises writers; PostgreSQL re-checks the row's status and lease after the other
writer commits); a running row whose lease ran out (its worker was killed or lost the
database) is claimable again. The payload is a pickle signed with HMAC-SHA256 (``pack``): one
that does not verify is never unpickled, so a row written into the database by hand cannot
run code in the app.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from data import settings
from data.store.engine import reader, transaction
from data.store.models import ComputedResult

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DIGEST = 32  # bytes of HMAC-SHA256 before the pickle


def _now() -> datetime:
    return datetime.now(UTC)


def _key() -> bytes:
    """The signing key: the ``result_key`` setting (replicas on several hosts share it), else a
    random key kept in the var folder (made on first use, readable by its owner only)."""
    return _key_of(settings.get("result_key"), Path(settings.var_dir()) / "result.key")


@lru_cache(maxsize=4)
def _key_of(given: str, path: Path) -> bytes:
    if given:
        return given.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(32), encoding="ascii")
        tmp.chmod(0o600)
        try:  # the first process to link its key wins; the others read that one
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip().encode()


def pack(value) -> bytes:
    """A value as a signed payload (HMAC-SHA256 over its pickle).

    Parameters
    ----------
    value : object
        The result.

    Returns
    -------
    bytes
        The signature, then the body.
    """
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hmac.new(_key(), body, hashlib.sha256).digest() + body


def unpack(blob: bytes):
    """The value of a signed payload.

    Parameters
    ----------
    blob : bytes
        As ``pack`` made it.

    Returns
    -------
    object
        The value; ValueError when the signature does not verify.
    """
    mac, body = blob[:DIGEST], blob[DIGEST:]
    if not hmac.compare_digest(mac, hmac.new(_key(), body, hashlib.sha256).digest()):
        raise ValueError("a stored result's signature does not verify; it is ignored")
    return pickle.loads(body)  # noqa: S301 - verified above: written by this installation


@dataclass(frozen=True)
class Job:
    id: int
    name: str
    params: str
    method: str
    store_version: int


@dataclass(frozen=True)
class Stored:
    """The newest finished result of a key: its payload (still signed), the store version it
    was computed at, what it was based on, and when."""

    payload: bytes | None
    status: str
    store_version: int
    basis: str | None
    finished_at: datetime | None
    seconds: float | None
    error: str | None


def request(engine: Engine, name: str, params: str, method: str, version: int) -> bool:
    """Ask for a result at a store version.

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        The job's name.
    params : str
        Its parameters' key.
    method : str
        The method version.
    version : int
        The store version.

    Returns
    -------
    bool
        True when this call queued it (False: already queued, running, done or failed, or a
        newer store version of the same key is asked for already).
    """
    values = {
        "name": name,
        "params": params,
        "method": method,
        "store_version": version,
        "status": QUEUED,
        "requested_at": _now(),
        "attempts": 0,
    }
    make = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = make(ComputedResult).values(**values).on_conflict_do_nothing()
    newer = select(ComputedResult.id).where(
        ComputedResult.name == name,
        ComputedResult.params == params,
        ComputedResult.method == method,
        ComputedResult.store_version > version,
    )
    with transaction(engine) as sess:
        # a worker that saw this version late: a newer one is asked for already, and this
        # one's row may be pruned; asking again would compute a superseded version twice
        if sess.execute(newer.limit(1)).first() is not None:
            return False
        return bool(sess.execute(stmt).rowcount)


_JOB_COLUMNS = (
    ComputedResult.id,
    ComputedResult.name,
    ComputedResult.params,
    ComputedResult.method,
    ComputedResult.store_version,
)


def _claimable(now: datetime):
    return or_(
        ComputedResult.status == QUEUED,
        and_(ComputedResult.status == RUNNING, ComputedResult.lease_until < now),
    )


def claim(engine: Engine, worker: str, lease_s: float, method_of: dict[str, str]) -> Job | None:
    """Take the oldest claimable job of a current method.

    Parameters
    ----------
    engine : Engine
        The store.
    worker : str
        The worker's name.
    lease_s : float
        Seconds the claim holds before another worker may take it over.
    method_of : dict of str to str
        Job name -> its current method version.

    Returns
    -------
    Job or None
        None when there is none or another worker won it.
    """
    now = _now()
    with reader(engine) as sess:
        rows = sess.execute(
            select(*_JOB_COLUMNS)
            .where(_claimable(now), ComputedResult.name.in_(list(method_of)))
            .order_by(ComputedResult.store_version.desc(), ComputedResult.id)
            .limit(20)
        ).all()
    for row in rows:
        if method_of.get(row.name) != row.method:
            continue
        with transaction(engine) as sess:
            won = sess.execute(
                update(ComputedResult)
                .where(ComputedResult.id == row.id, _claimable(_now()))
                .values(
                    status=RUNNING,
                    claimed_by=worker,
                    lease_until=_now() + timedelta(seconds=lease_s),
                    attempts=ComputedResult.attempts + 1,
                )
            ).rowcount
        if won:
            return Job(row.id, row.name, row.params, row.method, row.store_version)
    return None


def _held(job_id: int, worker: str):
    """The job is still this worker's (not taken over after its lease ran out)."""
    return and_(
        ComputedResult.id == job_id,
        ComputedResult.claimed_by == worker,
        ComputedResult.status == RUNNING,
    )


def renew(engine: Engine, job_id: int, worker: str, lease_s: float) -> bool:
    """Extend the lease of a job this worker still holds.

    Parameters
    ----------
    engine : Engine
        The store.
    job_id : int
        The job.
    worker : str
        The worker's name.
    lease_s : float
        Seconds from now.

    Returns
    -------
    bool
        False when it lost the job.
    """
    with transaction(engine) as sess:
        return bool(
            sess.execute(
                update(ComputedResult)
                .where(_held(job_id, worker))
                .values(lease_until=_now() + timedelta(seconds=lease_s))
            ).rowcount
        )


def finish(
    engine: Engine,
    job_id: int,
    worker: str,
    *,
    payload: bytes | None = None,
    seconds: float,
    basis: str | None = None,
    error: str | None = None,
) -> bool:
    """Keep a job's result (or its error).

    Parameters
    ----------
    engine : Engine
        The store.
    job_id : int
        The job.
    worker : str
        The worker's name.
    payload : bytes or None
        The signed value (``pack``).
    seconds : float
        How long it took.
    basis : str or None
        What it is based on (the newest quarter of its returns).
    error : str or None
        The error, when it failed.

    Returns
    -------
    bool
        False when another worker had taken it over.
    """
    with transaction(engine) as sess:
        return bool(
            sess.execute(
                update(ComputedResult)
                .where(_held(job_id, worker))
                .values(
                    status=FAILED if error else DONE,
                    payload=payload,
                    seconds=seconds,
                    basis=basis,
                    error=error,
                    finished_at=_now(),
                    lease_until=None,
                )
            ).rowcount
        )


def drop(engine: Engine, job_id: int) -> None:
    """Forget a job (one asked for at a store version since overtaken by a write).

    Parameters
    ----------
    engine : Engine
        The store.
    job_id : int
        The job.
    """
    with transaction(engine) as sess:
        sess.execute(delete(ComputedResult).where(ComputedResult.id == job_id))


def newest(engine: Engine, name: str, params: str, method: str) -> Stored | None:
    """The newest finished (done or failed) result of a key, at any store version.

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        The job's name.
    params : str
        Its parameters' key.
    method : str
        The method version.

    Returns
    -------
    Stored or None
        None when none has finished.
    """
    with reader(engine) as sess:
        row = sess.execute(
            select(ComputedResult)
            .where(
                ComputedResult.name == name,
                ComputedResult.params == params,
                ComputedResult.method == method,
                ComputedResult.status.in_((DONE, FAILED)),
            )
            .order_by(ComputedResult.store_version.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return Stored(
            row.payload,
            row.status,
            row.store_version,
            row.basis,
            row.finished_at,
            row.seconds,
            row.error,
        )


def state(engine: Engine, name: str, params: str, method: str, version: int) -> str | None:
    """The status of a key at one store version.

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        The job's name.
    params : str
        Its parameters' key.
    method : str
        The method version.
    version : int
        The store version.

    Returns
    -------
    str or None
        None: never asked for.
    """
    with reader(engine) as sess:
        return sess.scalar(
            select(ComputedResult.status).where(
                ComputedResult.name == name,
                ComputedResult.params == params,
                ComputedResult.method == method,
                ComputedResult.store_version == version,
            )
        )


def listing(engine: Engine) -> list[dict]:
    """Every kept row without its payload, newest first (``urbdash results``).

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    list of dict
        One per row.
    """
    cols = [c for c in ComputedResult.__table__.columns if c.name != "payload"]
    with reader(engine) as sess:
        rows = sess.execute(
            select(*cols, func.length(ComputedResult.payload).label("bytes")).order_by(
                ComputedResult.store_version.desc(), ComputedResult.id
            )
        ).all()
    return [dict(r._mapping) for r in rows]


def prune(engine: Engine, method_of: dict[str, str]) -> int:
    """Drop what no page will read again.

    Rows of a method no longer current, and for each key every row older than its newest
    finished one.

    Parameters
    ----------
    engine : Engine
        The store.
    method_of : dict of str to str
        Job name -> its current method version.

    Returns
    -------
    int
        The rows removed.
    """
    with reader(engine) as sess:
        newest_done = (
            select(
                ComputedResult.name,
                ComputedResult.params,
                ComputedResult.method,
                func.max(ComputedResult.store_version).label("v"),
            )
            .where(ComputedResult.status.in_((DONE, FAILED)))
            .group_by(ComputedResult.name, ComputedResult.params, ComputedResult.method)
        )
        keep_from = {(r.name, r.params, r.method): r.v for r in sess.execute(newest_done)}
        rows = sess.execute(select(*_JOB_COLUMNS)).all()
    gone = [
        r.id
        for r in rows
        if method_of.get(r.name) != r.method
        or r.store_version < keep_from.get((r.name, r.params, r.method), -1)
    ]
    if gone:
        with transaction(engine) as sess:
            sess.execute(delete(ComputedResult).where(ComputedResult.id.in_(gone)))
    return len(gone)
