"""Heavy results computed once per store version, outside any page run, and kept in the store.

The target forecasts (with their calibration), the backtests, the forecast-skill evaluation and
the nowcast with its backtest take seconds; done in a page run they made people wait, once per
replica and per cold cache. Here each is a *job* (``JOBS``: a name, its computation and the
parameters a page opens on). After every write (the store's version moves), ``work`` — run by
the worker process that ``urbdash serve`` starts, or by ``urbdash worker`` — asks for the
default jobs of the new version and computes whatever is asked for, pages' own requests (a
quarter a person picked) included. Scheduling uses the store's own locks and leases
(``data.store.results``): several replicas' workers share the jobs, each computed once, and a
job whose worker was killed is taken over when its lease runs out. No task queue library: the
ones that run on a database are PostgreSQL-only (procrastinate) or bring a second ORM and a
broker process (huey's SQL storage, dramatiq), while one table with a conditional UPDATE gives
the same guarantees on both backends the product supports.

A result is keyed by its parameters, the store version and the *method version* (a hash of
the analytics code and the reference data files), so a replica running other code never reads
a result made by different methods. ``lookup`` gives a page the newest finished result at once,
saying whether it is current and what it is based on; a stale or missing one is asked for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data import settings, store
from data.store import results as kept
from data.store.engine import Engine
from data.store.releases import publish_due
from data.store.snapshot import Snapshot, read_snapshot
from data.store.version import store_version
from geo.regions import PROVINCE_CODE

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


def _projections(engine: Engine, inputs: Snapshot, as_of=None, target_set=None) -> list[dict]:
    from analytics.targets import project_targets

    return project_targets(inputs, as_of=as_of, target_set=target_set)


def _backtests(engine: Engine, inputs: Snapshot) -> dict:
    from analytics.backtest import run_backtests

    return run_backtests(inputs.observations, inputs.official, inputs.registry)


def _forecast_skill(engine: Engine, inputs: Snapshot) -> dict:
    from analytics import evaluation

    return evaluation.province_evaluation(
        inputs.observations, inputs.official, inputs.registry, inputs.targets_of(PROVINCE_CODE)
    )


def _nowcast(engine: Engine, inputs: Snapshot):
    from analytics import nowcast as nc
    from geo.regions import reporting_unit

    period = nc.latest_reporting(inputs.observations, inputs.registry)
    if period is None:
        return None
    flows = nc.county_flows(inputs.observations, inputs.registry)
    unit = reporting_unit(inputs.registry)
    return nc.calibrated_nowcast(flows, period, unit, nc.usual_late(inputs.registry))


def _city_coverage(engine: Engine, inputs: Snapshot) -> pd.DataFrame:
    from analytics.evaluation import city_coverage

    return city_coverage(inputs.observations, inputs.registry)


def _on_request(engine: Engine, inputs: Snapshot) -> list[dict]:
    """No default: computed only once a page asks for it (``lookup``), then kept."""
    return []


@dataclass(frozen=True)
class JobKind:
    compute: Callable
    defaults: Callable[[Engine, Snapshot], list[dict]] = field(default=lambda engine, inputs: [{}])
    # the returns it always reads (the nowcast: the quarter still coming in, never released
    # yet); None: the view its parameters ask for, released by default
    view: str | None = None


def _projection_defaults(engine: Engine, inputs: Snapshot) -> list[dict]:
    """What the overview (each target at its newest data) and the projection page (the latest
    complete quarter, each target set it offers) open on, and the brief of the latest complete
    quarter (every target as of it)."""
    from analytics.overview import freshness
    from analytics.targets import held_target_sets, target_sets

    out = [{"as_of": None, "target_set": None}]
    if not len(inputs.observations):
        return out
    headline = freshness(inputs.observations, inputs.registry)["as_of"]
    if headline:
        sets = held_target_sets(target_sets(inputs.sets, inputs.targets))
        out += [{"as_of": headline, "target_set": name} for name in sets.name]
        out.append({"as_of": headline, "target_set": None})
    return out


JOBS: dict[str, JobKind] = {
    "projections": JobKind(_projections, _projection_defaults),
    "backtests": JobKind(_backtests),
    "forecast_skill": JobKind(_forecast_skill),
    "nowcast": JobKind(_nowcast, view="provisional"),
    # each city's own full backtest (half a minute on the demo's eleven units): on request
    "city_coverage": JobKind(_city_coverage, _on_request),
}


# settings that change what a result is (the complete quarter, the nowcast's guard)
RESULT_SETTINGS = ("complete_share", "nowcast_min_share")


def method_version() -> str:
    """A hash of what the results are computed by.

    Returns
    -------
    str
        Over the analytics code, the reference data (official series, targets, the region
        registry) and the settings that change a result.
    """
    tuned = "|".join(f"{name}={settings.get(name)}" for name in RESULT_SETTINGS)
    return hashlib.sha256(f"{_code_version()}|{tuned}".encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _code_version() -> str:
    digest = hashlib.sha256()
    for folder in ("analytics", "data/reference", "geo"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".csv", ".json", ".toml"):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def methods() -> dict[str, str]:
    """The method version of every job.

    Returns
    -------
    dict of str to str
        Job name -> ``method_version``.
    """
    return dict.fromkeys(JOBS, method_version())


def params_key(params: dict) -> str:
    """A job's parameters as the key its result is kept under.

    Parameters
    ----------
    params : dict
        The parameters.

    Returns
    -------
    str
        Canonical JSON (sorted keys).
    """
    return json.dumps(params, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Lookup:
    """What a page knows of a result: the stored one (None: none finished yet), whether it is
    of the current store version, and whether a newer one is on its way."""

    stored: kept.Stored | None
    current: bool
    version: int

    @property
    def ready(self) -> bool:
        return self.stored is not None and self.stored.status == kept.DONE

    @property
    def updating(self) -> bool:
        return not self.current


def lookup(engine: Engine, name: str, params: dict | None = None) -> Lookup:
    """The newest finished result of a job, at once.

    A stale or missing one is asked for (a worker computes it), never computed here.

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        A key of ``JOBS``.
    params : dict or None
        The job's parameters.

    Returns
    -------
    Lookup
        The value (None when none is kept), whether it is of the current store version, and
        what it is based on.
    """
    key = params_key(params or {})
    now = store_version(engine)
    stored = kept.newest(engine, name, key, method_version())
    current = stored is not None and stored.store_version == now
    if not current and kept.state(engine, name, key, method_version(), now) is None:
        kept.request(engine, name, key, method_version(), now)
    return Lookup(stored, current, now)


def value_of(stored: kept.Stored):
    """The stored result's value, its signature checked first.

    Parameters
    ----------
    stored : Stored
        A kept result (``data.store.results``).

    Returns
    -------
    object
        The unpickled value.
    """
    return kept.unpack(stored.payload)


def request_defaults(engine: Engine, inputs: Snapshot) -> int:
    """Ask for every job a page opens on, at the inputs' store version.

    Parameters
    ----------
    engine : Engine
        The store.
    inputs : Snapshot
        What the jobs read.

    Returns
    -------
    int
        How many were newly queued.
    """
    n = 0
    for name, kind in JOBS.items():
        for params in kind.defaults(engine, inputs):
            n += kept.request(engine, name, params_key(params), method_version(), inputs.version)
    return n


def compute(engine: Engine, name: str, params: dict | None = None, inputs: Snapshot | None = None):
    """A job's value computed here and now (the worker's and the CLI's path, never a page's).

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        A key of ``JOBS``.
    params : dict or None
        The job's parameters; a ``view`` ("provisional") says which returns it reads
        (without it, the released quarters).
    inputs : Snapshot or None
        What it reads, when already read.

    Returns
    -------
    object
        The job's value.
    """
    params = dict(params or {})
    view = JOBS[name].view or params.pop("view", "released")
    params.pop("view", None)
    if inputs is None or inputs.view != view:
        inputs = read_snapshot(engine, view)
    return JOBS[name].compute(engine, inputs, **params)


def worker_name() -> str:
    """The name a worker claims jobs under.

    Returns
    -------
    str
        host:pid:thread.
    """
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def _lease_s() -> float:
    return float(settings.get("result_lease_s"))


def run_job(engine: Engine, job: kept.Job, worker: str, inputs: Snapshot) -> bool:
    """Compute one claimed job, renewing its lease meanwhile; keep its value or its error.

    A job of an older store version than the inputs' is dropped (the newer one is asked for).

    Parameters
    ----------
    engine : Engine
        The store.
    job : Job
        The claimed job.
    worker : str
        The claiming worker's name.
    inputs : Snapshot
        What it reads.

    Returns
    -------
    bool
        Whether a value was kept.
    """
    lease = _lease_s()
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(lease / 3):
            if not kept.renew(engine, job.id, worker, lease):
                return

    beat = threading.Thread(target=heartbeat, daemon=True, name=f"lease-{job.id}")
    beat.start()
    start = time.perf_counter()
    try:
        if job.store_version != inputs.version:  # a write landed since it was asked for
            kept.drop(engine, job.id)
            return False
        try:
            result = compute(engine, job.name, json.loads(job.params), inputs)
            payload, error = kept.pack(result), None
        except Exception as exc:  # noqa: BLE001 - kept as the job's error, shown on the page
            log.error("job %s %s failed:\n%s", job.name, job.params, traceback.format_exc())
            payload, error = None, f"{type(exc).__name__}: {exc}"
        return kept.finish(
            engine,
            job.id,
            worker,
            payload=payload,
            seconds=time.perf_counter() - start,
            basis=inputs.basis,
            error=error,
        )
    finally:
        done.set()


def work(
    engine: Engine,
    stop: threading.Event | None = None,
    *,
    poll_s: float = 1.0,
    once: bool = False,
    worker: str | None = None,
    only: tuple[str, ...] | None = None,
) -> int:
    """The worker's loop.

    When the store version moves, ask for the default jobs of the new version; claim and
    compute whatever is asked for; prune what no page will read again.

    Parameters
    ----------
    engine : Engine
        The store.
    stop : threading.Event or None
        Set to end the loop.
    poll_s : float
        Seconds between looks for work.
    once : bool
        Return when nothing is left to claim.
    worker : str or None
        The worker's name; None: ``worker_name``.
    only : tuple of str or None
        Claim the jobs of these names alone (a worker kept for the quick results).

    Returns
    -------
    int
        The jobs computed.
    """
    stop = stop or threading.Event()
    worker = worker or worker_name()
    unknown = sorted(set(only or ()) - set(JOBS))
    if unknown:
        raise ValueError(f"no such result: {', '.join(unknown)} (known: {', '.join(JOBS)})")
    inputs: Snapshot | None = None
    computed = 0
    while not stop.is_set():
        claimable = {n: m for n, m in methods().items() if only is None or n in only}
        try:
            job = None
            if store.is_initialised(engine):
                publish_due(engine)  # a scheduled release whose day has come
                version = store_version(engine)
                if inputs is None or inputs.version != version:
                    inputs = read_snapshot(engine)
                    request_defaults(engine, inputs)
                job = kept.claim(engine, worker, _lease_s(), claimable)
            if job is not None:
                computed += run_job(engine, job, worker, inputs)
                kept.prune(engine, methods())  # the older results of that key are gone
                continue
        except (store.StoreError, store.WriteError) as exc:  # the database away: try again
            log.warning("results worker: %s", str(exc).splitlines()[0])
            inputs = None
        if once:
            break
        stop.wait(poll_s)
    return computed
