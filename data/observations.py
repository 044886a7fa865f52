"""Read side of the store: current observations as tidy frames."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from data import store
from data.models import Observation, OfficialValue, Submission

COLUMNS = ["region_code", "indicator", "period", "value", "is_demo"]


def read_observations(
    engine: Engine | None = None, indicators: list[str] | None = None
) -> pd.DataFrame:
    """Current (not superseded) observations with a flag for demo-data submissions."""
    engine = engine or store.get_engine()
    stmt = (
        select(
            Observation.region_code,
            Observation.indicator_code,
            Observation.period,
            Observation.value,
            Submission.is_demo,
        )
        .join(Submission, Submission.id == Observation.submission_id)
        .where(Observation.is_current)
    )
    if indicators:
        stmt = stmt.where(Observation.indicator_code.in_(indicators))
    with store.reader(engine) as sess:
        rows = sess.execute(stmt).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def read_official(engine: Engine | None = None) -> pd.DataFrame:
    engine = engine or store.get_engine()
    with store.reader(engine) as sess:
        rows = sess.execute(select(OfficialValue)).scalars().all()
    cols = [
        "region_code",
        "year",
        "indicator",
        "value",
        "unit",
        "basis",
        "flag",
        "source_title",
        "source_url",
        "note",
    ]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)


def store_summary(engine: Engine | None = None) -> dict:
    """Counts that tell whether the store holds data and whether any of it is demo data."""
    engine = engine or store.get_engine()
    with store.reader(engine) as sess:
        n_obs = sess.scalar(
            select(func.count()).select_from(Observation).where(Observation.is_current)
        )
        n_demo = sess.scalar(
            select(func.count())
            .select_from(Observation)
            .join(Submission, Submission.id == Observation.submission_id)
            .where(Observation.is_current, Submission.is_demo)
        )
        latest = sess.scalar(select(func.max(Observation.period)).where(Observation.is_current))
    return {"observations": n_obs or 0, "demo_observations": n_demo or 0, "latest_period": latest}
