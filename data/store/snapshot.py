"""The store read once: what the results worker's jobs, the brief and a command compute from.

A ``Snapshot`` holds the figures at one store version (the returns of one view, the official
series, the registry and every target); ``Records`` what the brief adds (the tasks with their
updates, and the quality scorecard's value history and confirmed warnings). Analytics takes
these frames, never the engine: the store is read at the edge (the page cache, a CLI command,
the worker), once per use.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.store.audit import confirmed_flags
from data.store.engine import Engine
from data.store.observations import read_observations, read_official, value_history
from data.store.targets import read_target_sets, read_targets
from data.store.tasks import read_tasks
from data.store.version import store_version
from geo.regions import PROVINCE_CODE, load_registry


@dataclass(frozen=True)
class Snapshot:
    """The store's figures at one version."""

    version: int
    observations: pd.DataFrame
    official: pd.DataFrame
    registry: pd.DataFrame
    targets: pd.DataFrame  # every region's (``data.store.targets.COLUMNS``)
    sets: pd.DataFrame  # the target sets with their sources (``read_target_sets``)
    view: str = "released"  # which returns: released quarters, or every one (provisional)

    @property
    def basis(self) -> str | None:
        """The newest quarter with returns (what a result is "based on")."""
        return str(self.observations.period.max()) if len(self.observations) else None

    def targets_of(self, region: str | None = PROVINCE_CODE) -> pd.DataFrame:
        """The targets of ``region`` (None: every region's), in the store's order."""
        if region is None:
            return self.targets
        return self.targets[self.targets.region_code == region].reset_index(drop=True)


def read_snapshot(engine: Engine, view: str = "released") -> Snapshot:
    """The store's figures at one version, read again when a write landed in between.

    Parameters
    ----------
    engine : Engine
        The store.
    view : str
        Which returns (``data.store.observations.VIEWS``).

    Returns
    -------
    Snapshot
        The returns of ``view``, the official series, the registry, every target and target
        set, with the store version they were read at.
    """
    while True:
        before = store_version(engine)
        obs, off = read_observations(engine, view=view), read_official(engine)
        targets, sets = read_targets(engine), read_target_sets(engine)
        if store_version(engine) == before:
            return Snapshot(before, obs, off, load_registry(), targets, sets, view)


@dataclass(frozen=True)
class Records:
    """What the brief reads beside a snapshot."""

    tasks: pd.DataFrame  # the plan's tasks by number (``data.store.tasks.read_tasks``)
    updates: pd.DataFrame  # their status updates, oldest first
    history: pd.DataFrame  # ``data.store.observations.value_history``
    flags: pd.DataFrame  # ``data.store.audit.confirmed_flags``


def read_records(engine: Engine) -> Records:
    """The tasks with their updates, and the quality scorecard's two reads.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    Records
        Each read once.
    """
    tasks, updates = read_tasks(engine)
    return Records(tasks, updates, value_history(engine), confirmed_flags(engine))
