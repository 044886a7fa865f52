"""The store's frames and reference, cached: the engine, the region registry, the returns (of
the session's view), the official series, targets, completeness, boundary layers and the
return template. The session's view and language are part of a key where a result holds
either."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.settlement_forecast import MIN_QUARTERS
from data import settings, store
from data.store.observations import read_observations, read_official, store_summary
from geo.regions import PROVINCE_CODE, load_registry

_SEEN = {"version": None}  # the store version this process's caches were filled at


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
    from data.store.approvals import read_approvals

    return calendar(read_approvals(engine()))


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
    from data.store.observations import reporting_state

    return run(reporting_state(engine()), period, select_indicators(group), registry())


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


@st.cache_data(show_spinner=False)
def target_sets() -> pd.DataFrame:
    """Every target set with its source and horizon."""
    from analytics.targets import target_sets as sets
    from data.store.targets import read_target_sets, read_targets
    from geo.regions import PROVINCE_CODE

    return sets(read_target_sets(engine()), read_targets(engine(), PROVINCE_CODE))


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


@st.cache_data(show_spinner=False)
def allocations() -> pd.DataFrame:
    """The cities' allocations of the settlement target (``analytics.targets.allocations``)."""
    from analytics.targets import allocations as of
    from data.store.targets import read_targets

    return of(read_targets(engine()))


@st.cache_data(show_spinner=False)
def province_targets() -> pd.DataFrame:
    from data.store.targets import read_targets
    from geo.regions import PROVINCE_CODE

    return read_targets(engine(), PROVINCE_CODE)


@st.cache_data(show_spinner=False)
def all_targets() -> pd.DataFrame:
    from data.store.targets import read_targets

    return read_targets(engine())


@st.cache_data(show_spinner=False, max_entries=2)
def quality_history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the data-quality scorecard reads (value history and confirmed warnings)."""
    from data.store.audit import confirmed_flags
    from data.store.observations import value_history

    return value_history(engine()), confirmed_flags(engine())


def current_keys() -> pd.DataFrame:
    """The (region_code, period, indicator) triples holding a current value (of the
    session's view)."""
    return _current_keys(_view())


@st.cache_data(show_spinner=False, max_entries=4)
def _current_keys(view: str) -> pd.DataFrame:
    obs = observations()
    return obs[["region_code", "period", "indicator"]].drop_duplicates()


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


@st.cache_data(show_spinner=False)
def official_headline() -> pd.DataFrame:
    """The province and city figures, without the county census rows."""
    from data.reference.official import headline

    return headline(official())


__all__ = [
    "PROVINCE_CODE",
    "MIN_QUARTERS",
    "engine",
    "registry",
    "official",
    "observations",
    "summary",
    "release_calendar",
    "release_line",
    "no_data_text",
    "completeness",
    "completeness_matrix",
    "template",
    "map_layers",
    "target_sets",
    "held_target_sets",
    "default_target_set",
    "allocations",
    "province_targets",
    "all_targets",
    "quality_history",
    "current_keys",
    "headline_quarter",
    "quarters_reported",
    "map_tiles",
    "find_county",
    "next_period",
    "official_headline",
]
