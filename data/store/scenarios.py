"""Planners' saved what-if scenarios in the store (SQL only; ``analytics.scenarios`` runs them)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from data.accounts.policy import Principal, require
from data.store import audit
from data.store.engine import reader, transaction
from data.store.models import Scenario
from data.store.version import lock_store
from data.typed_text import clean_text

COLUMNS = ["id", "name", "author", "created_at", "params"]


def write_scenario(engine: Engine | None, name: str, author: Principal, params: dict) -> int:
    """Store a scenario with its name, author and time, audited (a planner's write).

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.
    name : str
        Required typed text.
    author : Principal
        The planner.
    params : dict
        The what-if's parameters.

    Returns
    -------
    int
        Its id.
    """
    require(author, "scenario_save")
    name = clean_text(name, "scenario", required=True)
    with transaction(engine) as sess:
        lock_store(sess)
        row = Scenario(name=name, author=author.name, params=params)
        sess.add(row)
        sess.flush()
        audit.record(
            sess,
            author,
            "scenario_save",
            {"id": row.id},
            target=f"scenario {row.id}",
            after={"name": name, "params": params},
        )
        return row.id


def read_scenarios(engine: Engine | None = None) -> pd.DataFrame:
    """Every saved scenario, newest first.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    pandas.DataFrame
        id, name, author, created_at, params.
    """
    with reader(engine) as sess:
        rows = sess.execute(select(Scenario).order_by(Scenario.id.desc())).scalars().all()
        records = [{c: getattr(r, c) for c in COLUMNS} for r in rows]
    return pd.DataFrame(records, columns=COLUMNS)
