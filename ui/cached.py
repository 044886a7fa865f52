"""Every ``st.cache_*`` wrapper of the app, each a one-line call into ``data`` / ``geo`` /
``analytics`` (the core stays undecorated and Streamlit-free). ``cache_resource`` for the engine
and the boundary layers (shared), ``cache_data`` for frames and results (callers get copies).
Call ``clear_data_caches`` after any write. The data caches have no time limit: every run
checks the store's write counter first (``refresh_if_store_changed``) and clears them when any
process has written, so a timer would only recompute unchanged results (under load, every
minute on every replica); ``max_entries`` bounds the ones keyed by a period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.settlement_forecast import MIN_QUARTERS
from data import settings, store
from data.store.observations import read_observations, read_official, store_summary
from geo.regions import PROVINCE_CODE, load_registry


@st.cache_resource(show_spinner=False)
def engine():
    from data.store.bootstrap import init_store

    eng = store.get_engine()
    if not store.is_initialised(eng):
        init_store(eng)
    return eng


def registry() -> pd.DataFrame:
    """The region registry with names in the page's language (English by rule)."""
    from ui.state import lang

    return _registry(lang())


@st.cache_data(show_spinner=False)
def _registry(lang: str) -> pd.DataFrame:
    from geo.names import localized

    return localized(load_registry(), lang)


def _lang() -> str:
    from ui.state import lang

    return lang()


@st.cache_data(show_spinner=False)
def official() -> pd.DataFrame:
    return read_official(engine())


def _view() -> str:
    from ui.state import view

    return view()


def observations() -> pd.DataFrame:
    """The session's returns: the released quarters, or every one while "include
    provisional" is on (``ui.state.view``)."""
    return _observations(_view())


@st.cache_data(show_spinner=False)
def _observations(view: str) -> pd.DataFrame:
    return read_observations(engine(), view=view)


@st.cache_data(show_spinner=False)
def summary() -> dict:
    return store_summary(engine())


@st.cache_data(show_spinner=False)
def release_calendar() -> pd.DataFrame:
    """Per quarter approved by the province: released, scheduled (its day) or approved
    without a day (``analytics.review.release_calendar``), newest first."""
    from analytics.review import release_calendar as calendar

    return calendar(engine())


def release_line() -> tuple[str, str] | None:
    """The overview's chip: the newest released quarter and the next scheduled release, and
    the whole calendar as its help; None before any quarter is approved."""
    from ui.state import tr

    cal = release_calendar()
    if cal.empty:
        return None
    key = {"released": "released", "scheduled": "scheduled", "approved_province": "approved"}
    items = [
        tr(f"review.calendar_{key[r.state]}", period=r.period, on=r.release_on)
        for r in cal.itertuples()
    ]
    ahead = [i for i, r in zip(items, cal.itertuples(), strict=True) if r.state != "released"]
    done = [i for i, r in zip(items, cal.itertuples(), strict=True) if r.state == "released"]
    shown = (ahead[-1:] if ahead else []) + done[:1]
    sep = tr("list.enum")
    return tr("review.calendar", items=sep.join(shown)), "  \n".join(items[:12])


def _unreleased() -> bool:
    """Whether any current value lies outside the released quarters (else both views are one,
    and the results of the released view serve the provisional one too)."""
    return len(_observations("provisional")) != len(_observations("released"))


def no_data_text() -> str:
    """Why a page has no returns to show: none released yet (while the store holds some and
    the session reads the released ones), or none at all."""
    from ui.state import tr

    if _view() == "released" and summary()["observations"]:
        return tr("view.none_released")
    return tr("app.no_data")


def completeness(group: str | None = None, period: str | None = None):
    """Who has reported for ``period`` (default: the latest quarter with any of the group);
    ``group`` names what counts (settlement, flows, stocks; None: any); names in the page's
    language."""
    return _completeness(group, period, _lang())


@st.cache_data(show_spinner=False)
def _completeness(group: str | None, period: str | None, lang: str):
    from analytics.completeness import completeness as run
    from data.reference.indicators import select_indicators

    return run(engine(), period, select_indicators(group), registry())


def completeness_matrix(group: str | None = None) -> pd.DataFrame:
    """The county x quarter matrix with symbols and county names, for display."""
    return _completeness_matrix(group, _lang())


@st.cache_data(show_spinner=False)
def _completeness_matrix(group: str | None, lang: str) -> pd.DataFrame:
    from analytics.completeness import symbol_matrix

    return symbol_matrix(completeness(group), registry())


@st.cache_data(show_spinner=False)
def template(period: str, scope: str) -> bytes:
    from data.intake.template import template_bytes

    return template_bytes(period, None if scope == PROVINCE_CODE else scope)


@st.cache_resource(show_spinner=False)
def map_layers() -> dict:
    from analytics.maps import boundary_layers

    return boundary_layers()


def projections(as_of: str | None, target_set: str | None = None) -> list[dict] | None:
    """Every target projected as of ``as_of`` (None: each at its newest data), as the results
    worker computed it (``analytics.results``); None while it is first computed."""
    return heavy("projections", as_of=as_of, target_set=target_set)


@st.cache_data(show_spinner=False)
def target_sets() -> pd.DataFrame:
    """Every target set with its source and horizon."""
    from analytics.targets import target_sets as sets

    return sets(engine())


def held_target_sets(after: str | None = None) -> pd.DataFrame:
    """The target sets a page offers (``analytics.targets.held_target_sets``)."""
    from analytics.targets import held_target_sets as held

    return held(target_sets(), after)


def default_target_set() -> str | None:
    """The set a page opens on: the nearest whose horizon is still ahead of today, else the
    latest."""
    from analytics.targets import default_target_set as pick
    from data.reference import periods

    return pick(target_sets(), periods.current_quarter())


def projection_history(indicator: str, as_of: str) -> pd.DataFrame:
    return _projection_history(indicator, as_of, _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _projection_history(indicator: str, as_of: str, view: str) -> pd.DataFrame:
    from analytics.targets import target_history

    return target_history(indicator, as_of, observations(), official(), registry())


def scenario_result(params_json: str) -> dict:
    """One what-if run, cached by its parameters (a slider move back is instant)."""
    return _scenario_result(params_json, _view())


@st.cache_data(show_spinner=False, max_entries=64)
def _scenario_result(params_json: str, view: str) -> dict:
    import json

    from analytics import scenarios

    params = scenarios.ScenarioParams.from_dict(json.loads(params_json))
    return scenarios.run(params, observations(), official(), registry(), targets=province_targets())


def future_quarters(as_of: str, target_set: str | None = None) -> list[str]:
    from analytics.scenarios import future_quarters as quarters

    return quarters(as_of, province_targets(), target_set)


def backtests() -> dict | None:
    """The rolling-origin backtests of both methods (the results worker's)."""
    return heavy("backtests")


@st.cache_data(show_spinner=False)
def allocations() -> pd.DataFrame:
    from analytics.targets import allocations as load

    return load(engine())


@st.cache_data(show_spinner=False)
def province_targets() -> pd.DataFrame:
    from analytics.targets import load_targets

    return load_targets(engine())


@st.cache_data(show_spinner=False)
def all_targets() -> pd.DataFrame:
    from analytics.targets import load_targets

    return load_targets(engine(), None)


def city_ranking(as_of: str):
    return _city_ranking(as_of, _lang(), _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _city_ranking(as_of: str, lang: str, view: str):  # names in ``lang``: part of the key
    from analytics.overview import city_ranking as rank

    return rank(observations(), registry(), allocations(), as_of)


def nowcast():
    """The newest quarter's settlement totals, reported + estimated (``analytics.nowcast``, the
    results worker's); None without settlement returns or while first computed."""
    return heavy("nowcast")


def nowcast_backtest() -> pd.DataFrame | None:
    """The nowcast's backtest over the complete quarters (the results worker's)."""
    return heavy("nowcast_backtest")


def nowcast_min_share() -> float:
    """The share of counties that must have reported before a total is estimated (a setting)."""
    from analytics.nowcast import min_share

    return min_share()


def forecast_skill() -> dict | None:
    """The province forecasts' evaluation and calibration beside simple methods
    (``analytics.evaluation.province_evaluation``, the results worker's)."""
    return heavy("forecast_skill")


# --- heavy results: computed by the worker once per store version, read here -----------------

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


@st.cache_data(show_spinner=False, max_entries=2)
def quality_history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the data-quality scorecard reads (value history and confirmed warnings)."""
    from analytics import quality

    return quality.history_from_store(engine())


def current_keys() -> pd.DataFrame:
    """The (region_code, period, indicator) triples holding a current value (of the
    session's view)."""
    return _current_keys(_view())


@st.cache_data(show_spinner=False, max_entries=4)
def _current_keys(view: str) -> pd.DataFrame:
    obs = observations()
    return obs[["region_code", "period", "indicator"]].drop_duplicates()


def quality(period: str | None, level: str, window: int) -> pd.DataFrame:
    """The ranked data-quality scorecard (``analytics.quality``), names in the page's
    language."""
    return _quality(period, level, window, _lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _quality(period: str | None, level: str, window: int, lang: str) -> pd.DataFrame:
    from analytics import quality as q

    history, flags = quality_history()
    return q.scorecard(history, flags, registry(), period, level, window)


def quality_trend(offices: tuple[str, ...], period: str | None, level: str) -> pd.DataFrame:
    from analytics import quality as q

    history, flags = quality_history()
    return q.trend(history, flags, registry(), list(offices), period, level)


def playback_map(
    level: str,
    indicator: str,
    city: str | None,
    period: str,
    played: tuple[str, ...],
    method: str,
    highlight: str | None,
    height: int,
):
    """The map of ``period`` that plays the quarters ``played`` in the browser
    (``analytics.render.choropleth.playback``), built once per choice and store version."""
    return _playback_map(
        level, indicator, city, period, played, method, highlight, height, _lang(), map_tiles(),
        _view(),
    )  # fmt: skip


# the figure itself, shared and never changed after it is built: a cached copy would be
# unpickled and checked by plotly again on every run (130 ms for the county map)
@st.cache_resource(show_spinner=False, max_entries=16)
def _playback_map(
    level, indicator, city, period, played, method, highlight, height, lang, tiles, view
):
    from analytics.maps import map_values
    from analytics.render.choropleth import drawn_with, playback

    obs, reg, allocs, off = observations(), registry(), allocations(), official()
    frames = {
        q: map_values(obs, reg, level, indicator, q, city, allocs, official=off)
        for q in dict.fromkeys([*played, period])
    }
    layers = map_layers()
    return playback(
        frames,
        period,
        list(played),
        layers[level],
        indicator,
        method,
        lang,
        height=height,
        highlight=highlight,
        tiles=tiles,
        **drawn_with(level, city, layers),
    )


def clusters(indicator: str, period: str | None):
    """Moran's I and the LISA classes of a county indicator (``analytics.clusters``)."""
    return _clusters(indicator, period, _lang(), _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _clusters(indicator: str, period: str | None, lang: str, view: str):  # names, view: keys
    from analytics.clusters import county_clusters

    return county_clusters(observations(), registry(), indicator, period, official())


@st.cache_data(show_spinner=False, max_entries=32)
def tasks_frame(as_of: str) -> pd.DataFrame:
    from analytics.tasks import list_tasks

    return list_tasks(engine(), as_of=as_of)


def brief_pdf(period: str, lang_code: str, target_set: str | None = None) -> bytes | None:
    """The leaders' brief as of ``period``, drawn from the results worker's projections as of
    that quarter; None while those are being computed (the page says so, and refreshes)."""
    if projections(period, None) is None:
        return None
    return _brief_pdf(period, lang_code, target_set, _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _brief_pdf(period: str, lang_code: str, target_set: str | None, view: str) -> bytes:
    from analytics.render.brief import brief_bytes

    return brief_bytes(
        engine(), period, lang_code, target_set, projections(period, None), view=view
    )


def headline_quarter() -> str | None:
    """The quarter headline figures, maps and projections stand at by default: the latest
    complete one (``analytics.overview.freshness``) of the session's view; None without
    returns."""
    return _headline_quarter(_view())


@st.cache_data(show_spinner=False)
def _headline_quarter(view: str) -> str | None:
    from analytics.overview import freshness

    return freshness(observations(), _registry("zh"))["as_of"]  # names play no part


def quarters_reported() -> int:
    """How many quarters the store holds returns for (a forecast needs ``MIN_QUARTERS``)."""
    obs = observations()
    return int(obs.period.nunique()) if len(obs) else 0


def map_tiles() -> str | None:
    return settings.get("map_tiles") or None


def find_county(query: str) -> dict | None:
    from analytics.maps import find_county as find

    return find(query, registry())


def next_period() -> str:
    from analytics.completeness import next_period as after

    return after(summary()["latest_period"])


# ------------------------------------------------------------------ what the pages read
# (each a call into the core; cached where a rerun would read the same, keyed by the session's
# view and language where the result holds either)
def freshness() -> dict:
    """What the returns cover: latest and complete quarter, the quarters still coming in."""
    return _freshness(_view(), _lang())


@st.cache_data(show_spinner=False, max_entries=4)
def _freshness(view: str, lang: str) -> dict:
    from analytics.overview import freshness as fresh

    return fresh(observations(), registry())


def headline_records(target_set: str | None) -> list[dict]:
    """The targets that lead the overview, ``target_set``'s first (None while projecting)."""
    from analytics.overview import headline

    return headline(projections(None) or [], target_set)


def map_values(level: str, indicator: str, period: str | None, city: str | None) -> pd.DataFrame:
    """Each unit's value of a map indicator (``analytics.maps.map_values``)."""
    return _map_values(level, indicator, period, city, _view(), _lang())


@st.cache_data(show_spinner=False, max_entries=32)
def _map_values(level, indicator, period, city, view: str, lang: str) -> pd.DataFrame:
    from analytics.maps import map_values as values

    return values(
        observations(), registry(), level, indicator, period, city, allocations(), official()
    )


def census_notes() -> list[dict]:
    """Per census, the county sum beside the bulletin's province figure."""
    from analytics.census import basis_notes

    return basis_notes(official(), registry())


@st.cache_data(show_spinner=False)
def official_headline() -> pd.DataFrame:
    """The province and city figures, without the county census rows."""
    from data.reference.official import headline

    return headline(official())


@st.cache_data(show_spinner=False)
def urbanization_series() -> pd.DataFrame:
    from analytics.published import urbanization_series as series

    return series(official_headline())


def city_table() -> tuple[pd.DataFrame, bool, tuple | None]:
    """The published figures per city, with the returns' settlement beside them."""
    return _city_table(_view(), _lang())


@st.cache_data(show_spinner=False, max_entries=4)
def _city_table(view: str, lang: str):
    from analytics.published import city_table as table

    return table(official_headline(), registry(), observations(), lang)


@st.cache_data(show_spinner=False, max_entries=8)
def reach(value: float) -> dict:
    """When the urbanization rate reaches ``value`` (``urbanization_forecast.when_reached``)."""
    from analytics.urbanization_forecast import when_reached

    return when_reached(urbanization_series(), value)


def province_cumulative() -> pd.Series:
    """The returns' cumulative settlement of the province, by quarter."""
    return _province_cumulative(_view())


@st.cache_data(show_spinner=False, max_entries=4)
def _province_cumulative(view: str) -> pd.Series:
    from analytics.aggregate import province_cumulative as cumulative

    return cumulative(observations(), registry())


def best_method(scores: pd.DataFrame) -> str:
    """The method with the lowest mean 95% interval score in a skill table."""
    from analytics.skill import best_by_interval_score

    return best_by_interval_score(scores)


def scenario_comparison(result: dict) -> pd.DataFrame:
    """A what-if run's baseline and scenario side by side, one row per measure."""
    from analytics.scenarios import comparison

    return comparison(result, _lang())


@st.cache_data(show_spinner=False)
def saved_scenarios() -> pd.DataFrame:
    from analytics.scenarios import list_saved

    return list_saved(engine())


def trend_frame(level: str, indicator: str, chosen: tuple, mode: str, change: str):
    """One indicator over time for the chosen regions (``analytics.trends``)."""
    return _trend_frame(level, indicator, chosen, mode, change, _view(), _lang())


@st.cache_data(show_spinner=False, max_entries=32)
def _trend_frame(level, indicator, chosen, mode, change, view: str, lang: str):
    from analytics import trends

    if indicator in trends.CENSUS_TRENDS:
        return trends.census_frame(official(), registry(), level, indicator, list(chosen))
    return trends.trend_frame(
        observations(), registry(), level, indicator, list(chosen), mode, change
    )


def quality_by_indicator(quarters: tuple[str, ...]) -> pd.DataFrame:
    """Each county's completeness per indicator over ``quarters``."""
    return _quality_by_indicator(quarters, _view())


@st.cache_data(show_spinner=False, max_entries=8)
def _quality_by_indicator(quarters: tuple[str, ...], view: str) -> pd.DataFrame:
    from analytics.quality import by_indicator

    return by_indicator(current_keys(), registry(), list(quarters))


def confirmed_unusual(period: str) -> list[str]:
    """Counties whose unusual value for ``period`` was confirmed as sent."""
    from analytics.nowcast import confirmed_unusual as unusual

    return unusual(quality_history()[1], period)


@st.cache_data(show_spinner=False)
def submissions() -> pd.DataFrame:
    from data.intake.ingest import list_submissions

    return list_submissions(engine())


def annotated_copy(content: bytes, problems: list, lang: str) -> bytes:
    """The uploaded workbook with each finding marked in its cell."""
    from data.intake.annotate import annotate

    return annotate(content, problems, lang)


def review(period: str):
    """Every office's state in the review cycle of ``period`` (``analytics.review``)."""
    from datetime import date

    return _review(period, date.today().isoformat(), _lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _review(period: str, today: str, lang: str):
    from datetime import date

    from analytics.review import review as state

    return state(engine(), registry(), period, date.fromisoformat(today))


@st.cache_data(show_spinner=False, max_entries=16)
def review_events(period: str) -> pd.DataFrame:
    from data.store.approvals import read_events

    return read_events(engine(), period)


def reviewers(codes: tuple[str, ...]) -> dict[str, str]:
    """Each county's reviewer: its city, or the province for 杨凌示范区."""
    from data.store.approvals import places

    return {c: p.reviewer for c, p in places(codes).items()}


@st.cache_data(show_spinner=False)
def task_updates() -> pd.DataFrame:
    from analytics.tasks import task_updates as updates

    return updates(engine())


def users() -> pd.DataFrame:
    """Every account (read on every run: lock-outs are written by sign-ins, not by pages)."""
    from data.store.users import list_users

    return list_users(engine())


def audit(since, who: str | None, action: str | None) -> pd.DataFrame:
    """The audit trail, filtered (read on every run: an admin sees the newest record)."""
    from data.store.audit import read_audit

    return read_audit(engine(), since, who, action)


def reminder_log() -> pd.DataFrame:
    from data.store.reminders import read_log

    return read_log(engine())


_SEEN = {"version": None}  # the store version this process's caches were filled at


def refresh_if_store_changed() -> None:
    """At the start of every run: when the store's write counter moved (a write by this or any
    other process, another replica included), the data caches are cleared first, so no page
    is drawn from values older than the last commit. One small query per run."""
    from data.store.version import store_version

    now = (engine().url, store_version(engine()))
    if _SEEN["version"] != now:
        clear_data_caches()
        _SEEN["version"] = now
    start_run()


def clear_data_caches() -> None:
    """Call after any write so pages read the new state."""
    _LOOKED_UP.clear()
    for cached in (
        official,
        release_calendar,
        _observations,
        summary,
        _completeness,
        _completeness_matrix,
        _projection_history,
        _scenario_result,
        _city_ranking,
        _clusters,
        allocations,
        all_targets,
        province_targets,
        target_sets,
        tasks_frame,
        _brief_pdf,
        quality_history,
        _quality,
        _current_keys,
        _headline_quarter,
        _playback_map,
        _freshness,
        _map_values,
        official_headline,
        urbanization_series,
        _city_table,
        reach,
        _province_cumulative,
        saved_scenarios,
        _trend_frame,
        _quality_by_indicator,
        submissions,
        _review,
        review_events,
        task_updates,
    ):
        cached.clear()


__all__ = [
    "PROVINCE_CODE",
    "refresh_if_store_changed",
    "refresh_when_ready",
    "heavy",
    "MIN_QUARTERS",
    "engine",
    "registry",
    "official",
    "observations",
    "summary",
    "no_data_text",
    "release_calendar",
    "release_line",
    "completeness",
    "completeness_matrix",
    "template",
    "map_layers",
    "projections",
    "projection_history",
    "scenario_result",
    "future_quarters",
    "backtests",
    "allocations",
    "province_targets",
    "all_targets",
    "city_ranking",
    "tasks_frame",
    "brief_pdf",
    "quarters_reported",
    "headline_quarter",
    "target_sets",
    "default_target_set",
    "clusters",
    "playback_map",
    "nowcast",
    "nowcast_backtest",
    "nowcast_min_share",
    "forecast_skill",
    "quality",
    "quality_history",
    "quality_trend",
    "current_keys",
    "held_target_sets",
    "map_tiles",
    "find_county",
    "next_period",
    "clear_data_caches",
    "freshness",
    "headline_records",
    "map_values",
    "census_notes",
    "official_headline",
    "urbanization_series",
    "city_table",
    "reach",
    "province_cumulative",
    "saved_scenarios",
    "scenario_comparison",
    "best_method",
    "trend_frame",
    "quality_by_indicator",
    "confirmed_unusual",
    "submissions",
    "annotated_copy",
    "review",
    "review_events",
    "reviewers",
    "task_updates",
    "users",
    "audit",
    "reminder_log",
]
