"""The one UI helper module: language state, cached calls into the core, shared widgets.

Every ``st.cache_*`` wrapper lives here and is a one-line call into ``data`` / ``geo`` /
``analytics``; the core stays undecorated and Streamlit-free.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import messages, settings, store
from data.observations import read_observations, read_official, store_summary
from geo.regions import load_registry

# Every page of the app: (script, title key, icon, url path, menu group key).
# app.py registers exactly these; the first is the landing page. A url path must differ from
# its script's file name: on a fresh server a deep link equal to a file name in pages/ is
# served by Streamlit's old pages-folder mode, before app.py has called st.navigation.
PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    ("pages/leaders_view.py", "page.leaders", ":material/dashboard:", "overview", "nav.monitor"),
    ("pages/trends_view.py", "page.trends", ":material/show_chart:", "trends", "nav.monitor"),
    ("pages/map_view.py", "page.map", ":material/map:", "map", "nav.monitor"),
    (
        "pages/projection_view.py",
        "page.projection",
        ":material/trending_up:",
        "projection",
        "nav.monitor",
    ),
    ("pages/whatif_view.py", "page.whatif", ":material/tune:", "whatif", "nav.monitor"),
    ("pages/tasks_view.py", "page.tasks", ":material/checklist:", "tasks", "nav.plan"),
    ("pages/returns_upload.py", "page.returns", ":material/upload_file:", "returns", "nav.data"),
    ("pages/data_overview.py", "page.overview", ":material/monitoring:", "published", "nav.data"),
)


# ----------------------------------------------------------------------------- language
def lang() -> str:
    """The session's language: the switch's value, else ``?lang=``, else the default."""
    if "lang" in st.session_state:
        return st.session_state["lang"]
    first = st.query_params.get("lang")
    return first if first in messages.LANGS else settings.get("language")


def tr(key: str, **fields) -> str:
    return messages.t(key, lang(), **fields)


def language_switch() -> None:
    """Sidebar switch kept in the session; a link with ``?lang=en`` opens in English.

    The first choice comes from the radio's ``index``, never from pre-setting its session
    state: a pre-set value left the radio out of sync and swallowed the first click.
    """
    first = lang()
    st.sidebar.radio(
        messages.t("app.language"),
        options=list(messages.LANGS),
        index=messages.LANGS.index(first),
        key="lang",
        horizontal=True,
        format_func=lambda c: {"zh": "中文", "en": "English"}[c],
    )


# ----------------------------------------------------------------------------- cached core calls
@st.cache_resource(show_spinner=False)
def engine():
    eng = store.get_engine()
    if not store.is_initialised(eng):
        from data.bootstrap import init_store

        init_store(eng)
    return eng


@st.cache_data(show_spinner=False)
def registry() -> pd.DataFrame:
    return load_registry()


@st.cache_data(show_spinner=False, ttl=300)
def official() -> pd.DataFrame:
    return read_official(engine())


@st.cache_data(show_spinner=False, ttl=60)
def observations() -> pd.DataFrame:
    return read_observations(engine())


@st.cache_data(show_spinner=False, ttl=60)
def summary() -> dict:
    return store_summary(engine())


@st.cache_data(show_spinner=False, ttl=60)
def completeness():
    from data.completeness import completeness as run

    return run(engine())


@st.cache_data(show_spinner=False, ttl=60)
def completeness_matrix() -> pd.DataFrame:
    """The county x quarter matrix with symbols and county names, for display."""
    comp = completeness()
    symbols = {"submitted": "✓", "revised": "↻", "missing": "·"}
    names = registry().set_index("code").name
    matrix = comp.matrix.replace(symbols)
    matrix.index = [f"{c} {names[c]}" for c in matrix.index]
    return matrix


@st.cache_data(show_spinner=False)
def template(period: str, scope: str) -> bytes:
    from data.template import template_bytes

    return template_bytes(period, None if scope == "610000" else scope)


@st.cache_resource(show_spinner=False)
def map_layers() -> dict:
    from geo.boundaries import layers

    return layers()


@st.cache_data(show_spinner=False, ttl=60)
def projections(as_of: str) -> list[dict]:
    from analytics.targets import project_targets

    return project_targets(engine(), as_of=as_of)


@st.cache_data(show_spinner=False, ttl=60)
def projection_history(indicator: str, as_of: str) -> pd.DataFrame:
    """Observed values known by ``as_of``: cumulative settlements since 2014Q1 per quarter, or
    the published urbanization rate per year with its census basis."""
    if indicator == "settled_cumulative":
        from analytics.aggregate import aggregate

        wide = aggregate(observations(), registry(), "province")
        part = wide[(wide.period >= "2014Q1") & (wide.period <= as_of)].sort_values("period")
        return pd.DataFrame({"period": part.period, "value": part.settled_total.cumsum()})
    off = official()
    last_year = int(as_of[:4]) if as_of.endswith("Q4") else int(as_of[:4]) - 1
    part = off[
        (off.region_code == "610000")
        & (off.indicator == "urbanization_rate")
        & (off.year <= last_year)
    ].sort_values("year")
    return pd.DataFrame({"period": part.year.astype(str), "value": part.value, "basis": part.basis})


@st.cache_data(show_spinner=False, ttl=60, max_entries=64)
def scenario_result(params_json: str) -> dict:
    """One what-if run, cached by its parameters (a slider move back is instant)."""
    import json

    from analytics import scenarios

    params = scenarios.ScenarioParams.from_dict(json.loads(params_json))
    return scenarios.run(params, observations(), official(), registry())


def future_quarters(as_of: str) -> list[str]:
    from data import periods

    return periods.quarter_range(periods.shift(as_of, 1), "2020Q4") or [periods.shift(as_of, 1)]


@st.cache_data(show_spinner=False, ttl=300)
def backtests() -> dict:
    """Rolling-origin backtests of both methods (settlements: 4 quarters ahead; urbanization:
    1 year ahead), with their summaries."""
    from analytics import backtest
    from analytics.aggregate import aggregate
    from data.official import province_series

    flows = aggregate(observations(), registry(), "province").set_index("period").settled_total
    settled = backtest.backtest_settlements(flows.dropna())
    rate = backtest.backtest_urbanization(province_series("urbanization_rate", official()))
    return {
        "settled_cumulative": (settled, backtest.summary(settled)),
        "urbanization_rate": (rate, backtest.summary(rate)),
    }


def fmt_persons(value: float) -> str:
    return messages.format_persons(value, lang())


def fmt_target(value: float, unit: str) -> str:
    return messages.format_target_value(value, unit, lang())


# Streamlit badge colours of the Open SDG progress classes (pages 总览 and 预测)
STATUS_COLORS = {
    "on_track": "green",
    "acceleration_needed": "orange",
    "limited_progress": "red",
    "moving_away": "violet",
}


@st.cache_data(show_spinner=False, ttl=60)
def allocations() -> pd.DataFrame:
    from analytics.targets import allocations as load

    return load(engine())


@st.cache_data(show_spinner=False, ttl=60)
def all_targets() -> pd.DataFrame:
    from analytics.targets import load_targets

    return load_targets(engine(), None)


@st.cache_data(show_spinner=False, ttl=60)
def city_ranking(as_of: str):
    from analytics.leaders import city_ranking as rank

    return rank(observations(), registry(), allocations(), as_of)


@st.cache_data(show_spinner=False, ttl=60)
def tasks_frame(as_of: str) -> pd.DataFrame:
    from data.tasks import list_tasks

    return list_tasks(engine(), as_of=as_of)


@st.cache_data(show_spinner=False, ttl=300)
def brief_pdf(period: str, lang_code: str) -> bytes:
    from analytics.brief import brief_bytes

    return brief_bytes(engine(), period, lang_code)


def origin_quarters() -> list[str]:
    """Quarters a forecast can start from (enough history before them); stops the page with
    the how-to-load message when there are none."""
    from analytics.settlement_forecast import MIN_QUARTERS

    obs = observations()
    quarters = sorted(obs.period.unique()) if len(obs) else []
    if len(quarters) < MIN_QUARTERS:
        st.info(tr("app.no_data"))
        st.stop()
    return quarters[MIN_QUARTERS - 1 :]


def map_tiles() -> str | None:
    return settings.get("map_tiles") or None


def find_county(query: str) -> dict | None:
    """A county by current or old name or code: name, code and city, or None."""
    from geo.regions import default_resolver

    res = default_resolver().resolve(query, level="county")
    if not res.ok:
        return None
    reg = registry().set_index("code")
    parent = reg.at[res.code, "stat_parent_code"]
    city = reg.at[res.code, "stat_name"] if parent == "610000" else reg.at[parent, "name"]
    return {
        "name": res.name,
        "code": res.code,
        "city": city,
        "city_code": res.code if parent == "610000" else parent,
    }


def map_table(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    from analytics.maps import MAP_INDICATORS

    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang() == "zh" else spec.unit_en
    out = frame.sort_values("rank").rename(
        columns={
            "code": tr("col.code"),
            "name": tr("col.region"),
            "value": f"{tr(f'map.ind.{indicator}')} ({unit})",
            "previous": tr("map.change"),
            "rank": tr("map.rank"),
        }
    )
    out[tr("map.change")] = frame.value - frame.previous
    return out


def download_row(frame: pd.DataFrame, stem: str, prefix: str) -> None:
    """CSV and XLSX buttons for a table and where the chart's PNG is (labels ``prefix.*``)."""
    b1, b2, b3 = st.columns(3)
    b1.download_button(
        tr(f"{prefix}.download_csv"),
        frame.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{stem}.csv",
        mime="text/csv",
    )
    b2.download_button(tr(f"{prefix}.download_xlsx"), to_xlsx(frame), file_name=f"{stem}.xlsx")
    b3.caption(tr(f"{prefix}.download_png"))


def to_xlsx(frame: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    return buf.getvalue()


def scope_options() -> dict[str, str]:
    """Province, the ten cities and 杨凌示范区, for scope pickers."""
    reg = registry()
    out = {"610000": tr("returns.province")}
    out.update(dict(zip(reg[reg.level == "city"].code, reg[reg.level == "city"].name, strict=True)))
    out.update({c: s for c, s in zip(reg.code, reg.stat_name, strict=True) if isinstance(s, str)})
    return out


def next_period() -> str:
    """The quarter after the latest stored one (never past the current quarter)."""
    from data import periods

    latest = summary()["latest_period"]
    now = periods.current_quarter()
    return min(periods.shift(latest, 1), now) if latest else now


def clear_data_caches() -> None:
    """Call after any write so pages read the new state."""
    observations.clear()
    summary.clear()
    completeness.clear()
    completeness_matrix.clear()
    projections.clear()
    projection_history.clear()
    scenario_result.clear()
    city_ranking.clear()
    all_targets.clear()
    tasks_frame.clear()
    brief_pdf.clear()


# ----------------------------------------------------------------------------- widgets
def demo_badge() -> None:
    """The 示例数据 / demo data label with its explanation, wherever demo values are shown."""
    st.badge(tr("demo.badge"), icon=":material/science:", color="orange")
    st.caption(tr("demo.explain"))


def sources(lines: list[str], shown: int = 3) -> None:
    """Sources under a chart: the first few inline, every one (with addresses) on demand."""
    titles = list(dict.fromkeys(line.split(" — ")[0] for line in lines))
    more = "" if len(titles) <= shown else f" …（+{len(titles) - shown}）"
    st.caption(tr("overview.sources") + "：" + "；".join(titles[:shown]) + more)
    with st.expander(tr("overview.sources_more", n=len(lines))):
        st.caption("  \n".join(f"· {line}" for line in lines))
