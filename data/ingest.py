"""Ingest a return workbook: read, validate, then commit everything in one transaction.

History is never lost: identical files are recognised by sha256 and change nothing; a file
that changes stored values is a revision, refused unless ``replace=True``, and then the old
observations are marked superseded (not deleted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from data import store
from data.models import AuditLog, Observation, Submission
from data.returns import Problem, read_return, validate_rows


@dataclass
class IngestReport:
    status: str  # committed / duplicate / unchanged / rejected / revision_refused
    filename: str
    sha256: str
    submission_id: int | None = None
    rows: int = 0
    values: int = 0
    periods: list[str] = field(default_factory=list)
    regions: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: pd.DataFrame | None = None

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "file": self.filename,
            "sha256": self.sha256,
            "submission_id": self.submission_id,
            "rows": self.rows,
            "values": self.values,
            "periods": self.periods,
            "regions": self.regions,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "changes": [] if self.changes is None else self.changes.to_dict("records"),
        }


def _current(sess, rows: pd.DataFrame) -> pd.DataFrame:
    stmt = select(
        Observation.id,
        Observation.region_code,
        Observation.indicator_code,
        Observation.period,
        Observation.value,
    ).where(Observation.is_current, Observation.period.in_(sorted(rows.period.unique())))
    cur = pd.DataFrame(
        sess.execute(stmt).all(), columns=["id", "region_code", "indicator", "period", "old"]
    )
    return cur


def ingest(
    content: bytes,
    filename: str,
    user: str = "anonymous",
    replace: bool = False,
    is_demo: bool = False,
    engine: Engine | None = None,
) -> IngestReport:
    """Validate ``content`` (an .xlsx/.xls workbook) and store it; see module docstring."""
    engine = engine or store.get_engine()
    sha = hashlib.sha256(content).hexdigest()
    report = IngestReport("rejected", filename, sha)
    with store.reader(engine) as sess:
        dup = sess.scalar(
            select(Submission.id).where(Submission.sha256 == sha, Submission.status == "committed")
        )
    if dup is not None:
        report.status, report.submission_id = "duplicate", dup
        return report
    result = read_return(content)
    rows = result.rows
    report.errors = result.errors + validate_rows(rows)
    report.warnings = result.warnings
    report.rows = int(rows[["sheet", "row"]].drop_duplicates().shape[0]) if len(rows) else 0
    report.values = len(rows)
    report.periods = sorted(rows.period.unique().tolist()) if len(rows) else []
    report.regions = int(rows.region_code.nunique()) if len(rows) else 0
    if not report.errors and rows.empty:
        report.errors = [Problem("", None, None, None, None, "no_data", "文件中没有可导入的数据")]
    if report.errors:
        return report
    with store.transaction(engine) as sess:
        cur = _current(sess, rows)
        merged = rows.merge(cur, on=["region_code", "indicator", "period"], how="left")
        changed = merged[merged.old.notna() & (merged.old != merged.value)]
        same = merged.old.notna() & (merged.old == merged.value)
        if len(changed) and not replace:
            report.status = "revision_refused"
            report.changes = (
                changed[["region_code", "period", "indicator", "old", "value"]]
                .rename(columns={"value": "new"})
                .reset_index(drop=True)
            )
            return report
        if bool(same.all()):
            report.status = "unchanged"  # same values under other bytes: nothing to write
            return report
        sub = Submission(
            sha256=sha,
            filename=filename,
            content=content,
            uploaded_by=user,
            n_rows=report.rows,
            n_values=int((~same).sum()),
            is_demo=is_demo,
        )
        sess.add(sub)
        sess.flush()
        if len(changed):
            sess.execute(
                update(Observation)
                .where(Observation.id.in_([int(i) for i in changed.id]))
                .values(is_current=False, superseded_by=sub.id)
            )
        new = merged[~same]
        if len(new):
            sess.execute(
                insert(Observation),
                [
                    {
                        "region_code": r.region_code,
                        "indicator_code": r.indicator,
                        "period": r.period,
                        "value": float(r.value),
                        "submission_id": sub.id,
                        "is_current": True,
                    }
                    for r in new.itertuples(index=False)
                ],
            )
        sess.add(
            AuditLog(
                user=user,
                action="ingest",
                detail={
                    "submission_id": sub.id,
                    "file": filename,
                    "sha256": sha,
                    "values": int(len(new)),
                    "superseded": int(len(changed)),
                },
            )
        )
        report.status, report.submission_id = "committed", sub.id
        report.changes = (
            changed[["region_code", "period", "indicator", "old", "value"]]
            .rename(columns={"value": "new"})
            .reset_index(drop=True)
        )
    return report
