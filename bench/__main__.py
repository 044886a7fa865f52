"""``make bench``: print our path beside a naive baseline, as a ratio, against DESIGN.md budgets.

Timings are the median of several repeats on this machine; nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import cli  # noqa: F401 - first: one BLAS thread, as every process of the product
from bench.table import as_row, table
from data import settings
from data.accounts.policy import Principal

SYSTEM = Principal.system("bench")

REPEATS = 5
# before Streamlit is imported: its config sets the log level again when first parsed, and
# AppTest's bare-mode warnings ("No runtime found", "missing ScriptRunContext") are not figures
os.environ["STREAMLIT_LOGGER_LEVEL"] = "error"


def signed_in_app():
    """An AppTest of app.py signed in as the bench's user (every role), as ``urbdash serve``
    routes pages (no pages-folder mode)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from bench.drive import session_of

    init = PagesManager.__init__
    if not getattr(init, "_bench", False):

        def without_pages_folder(self, *args, **kwargs):
            init(self, *args, **kwargs)
            PagesManager.uses_pages_directory = False

        without_pages_folder._bench = True
        PagesManager.__init__ = without_pages_folder
    root = Path(__file__).resolve().parents[1]
    return session_of(AppTest.from_file(str(root / "app.py"), default_timeout=60), "bench")


def timed(fn, repeats: int = REPEATS) -> float:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench_ingest(tmp: Path) -> tuple:
    """Validate + ingest one 107-county quarterly return vs a plain openpyxl read of it."""
    import openpyxl

    from data import store
    from data.demo.generator import generate
    from data.intake.ingest import ingest
    from data.intake.template import write_return
    from data.store.bootstrap import init_store

    frame = generate()
    path = write_return(tmp / "q.xlsx", "2016Q3", frame[frame.period == "2016Q3"])
    content = path.read_bytes()
    counter = iter(range(10_000))

    def ours():
        eng = store.get_engine(f"sqlite:///{tmp / f'b{next(counter)}.sqlite'}")
        init_store(eng)
        t0 = time.perf_counter()
        report = ingest(content, "q.xlsx", user=SYSTEM, engine=eng)
        assert report.status == "committed", report.errors[:3]
        return time.perf_counter() - t0

    def naive():
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            list(ws.iter_rows(values_only=True))

    ours_t = statistics.median(ours() for _ in range(REPEATS))
    return (
        "validate+ingest 107-county return",
        ours_t,
        timed(naive),
        "plain openpyxl read",
        "≤ 0.5 s and ≤ 1.0×",
    )


def bench_rerun(tmp: Path) -> tuple:
    """Warm rerun of the overview page (AppTest, server side) vs a rerun with cold caches."""
    import streamlit as st

    from data import store
    from data.demo.generator import load_demo
    from data.store.bootstrap import init_store

    url = f"sqlite:///{tmp / 'rerun.sqlite'}"
    eng = store.get_engine(url)
    init_store(eng)
    load_demo(eng, out_dir=tmp / "demo")
    from analytics import results

    results.work(eng, once=True)  # as `urbdash demo` does: the heavy results kept
    from bench.drive import ensure_user
    from data.accounts.policy import ROLES

    ensure_user(url, "bench", tuple(ROLES), "bench-pass-2026")
    os.environ["URBDASH_DATABASE_URL"] = url
    os.chdir(Path(__file__).resolve().parents[1])
    at = signed_in_app().run()
    from data.i18n.messages import t

    # the overview itself, not the sign-in form, is what is timed
    assert not at.exception and any(t("lead.heading", "zh") in m.value for m in at.markdown)

    def warm():
        at.run()

    def cold():
        st.cache_data.clear()
        at.run()

    return (
        "overview page rerun (server side)",
        timed(warm),
        timed(cold),
        "rerun with cleared data caches",
        "≤ 150 ms",
    )


def bench_page_reruns(tmp: Path) -> list[tuple]:
    """Warm reruns of the trends and key-tasks pages vs reruns with cleared data caches (uses
    the store bench_rerun loaded)."""
    import streamlit as st

    out = []
    for page, name in (("pages/trends_page.py", "trends"), ("pages/tasks_page.py", "key tasks")):
        at = signed_in_app().run()
        at.switch_page(page).run()

        def cold(at=at):
            st.cache_data.clear()
            at.run()

        out.append(
            (
                f"{name} page rerun (server side)",
                timed(at.run),
                timed(cold),
                "rerun with cleared data caches",
                "≤ 150 ms",
            )
        )
    return out


def bench_first_views(tmp: Path) -> list[tuple]:
    """Every page's first view (AppTest, server side, data caches cold as after a start) reading
    the results the worker keeps vs today's path before it: the same view plus the heavy
    results the page read, computed in the page run (measured on the same store)."""
    import streamlit as st

    import ui
    from analytics import calibration, results
    from data import store
    from ui.cached import results as cached

    eng = store.get_engine()
    out = []
    for page in (p.script for p in ui.PAGES):
        st.cache_data.clear()
        cached._LOOKED_UP.clear()
        at = signed_in_app()
        t0 = time.perf_counter()
        at.run()
        at.switch_page(page).run()
        ours = time.perf_counter() - t0
        assert not at.exception, at.exception
        jobs = [(name, json.loads(key)) for (_url, _m, name, key) in cached._LOOKED_UP]
        calibration._calibrate.cache_clear()
        t0 = time.perf_counter()
        for name, params in jobs:
            results.compute(eng, name, params)
        heavy = time.perf_counter() - t0
        out.append(
            (
                f"first view, {Path(page).stem.removesuffix('_page')} (server side)",
                ours,
                ours + heavy,
                "the view computing its results" if jobs else "no heavy result on it",
                "≤ 3 s",
            )
        )
    return out


def bench_worker(tmp: Path) -> list[tuple]:
    """After an upload (the store's version moves): the worker's work for the new version, and
    its two heaviest parts cold, vs reading the inputs alone."""
    from analytics import calibration, results
    from analytics.targets import project_targets
    from data import store
    from data.store.results import listing
    from data.store.snapshot import read_snapshot
    from data.store.version import lock_store

    eng = store.get_engine()
    with store.transaction(eng) as sess:
        lock_store(sess)
    calibration._calibrate.cache_clear()
    t0 = time.perf_counter()
    results.work(eng, once=True)
    everything = time.perf_counter() - t0
    read = timed(lambda: read_snapshot(eng))
    took = {r["name"]: r["seconds"] for r in listing(eng) if r["params"] in ("{}",)}
    calibration._calibrate.cache_clear()
    t0 = time.perf_counter()
    project_targets(read_snapshot(eng))
    forecast = time.perf_counter() - t0
    backtest = took["backtests"] + took["forecast_skill"] + took["nowcast"]
    return [
        ("worker: every result of a new version", everything, read, "reading the inputs", "—"),
        (
            "calibrated forecast, all open targets (cold)",
            forecast,
            read,
            "reading the inputs",
            "≤ 2 s",
        ),  # fmt: skip
        (
            "full backtest: both methods, skill, nowcast",
            backtest,
            read,
            "reading the inputs",
            "≤ 5 s",
        ),  # fmt: skip
    ]


def bench_map_rerun(tmp: Path) -> tuple:
    """Warm rerun of the map page at county level vs a rerun with cleared data caches."""
    import streamlit as st

    at = signed_in_app().run()
    at.switch_page("pages/map_page.py").run()
    at.radio(key="map_level").set_value("county").run()

    def cold():
        from ui.cached import clear_data_caches

        st.cache_data.clear()
        clear_data_caches()  # the playing map's figure too (a shared resource, not data)
        at.run()

    return (
        "map page rerun, counties (server side)",
        timed(at.run),
        timed(cold),
        "rerun with cleared data caches",
        "≤ 150 ms",
    )


def bench_projection(tmp: Path) -> tuple:
    """ETS fit plus 10,000 simulated paths vs the same fit with 100 paths (the fixed cost)."""
    from analytics.aggregate import aggregate
    from analytics.settlement_forecast import forecast_settlements
    from data.store.observations import read_observations
    from geo.regions import load_registry

    wide = aggregate(read_observations(), load_registry(), "province").set_index("period")
    flows = wide.settled_total.dropna()
    ours = timed(lambda: forecast_settlements(flows, "2014Q1", "2023Q4", n_paths=10_000))
    base = timed(lambda: forecast_settlements(flows, "2014Q1", "2023Q4", n_paths=100))
    return ("ETS fit + 10,000 paths", ours, base, "fit + 100 paths", "≤ 1 s")


def bench_clusters(tmp: Path) -> tuple:
    """Moran's I and LISA with 999 permutations over the 107 counties (esda, weights built
    once) vs the textbook local test in a plain Python loop (analytics.clusters)."""
    import numpy as np

    from analytics import clusters
    from analytics.maps import boundary_layers
    from data.store.observations import read_observations, read_official
    from geo.regions import load_registry

    obs, official, reg = read_observations(), read_official(), load_registry()
    indicator = "settled_cum_per_10k"
    period = obs.period.max()
    clusters.county_clusters(obs, reg, indicator, period, official)  # weights built once
    ours = timed(lambda: clusters.county_clusters(obs, reg, indicator, period, official))
    w = clusters.county_weights(boundary_layers()["county"])
    order = w.id_order
    neighbours = [[order.index(n) for n in w.neighbors[c]] for c in order]
    values = np.random.default_rng(1).normal(size=len(order))
    base = timed(lambda: clusters.naive_local_moran(values, neighbours, 999, 1), repeats=1)
    return ("LISA, 999 permutations, 107 counties", ours, base, "plain-loop local test", "≤ 1 s")


def bench_nowcast(tmp: Path) -> tuple:
    """Nowcast of the province with a quarter of the counties missing (estimates and 4,000
    simulated totals) vs the naive answer, the sum of what has arrived."""
    import numpy as np

    from analytics import nowcast as nc
    from data.store.observations import read_observations
    from geo.regions import load_registry, reporting_unit

    reg = load_registry()
    flows = nc.county_flows(read_observations(), reg)
    unit = reporting_unit(reg)
    period = flows.index[-1]
    codes = list(flows.columns)
    hidden = set(np.random.default_rng(1).choice(codes, size=27, replace=False))
    reported = set(codes) - hidden
    ours = timed(lambda: nc.nowcast(flows, period, unit, reported))
    base = timed(lambda: flows.loc[period, sorted(reported)].sum())
    return ("nowcast, 80/107 counties in", ours, base, "sum of what has arrived", "≤ 300 ms")


def bench_skill(tmp: Path) -> tuple:
    """``urbdash backtest``'s work: four methods from every origin, 1-8 quarters ahead (the
    ETS with 1,000 paths per origin) vs the two simple methods alone (reported, no budget)."""
    from analytics import skill
    from analytics.aggregate import aggregate
    from data.store.observations import read_observations
    from geo.regions import load_registry

    wide = aggregate(read_observations(), load_registry(), "province").set_index("period")
    flows = wide.settled_total.dropna()
    ours = timed(lambda: skill.scores(skill.forecasts(flows)), repeats=1)
    base = timed(lambda: skill.scores(skill.forecasts(flows, methods=("snaive", "drift"))))
    return ("forecast skill backtest, 4 methods", ours, base, "seasonal naive + drift", "—")


def bench_calibration(tmp: Path) -> tuple:
    """The forecast an open settlement target is judged by, cold: every method backtested
    from every origin, calibrated, then 10,000 paths of the picked one (``calibration.
    calibrated_settlements``), vs the uncalibrated ETS forecast alone."""
    from analytics import calibration
    from analytics.aggregate import aggregate
    from analytics.settlement_forecast import forecast_settlements
    from data.store.observations import read_observations
    from geo.regions import load_registry

    wide = aggregate(read_observations(), load_registry(), "province").set_index("period")
    flows = wide.settled_total.dropna()
    known = flows[flows.index <= "2019Q2"]

    def cold():
        calibration._calibrate.cache_clear()
        return calibration.calibrated_settlements(known, "2014Q1", "2023Q4")

    ours = timed(cold, repeats=1)
    base = timed(lambda: forecast_settlements(known, "2014Q1", "2023Q4"))
    return ("calibrated target forecast (cold)", ours, base, "ETS forecast alone", "—")


def bench_quality(tmp: Path) -> tuple:
    """The data-quality scorecard of the 107 county offices from the store (two grouped
    reads + the scoring) vs a naive scorecard that asks the store office by office."""
    import pandas as pd
    from sqlalchemy import select

    from analytics import quality
    from data import store
    from data.store.models import Observation, Submission
    from geo.regions import load_registry

    reg = load_registry()
    eng = store.get_engine()
    from data.store.audit import confirmed_flags
    from data.store.observations import value_history

    ours = timed(
        lambda: quality.scorecard(value_history(eng), confirmed_flags(eng), reg, None, "county")
    )

    def naive():
        out = {}
        with store.reader(eng) as sess:
            for code in reg.loc[reg.level == "county", "code"]:
                rows = sess.execute(
                    select(Observation.period, Observation.is_current, Submission.uploaded_at)
                    .join(Submission, Submission.id == Observation.submission_id)
                    .where(Observation.region_code == code)
                ).all()
                frame = pd.DataFrame(rows, columns=["period", "current", "at"])
                out[code] = frame.groupby("period").agg(first=("at", "min"), n=("current", "sum"))
        return out

    base = timed(naive, repeats=1)
    return ("data-quality scorecard, 107 counties", ours, base, "office by office", "≤ 300 ms")


def bench_whatif(tmp: Path) -> tuple:
    """One what-if move (settlement simulation for baseline and scenario plus the urbanization
    path) vs the baseline settlement forecast alone."""
    from analytics import scenarios
    from analytics.aggregate import aggregate
    from analytics.settlement_forecast import forecast_settlements
    from data.store.observations import read_observations, read_official
    from geo.regions import load_registry

    obs, off, reg = read_observations(), read_official(), load_registry()
    moves = iter(range(1, 10_000))
    ours = timed(
        lambda: scenarios.run(
            scenarios.ScenarioParams(as_of="2019Q4", multiplier=1 + next(moves) / 100),
            obs,
            off,
            reg,
        )
    )
    flows = aggregate(obs, reg, "province").set_index("period").settled_total
    base = timed(lambda: forecast_settlements(flows[flows.index <= "2019Q4"], "2014Q1", "2023Q4"))
    return ("what-if move (server side)", ours, base, "baseline forecast alone", "≤ 300 ms")


def cpu_times() -> list[int]:
    """The machine's CPU time counters (/proc/stat: user … steal)."""
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]


def main() -> None:
    import streamlit.logger

    start = cpu_times()
    streamlit.logger.set_log_level("error")  # AppTest's bare-mode warnings are not figures
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        from bench import big_returns, load, tour
        from bench import maps as map_bench

        for bench in (bench_ingest, bench_rerun):
            rows.append(bench(tmp))
        rows += bench_page_reruns(tmp)
        rows += bench_first_views(tmp)
        rows += bench_worker(tmp)
        rows += map_bench.payload_and_build(tmp)
        rows.append(bench_map_rerun(tmp))
        rows.append(bench_projection(tmp))
        rows.append(bench_whatif(tmp))
        rows.append(bench_clusters(tmp))
        rows.append(bench_nowcast(tmp))
        rows.append(bench_skill(tmp))
        rows.append(bench_calibration(tmp))
        rows.append(bench_quality(tmp))
        map_bench.china(tmp)
        rows += map_bench.browser(tmp)
        rows += tour.rows(tour.run(tmp))
        rows += big_returns.bench_big(tmp)
        sessions = int(os.environ.get("URBDASH_BENCH_SESSIONS", "30"))
        result = load.run(sessions, float(os.environ.get("URBDASH_BENCH_LOAD_SECONDS", "90")))
        print(f"load: {json.dumps(result, ensure_ascii=False)}")
        rows += load.rows(result)
    out = [as_row(*r) for r in rows]
    path = settings.var_dir() / "bench.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(out))
    d = [b - a for a, b in zip(start, cpu_times(), strict=True)]
    # on a virtual machine the host may take CPU time ("steal"): the figures are slower then
    print(
        f"machine during the run: {os.cpu_count()} cores, busy {100 * (sum(d) - d[3] - d[4]) / sum(d):.0f}%, "
        f"stolen by the host {100 * d[7] / sum(d):.0f}%"
    )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
