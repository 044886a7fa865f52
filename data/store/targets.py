"""Targets in the store: read them all or by region, and add or replace one (audited).
SQL only; what makes a target valid is checked in ``analytics.targets``."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from data.accounts.policy import Principal, require
from data.sanitize import clean_text
from data.store import audit
from data.store.engine import reader, transaction
from data.store.models import Target
from data.store.version import lock_store

COLUMNS = ["id", "indicator", "region_code", "value", "unit", "period", "baseline_period", "source"]


def read_targets(engine: Engine, region: str | None = None) -> pd.DataFrame:
    """Every target (``COLUMNS``) of ``region``, or of every region when None, in the order
    region, indicator, period."""
    stmt = select(Target).order_by(Target.region_code, Target.indicator, Target.period)
    if region is not None:
        stmt = stmt.where(Target.region_code == region)
    with reader(engine) as sess:
        rows = sess.execute(stmt).scalars().all()
    return pd.DataFrame([{c: getattr(t, c) for c in COLUMNS} for t in rows], columns=COLUMNS)


def write_target(
    engine: Engine,
    indicator: str,
    region: str,
    value: float,
    unit: str,
    period: str,
    baseline: str | None,
    source: str,
    user: Principal,
) -> int:
    """Add the target of ``indicator`` for ``region`` at ``period``, or replace the one there,
    with its audit record (values before and after), in one transaction; return its id.
    An admin's write; the source is required typed text."""
    require(user, "target_set")
    source = clean_text(source, "source", required=True)
    with transaction(engine) as sess:
        lock_store(sess)
        old = sess.execute(
            select(Target).where(
                Target.indicator == indicator,
                Target.region_code == region,
                Target.period == period,
            )
        ).scalar_one_or_none()
        before = _values(old) if old is not None else None
        row = old or Target(indicator=indicator, region_code=region, period=period)
        row.value, row.unit, row.baseline_period, row.source = float(value), unit, baseline, source
        sess.add(row)
        sess.flush()
        audit.record(
            sess,
            user,
            "target_set",
            {"id": row.id},
            target=f"target {indicator} {region} {period}",
            before=before,
            after=_values(row),
        )
        return row.id


def _values(t: Target) -> dict:
    return {"value": t.value, "unit": t.unit, "baseline": t.baseline_period, "source": t.source}
