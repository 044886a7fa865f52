"""Every ``st.cache_*`` wrapper of the app, each a one-line call into ``data`` / ``geo`` /
``analytics`` (the core stays undecorated and Streamlit-free). ``cache_resource`` for the engine
and the boundary layers (shared), ``cache_data`` for frames and results (callers get copies).
Call ``clear_data_caches`` after any write. The data caches have no time limit: every run
checks the store's write counter first (``refresh_if_store_changed``) and clears them when any
process has written, so a timer would only recompute unchanged results (under load, every
minute on every replica); ``max_entries`` bounds the ones keyed by a period."""

from __future__ import annotations

from ui.cached import derived, records, results, store
from ui.cached.results import start_run
from ui.cached.store import _SEEN, engine

PARTS = (store, results, derived, records)


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
    results._LOOKED_UP.clear()
    for cached in (
        store.official,
        store.release_calendar,
        store._observations,
        store.summary,
        store._completeness,
        store._completeness_matrix,
        store.allocations,
        store.all_targets,
        store.province_targets,
        store.target_sets,
        store.quality_history,
        store._current_keys,
        store._headline_quarter,
        store.official_headline,
        results._brief_pdf,
        derived._projection_history,
        derived._scenario_result,
        derived._city_ranking,
        derived._clusters,
        derived._quality,
        derived._playback_map,
        derived._freshness,
        derived._map_values,
        derived.urbanization_series,
        derived._city_table,
        derived.reach,
        derived._province_cumulative,
        derived._trend_frame,
        derived._quality_by_indicator,
        records.tasks_frame,
        records.saved_scenarios,
        records.submissions,
        records._review,
        records.review_events,
        records.task_updates,
    ):
        cached.clear()


__all__ = [
    *(name for part in PARTS for name in part.__all__),
    "refresh_if_store_changed",
    "clear_data_caches",
]


def __getattr__(name: str):
    """``ui.cached.<name>``: the part that defines it."""
    for part in PARTS:
        if name in part.__all__:
            return getattr(part, name)
    raise AttributeError(f"module 'ui.cached' has no attribute {name!r}")
