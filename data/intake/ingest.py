"""Ingest a return workbook: read, validate, preview the change, then commit in one transaction.

History is never lost: an identical file (same sha256) is recognised and changes nothing; a file
whose values equal what is stored changes nothing; a file that changes stored values is a
revision, refused unless ``replace=True``, and then the old observations are marked superseded
(never deleted). ``revert`` undoes a submission and brings back what it superseded.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from data import settings, store
from data.accounts import policy
from data.accounts.policy import Principal
from data.heap import release_freed_memory
from data.intake.problems import Problem, ReadResult
from data.intake.read import read_return
from data.intake.rules import LARGE_RETURN, validate
from data.store import Engine, WriteError, audit, quarter_locks, submissions
from data.store.observations import STORE_KEY, county_quarters, read_current, sorted_codes
from data.store.submissions import RevertError as RevertError  # raised by revert
from data.store.submissions import read_submissions, revert_submission
from geo.regions import default_resolver

STATUSES = (
    "committed",
    "duplicate",
    "unchanged",
    "rejected",
    "needs_confirmation",
    "revision_refused",
    "conflict",  # what it was checked against changed before it could be written: check again
)


@dataclass
class IngestReport:
    status: str  # one of STATUSES, or "checked" for a preview
    filename: str
    sha256: str
    submission_id: int | None = None  # the first, when a file holds several quarters
    submission_ids: list[int] = field(default_factory=list)  # one per quarter written
    rows: int = 0
    values: int = 0
    periods: list[str] = field(default_factory=list)
    regions: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new: int = 0
    unchanged: int = 0
    not_carried: list[str] = field(default_factory=list)  # indicators the file has no column for
    # warnings by the value they are about: (region_code, period, rule) -> count
    flags: dict = field(default_factory=dict)
    changes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["region_code", "period", "indicator", "old", "new"]
        )
    )
    _merged: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, lang: str = "zh") -> dict:
        return {
            "ok": self.ok,
            "status": self.status,
            "file": self.filename,
            "sha256": self.sha256,
            "submission_id": self.submission_id,
            "submission_ids": self.submission_ids,
            "rows": self.rows,
            "values": self.values,
            "periods": self.periods,
            "regions": self.regions,
            "not_carried": self.not_carried,
            "errors": [p.as_dict(lang) for p in self.errors],
            "warnings": [p.as_dict(lang) for p in self.warnings],
            "new": self.new,
            "unchanged": self.unchanged,
            "changes": self.changes.to_dict("records"),
        }


def check(
    content: bytes,
    filename: str,
    engine: Engine | None = None,
    user: Principal | None = None,
    today: str | None = None,
    use_store: bool = True,
) -> IngestReport:
    """Read and validate ``content`` and compare it with the store; write nothing.

    With ``user``, rows outside the regions they may report for are errors naming each
    region (the file is refused whole), and a user who may not submit returns at all is
    refused (PermissionDenied) before the file is read. Without ``user`` (``urbdash
    validate``) any region may be checked. With ``use_store=False`` (``urbdash validate``
    without a store) the history rules and the comparison with stored values are skipped.
    """
    if user is not None:
        policy.require(user, "ingest")
    engine = engine or (store.get_engine() if use_store else None)
    report, result, history = _read(content, filename, engine, use_store)
    if result is None:
        return report
    problems = _validate(result, history, _scope(user), today)
    if not any(p.severity == "error" for p in problems):
        _compare(report, result.rows, history)
        if engine is not None:
            problems += _locks(report, engine)
    _judge(report, problems, result)
    return report


def _locks(report: IngestReport, engine: Engine) -> list[Problem]:
    """The refusal of writing into an approved quarter, as the file's error (the write itself
    checks again in its transaction: ``quarter_locks.check_unlocked``)."""
    write = _to_write(report)
    refusal = quarter_locks.lock_refusal(engine, county_quarters(write))
    return [] if refusal is None else [_locked_problem(refusal)]


def _locked_problem(refusal: quarter_locks.Locked) -> Problem:
    return Problem.of_file("locked", zh=refusal.zh, en=refusal.en)


def _refused_locked(report: IngestReport, refusal: quarter_locks.Locked) -> IngestReport:
    """A quarter was approved between the check and the write: nothing was written."""
    report.errors = [*report.errors, _locked_problem(refusal)]
    report.status = "rejected"
    report.new, report.unchanged, report._merged = 0, 0, None
    return report


def same_verdict(before: IngestReport, now: IngestReport) -> bool:
    """Whether a report checked again (against what is stored now) asks the same of the person
    as the one they confirmed: the same status, the same stored values changed, the same
    warnings. If not, what they confirmed is stale and must be reviewed again."""

    def warnings(r: IngestReport) -> list[tuple]:
        return [(p.sheet, p.row, p.column, p.rule) for p in r.warnings]

    return (
        before.status == now.status
        and before.changes.equals(now.changes)
        and warnings(before) == warnings(now)
        and not now.errors
    )


def _read(
    content: bytes, filename: str, engine: Engine | None, use_store: bool
) -> tuple[IngestReport, ReadResult | None, pd.DataFrame | None]:
    """The report's first facts: a file already committed (no read then), else the rows read
    and the stored values of their regions (None without a store)."""
    sha = hashlib.sha256(content).hexdigest()
    report = IngestReport("checked", filename, sha)
    if use_store:
        dup = submissions.committed_with(engine, sha)
        if dup is not None:
            report.status, report.submission_id = "duplicate", dup
            return report, None, None
    result = read_return(content, filename=filename)
    rows = result.rows
    if len(rows) >= LARGE_RETURN:
        release_freed_memory()
    regions = sorted(rows.region_code.unique().tolist()) if len(rows) else []
    report.rows = result.n_rows
    report.values = len(rows)
    report.periods = sorted(rows.period.unique().tolist()) if len(rows) else []
    report.regions = len(regions)
    report.not_carried = list(result.not_carried)
    history = read_current(engine, regions) if regions and use_store else None
    return report, result, history


def _scope(user: Principal | None) -> tuple[str, ...] | None:
    return None if user is None else policy.scope(user)


def _validate(
    result: ReadResult,
    history: pd.DataFrame | None,
    scope: tuple[str, ...] | None,
    today: str | None,
) -> list[Problem]:
    return validate(result, history=history, scope=scope, today=today, resolver=default_resolver())


def _judge(report: IngestReport, problems: list[Problem], result: ReadResult) -> None:
    """Sort the problems into errors and warnings; errors reject the file and void any
    comparison with the store made before. Warnings on a row are counted by the value's region
    and period (``flags``)."""
    report.errors = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity == "warning"]
    report.flags = _flags(report.warnings, result.rows)
    if report.errors:
        report.status = "rejected"
        report.new, report.unchanged, report._merged = 0, 0, None
        report.changes = report.changes.iloc[0:0]


def _flags(warnings: list[Problem], rows: pd.DataFrame) -> dict:
    """(region_code, period, rule) -> how many warnings, for the warnings on a row."""
    located = {(p.sheet, p.row) for p in warnings if p.row is not None}
    if not located or rows.empty:
        return {}
    sheets = {s for s, _ in located}
    near = rows[rows.sheet.isin(sheets) & rows.row.isin({r for _, r in located})]
    where = {
        (str(s), int(r)): (str(c), str(q))
        for s, r, c, q in zip(near.sheet, near.row, near.region_code, near.period, strict=True)
    }
    out: dict = {}
    for p in warnings:
        key = where.get((p.sheet, p.row)) if p.row is not None else None
        if key is not None:
            out[(*key, p.rule)] = out.get((*key, p.rule), 0) + 1
    return out


def _compare(report: IngestReport, rows: pd.DataFrame, history: pd.DataFrame | None) -> None:
    """What the rows change against the current stored values: new, unchanged, changed.
    Only the keys and values are kept (a narrow frame: it lives while validation runs)."""
    rows = rows[[*STORE_KEY, "value"]]
    if history is None or history.empty:  # nothing stored for these regions: all new
        merged = rows.assign(old=np.nan)
    else:
        cur = history.rename(columns={"value": "old"}).astype({"old": float})
        merged = rows.merge(cur, on=list(STORE_KEY), how="left")
    same = merged.old.notna() & (merged.old == merged.value)
    changed = merged[merged.old.notna() & ~same]
    report.new = int(merged.old.isna().sum())
    report.unchanged = int(same.sum())
    report.changes = (
        changed[["region_code", "period", "indicator", "old", "value"]]
        .rename(columns={"value": "new"})
        .reset_index(drop=True)
    )
    report._merged = merged


def _to_write(report: IngestReport) -> pd.DataFrame:
    merged = report._merged
    changed = merged.old.isna() | (merged.old != merged.value)
    return merged if changed.all() else merged[changed]


def commit(
    report: IngestReport,
    content: bytes,
    user: Principal,
    replace: bool = False,
    accept_warnings: bool = False,
    is_demo: bool = False,
    engine: Engine | None = None,
    received_at: datetime | None = None,
) -> IngestReport:
    """Write a checked report: refuses revisions without ``replace`` and unconfirmed warnings.
    ``received_at``: when the return was received, if not now (``write_submissions``)."""
    engine = engine or store.get_engine()
    if report.status in ("duplicate", "rejected") or report._merged is None:
        return report
    if report.warnings and not accept_warnings:
        report.status = "needs_confirmation"
        return report
    if len(report.changes) and not replace:
        report.status = "revision_refused"
        return report
    write = _to_write(report)
    if write.empty:
        report.status = "unchanged"
        return report

    @store.retrying
    def write_once() -> list[int]:
        with store.transaction(engine) as sess:
            written = _write(sess, report, write, content, user, is_demo, received_at)
            _audit(sess, report, write, written, user, accept_warnings)
        return list(written.values())

    try:
        sub_ids = write_once()
    except submissions.WriteConflict:
        return _conflict(report, content, user, engine)
    except quarter_locks.Locked as refusal:
        return _refused_locked(report, refusal)
    _committed(report, sub_ids)
    return report


def _committed(report: IngestReport, sub_ids: list[int]) -> None:
    report.status, report.submission_id, report.submission_ids = "committed", sub_ids[0], sub_ids


def _conflict(report: IngestReport, content: bytes, user: Principal, engine) -> IngestReport:
    """Another writer changed what the file was checked against: nothing of it is written,
    the file is kept (status "conflict") and the sender is told to check it again."""
    report.status = "conflict"
    report.submission_id = submissions.keep_unwritten(
        engine, report.sha256, report.filename, content, user, "conflict"
    )
    return report


def _write(
    sess, report: IngestReport, write, content: bytes, user: str, is_demo: bool, received_at=None
) -> dict[str, int]:
    """A submission per quarter the file writes, with its values, inside the caller's one
    transaction (all of them or none), once the store's write turn is taken and nothing the
    file was compared with has changed; returns each quarter's submission id."""
    expected = report._merged[[*STORE_KEY, "old"]]
    return submissions.write_submissions(
        sess, report.sha256, report.filename, content, user, report.rows, write, is_demo,
        expected, received_at,
    )  # fmt: skip


AUDITED_VALUES = 200  # values of a revision listed before/after in its audit record


def _audit(sess, report, write, written: dict[str, int], user, accept_warnings) -> None:
    """An audit record per submission written: its counts, and for a revision the first
    ``AUDITED_VALUES`` values it replaced, before and after (the submission itself keeps the
    whole file). Computed for all quarters at once: a file of many quarters stays cheap."""
    # per quarter from integer codes (a big return's million rows are never hashed again)
    codes, quarters = sorted_codes(write.period)
    counts = dict(zip(quarters.tolist(), np.bincount(codes, minlength=len(quarters)), strict=True))
    regions = Counter(quarter for _, quarter in county_quarters(write))
    changed = write[write.old.notna()]
    revised = dict(iter(changed.groupby(changed.period.astype(object)))) if len(changed) else {}
    flags: dict[str, list] = {}
    if accept_warnings:  # the confirmed warnings by value, for the data-quality scorecard
        for k, n in report.flags.items():
            flags.setdefault(k[1], []).append([*k, n])
    rows: dict[str, list[dict]] = {"ingest": [], "revise": []}
    for quarter, sub_id in written.items():
        part = revised.get(quarter)  # None: the quarter only adds values
        listed = part.head(AUDITED_VALUES) if part is not None else None
        keys = (
            []
            if listed is None
            else [
                f"{r} {i} {p}"
                for r, i, p in zip(listed.region_code, listed.indicator, listed.period, strict=True)
            ]
        )
        detail = {
            "submission_id": sub_id,
            "file": report.filename,
            "sha256": report.sha256,
            "values": int(counts[quarter]),
            "superseded": 0 if part is None else len(part),
            "listed": len(keys),
            "warnings_confirmed": len(report.warnings) if accept_warnings else 0,
            "flags": flags.get(quarter, []),
        }
        if listed is not None:
            before = dict(zip(keys, listed.old.astype(float), strict=True))
            after = dict(zip(keys, listed.value.astype(float), strict=True))
        else:
            before = None
            after = {
                "new_values": int(counts[quarter]),
                "regions": int(regions[quarter]),
                "periods": [quarter],
            }
        target = f"submission {sub_id} ({report.filename})"
        rows["ingest" if part is None else "revise"].append(
            {"detail": detail, "target": target, "before": before, "after": after}
        )
    for action, records in rows.items():
        if records:
            audit.record_many(sess, user, action, records)


class _Withdrawn(Exception):
    """Validation found what forbids the write made beside it: roll it back."""


def ingest(
    content: bytes,
    filename: str,
    user: Principal,
    replace: bool = False,
    accept_warnings: bool = False,
    is_demo: bool = False,
    engine: Engine | None = None,
    today: str | None = None,
    received_at: datetime | None = None,
) -> IngestReport:
    """Validate and commit in one transaction: the path of the CLI and the demo loader.
    ``received_at``: when the return was received, for one loaded after the fact (the demo's
    submission calendar); default now.

    The two overlap. Once the rows are read and compared with the store, a worker thread
    writes them inside a transaction (SQLite and psycopg leave the GIL while they execute)
    while this thread validates them; the transaction commits only when validation finds no
    error and no unconfirmed warning, and is rolled back otherwise, so a rejected file writes
    nothing, exactly as ``check`` then ``commit``. Where nothing could be written whatever
    validation finds (a revision without ``replace``, nothing new, a file over the row limit
    or with errors found while reading) it validates first and writes nothing.
    """
    policy.require(user, "ingest")
    engine = engine or store.get_engine()
    report, result, history = _read(content, filename, engine, True)
    if result is None:
        return report
    _compare(report, result.rows, history)
    write = _to_write(report)
    scope = _scope(user)
    locks = [] if write.empty else _locks(report, engine)
    if _validate_first(report, result, write, locks, replace, user):
        _judge(report, _validate(result, history, scope, today) + locks, result)
        if len(result.rows) >= LARGE_RETURN:
            release_freed_memory()  # validation's arrays, before the write's
        return commit(report, content, user, replace, accept_warnings, is_demo, engine, received_at)
    verdict: Future[bool] = Future()  # set by this thread once validation has judged

    @store.retrying
    def write_then_wait() -> list[int]:
        with store.transaction(engine) as sess:
            written = _write(sess, report, write, content, user, is_demo, received_at)
            if not verdict.result():
                raise _Withdrawn
            _audit(sess, report, write, written, user, accept_warnings)
        return list(written.values())

    # The write runs on the worker and validation here: validation's big arrays then reuse
    # the heap the reader freed, instead of growing a second thread's malloc arena.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="urbdash-write") as pool:
        writing = pool.submit(write_then_wait)
        try:
            _judge(report, _validate(result, history, scope, today), result)
        except BaseException:
            verdict.set_result(False)  # validation never finished: nothing may be committed
            raise
        verdict.set_result(not report.errors and (accept_warnings or not report.warnings))
        try:
            sub_ids = writing.result()
        except _Withdrawn:
            return commit(
                report, content, user, replace, accept_warnings, is_demo, engine, received_at
            )
        except submissions.WriteConflict:
            if report.errors:  # the file is refused anyway: validation's answer stands
                return report
            return _conflict(report, content, user, engine)
        except quarter_locks.Locked as refusal:
            return report if report.errors else _refused_locked(report, refusal)
        except WriteError:
            # rows that break a constraint (e.g. a region x period twice) are errors that
            # validation names; anything else is the store's own failure
            if not report.errors:
                raise
            return report
    _committed(report, sub_ids)
    return report


def _validate_first(report, result, write, locks, replace: bool, user) -> bool:
    """Whether a file is validated before anything is written (and then written by
    ``commit``): where nothing could be written whatever validation finds (a locked quarter,
    nothing new, a revision without ``replace``, rows outside the user's regions, a file
    over the row limit or with errors found while reading), and a large return, whose write
    comes after validation so that the two never hold their arrays at once."""
    return bool(
        locks
        or write.empty
        or (len(report.changes) and not replace)
        or policy.outside_scope(user, write.region_code.unique())
        or result.n_rows > int(settings.get("max_rows"))
        or any(p.severity == "error" for p in result.problems)
        or len(result.rows) >= LARGE_RETURN
    )


def revert(submission_id: int, user: Principal, engine: Engine | None = None) -> dict:
    """Undo a committed submission: its values stop being current and the values it superseded
    become current again. Refused (RevertError) while a later submission has superseded any of
    its values."""
    return store.retrying(revert_submission)(submission_id, user, engine)


def list_submissions(engine: Engine | None = None) -> pd.DataFrame:
    """Every submission, newest first, with how many of its values are still current."""
    return read_submissions(engine)
