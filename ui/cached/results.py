"""The heavy results (projections, backtests, skill, nowcast, the brief's projections): computed
by the results worker once per store version and kept in the store; read here at once. While a
newer one is computed, a line says so where it is used and the page refreshes itself when it
is ready; nothing heavy is computed in a page run."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cached.store import _SEEN, _unreleased, _view, engine


def projections(as_of: str | None, target_set: str | None = None) -> list[dict] | None:
    """Every target projected as of ``as_of`` (None: each at its newest data), as the results
    worker computed it (``analytics.results``); None while it is first computed."""
    return heavy("projections", as_of=as_of, target_set=target_set)


def backtests() -> dict | None:
    """The rolling-origin backtests of both methods (the results worker's)."""
    return heavy("backtests")


def nowcast():
    """The newest quarter's settlement totals, reported + estimated (``analytics.nowcast``, the
    results worker's); None without settlement returns or while first computed."""
    return heavy("nowcast")


def nowcast_backtest() -> pd.DataFrame | None:
    """The nowcast's backtest over the complete quarters, computed with it by the results
    worker (``analytics.nowcast.calibrated_nowcast``); None while that is first computed."""
    now = nowcast()
    return None if now is None else now.scores


def nowcast_min_share() -> float:
    """The share of counties that must have reported before a total is estimated (a setting)."""
    from analytics.nowcast import min_share

    return min_share()


def city_coverage() -> pd.DataFrame | None:
    """Each city's own settlement backtest, its 95% band's out-of-sample coverage beside the
    goal (``analytics.evaluation.city_coverage``): asked for when a person opens it, then kept
    by the results worker; None while it is computed."""
    return heavy("city_coverage")


def forecast_skill() -> dict | None:
    """The province forecasts' evaluation and calibration beside simple methods
    (``analytics.evaluation.province_evaluation``, the results worker's)."""
    return heavy("forecast_skill")


_LOOKED_UP: dict = {}  # (name, params) -> Lookup, for results current at this store version


def heavy(name: str, **params):
    """A heavy result (``analytics.results``) as stored, at once: None while it is first
    computed. When the stored one is older than the store, or missing, a caption says so where
    it is used and the page refreshes itself when the new one is ready (``refresh_when_ready``);
    nothing heavy is computed in the page run."""
    from analytics import results

    if results.JOBS[name].view is None and _view() != "released" and _unreleased():
        params = {**params, "view": _view()}
    key = (name, results.params_key(params))
    memo = (engine().url, results.method_version(), *key)  # one store per server; tests: more
    found = _LOOKED_UP.get(memo)
    if found is None:
        found = results.lookup(engine(), name, params)
        if found.current and found.stored is not None:
            _LOOKED_UP[memo] = found
    if found.updating:
        _waiting().add(key)
    stored = found.stored
    if stored is None:
        _result_line("results.computing")
        return None
    if stored.status != "done":
        _result_line("results.failed", st.error)
        return None
    if found.updating:
        _result_line("results.updating", basis=stored.basis or "—", when=_when(stored))
    try:
        return _unpacked(stored.payload)
    except ValueError:  # signed with another key: never unpickled
        _result_line("results.unverified", st.error)
        return None


def _when(stored) -> str:
    from data.i18n.formats import local_time

    return local_time(stored.finished_at)


def _result_line(key: str, draw=None, **fields) -> None:
    from ui.state import tr

    shown = st.session_state.setdefault("_result_lines", set())
    if key in shown:  # one line per page run, however many results wait
        return
    shown.add(key)
    (draw or st.caption)(tr(key, **fields))


def _waiting() -> set:
    return st.session_state.setdefault("_results_waiting", set())


@st.cache_data(show_spinner=False, max_entries=32)
def _unpacked(payload: bytes):
    from data.store.results import unpack

    return unpack(payload)


def start_run() -> None:
    """At the start of every run: no result is waited for yet."""
    st.session_state["_results_waiting"] = set()
    st.session_state["_result_lines"] = set()


def refresh_when_ready() -> None:
    """At the end of a run that met a result still being computed: look every two seconds
    (a fragment, not the page) and rerun the page once they are all current."""
    waiting = set(_waiting())
    if not waiting:
        return

    @st.fragment(run_every=2.0)
    def poll() -> None:
        from analytics import results
        from data.store.version import store_version

        version = store_version(engine())
        if (
            all(results.lookup(engine(), name, _params(key)).current for name, key in waiting)
            or (engine().url, version) != _SEEN["version"]
        ):
            st.rerun(scope="app")

    poll()


def _params(key: str) -> dict:
    import json

    return json.loads(key)


def brief_pdf(period: str, lang_code: str, target_set: str | None = None) -> bytes | None:
    """The leaders' brief as of ``period``, drawn from the results worker's projections as of
    that quarter; None while those are being computed (the page says so, and refreshes)."""
    if projections(period, None) is None:
        return None
    return _brief_pdf(period, lang_code, target_set, _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _brief_pdf(period: str, lang_code: str, target_set: str | None, view: str) -> bytes:
    from analytics.render.brief import brief_bytes
    from data.store.snapshot import read_records, read_snapshot

    snapshot, records = read_snapshot(engine(), view), read_records(engine())  # read once
    return brief_bytes(snapshot, records, period, lang_code, target_set, projections(period, None))


__all__ = [
    "projections",
    "backtests",
    "nowcast",
    "nowcast_backtest",
    "nowcast_min_share",
    "forecast_skill",
    "city_coverage",
    "heavy",
    "start_run",
    "refresh_when_ready",
    "brief_pdf",
]
