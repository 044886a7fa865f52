"""Targets in the store: read them all or by region, and add or replace one (audited).
SQL only; what makes a target valid is checked in ``analytics.targets``."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from data.accounts.policy import Principal, require
from data.store import audit
from data.store.engine import reader, transaction
from data.store.models import Target, TargetSet
from data.store.version import lock_store
from data.typed_text import clean_text
from geo.regions import PROVINCE_CODE

COLUMNS = [
    "id",
    "indicator",
    "region_code",
    "value",
    "unit",
    "period",
    "baseline_period",
    "source",
    "set_name",
]


def read_targets(engine: Engine, region: str | None = None) -> pd.DataFrame:
    """Every target of a region, or of every region.

    Parameters
    ----------
    engine : Engine
        The store.
    region : str or None
        The region; None: every one.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``, in the order region, indicator, period.
    """
    stmt = select(Target).order_by(Target.region_code, Target.indicator, Target.period)
    if region is not None:
        stmt = stmt.where(Target.region_code == region)
    with reader(engine) as sess:
        rows = sess.execute(stmt).scalars().all()
    return pd.DataFrame([{c: getattr(t, c) for c in COLUMNS} for t in rows], columns=COLUMNS)


def read_target_sets(engine: Engine) -> pd.DataFrame:
    """Every target set.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        name, source.
    """
    with reader(engine) as sess:
        rows = sess.execute(select(TargetSet).order_by(TargetSet.name)).scalars().all()
    return pd.DataFrame([(s.name, s.source) for s in rows], columns=["name", "source"])


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
    set_name: str | None = None,
    set_source: str | None = None,
) -> int:
    """Add a target, or replace the one there, with its audit record, in one transaction.

    An admin's write; the source is required typed text. ``set_name`` puts it in that target
    set, made (with ``set_source``, else the target's source) when it does not exist yet;
    without it the target joins the set of the province target of the same indicator and
    period, if any.

    Parameters
    ----------
    engine : Engine
        The store.
    indicator : str
        The indicator.
    region : str
        The region.
    value : float
        The target value.
    unit : str
        Its unit.
    period : str
        The target quarter.
    baseline : str or None
        The quarter the count starts after.
    source : str
        The document that sets it.
    user : Principal
        The admin.
    set_name : str or None
        The target set.
    set_source : str or None
        A new set's source.

    Returns
    -------
    int
        The target's id.
    """
    require(user, "target_set")
    source = clean_text(source, "source", required=True)
    set_name = clean_text(set_name, "set") if set_name else None
    with transaction(engine) as sess:
        lock_store(sess)
        if set_name is None:
            set_name = sess.scalar(
                select(Target.set_name).where(
                    Target.indicator == indicator,
                    Target.region_code == PROVINCE_CODE,
                    Target.period == period,
                )
            )
        elif sess.get(TargetSet, set_name) is None:
            set_source = clean_text(set_source, "source") if set_source else source
            sess.add(TargetSet(name=set_name, source=set_source))
            audit.record(
                sess, user, "target_set_add", {"name": set_name}, target=f"target_set {set_name}"
            )
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
        row.set_name = set_name
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
    return {
        "value": t.value,
        "unit": t.unit,
        "baseline": t.baseline_period,
        "source": t.source,
        "set": t.set_name,
    }
