"""Shared widgets: the demo badge, sources under a chart, the download row, scope pickers, the
Open SDG status colours and the map table's labels."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from data.downloads import csv_bytes, xlsx_bytes
from ui.cached import find_county, no_data_text, observations, registry
from ui.state import tr

# Streamlit badge colours of the Open SDG progress classes (pages 总览 and 预测)
STATUS_COLORS = {
    "on_track": "green",
    "acceleration_needed": "orange",
    "limited_progress": "red",
    "moving_away": "violet",
}


def demo_badge() -> None:
    """The 示例数据 / demo data label with its explanation, wherever demo values are shown."""
    st.badge(tr("demo.badge"), icon=":material/science:", color="orange")
    st.caption(tr("demo.explain"))


def sources(lines: list[str], shown: int = 3) -> None:
    """Sources under a chart: the first few inline, every one (with addresses) on demand."""
    titles = list(dict.fromkeys(line.split(" — ")[0] for line in lines))
    more = "" if len(titles) <= shown else " …" + tr("punct.aside", text=f"+{len(titles) - shown}")
    st.caption(
        tr("published.sources") + tr("punct.colon") + tr("list.semi").join(titles[:shown]) + more
    )
    with st.expander(tr("published.sources_more", n=len(lines))):
        st.caption("  \n".join(f"· {line}" for line in lines))


def download_row(frame: pd.DataFrame, stem: str, prefix: str) -> None:
    """CSV and XLSX buttons for a table and where the chart's PNG is (labels ``prefix.*``)."""
    b1, b2, b3 = st.columns(3)
    # the files are made when a button is pressed, not on every run of the page
    b1.download_button(
        tr(f"{prefix}.download_csv"),
        lambda: csv_bytes(frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
    )
    b2.download_button(
        tr(f"{prefix}.download_xlsx"), lambda: to_xlsx(frame), file_name=f"{stem}.xlsx"
    )
    b3.caption(tr(f"{prefix}.download_png"))


def to_xlsx(frame: pd.DataFrame) -> bytes:
    return xlsx_bytes(frame)


def to_csv(frame: pd.DataFrame) -> bytes:
    """A table as a CSV download (``data.downloads.csv_bytes``)."""
    return csv_bytes(frame)


def scope_options(regions: tuple[str, ...] | None = None) -> dict[str, str]:
    """Province, the ten cities and 杨凌示范区, for scope pickers; or only ``regions`` (a
    statistician's assignment: cities, 杨凌示范区 or counties) by name."""
    from geo.regions import PROVINCE_CODE, reporting_units

    reg = registry()
    if regions is not None:
        names = reg.set_index("code")
        return {c: names.at[c, "stat_name"] or names.at[c, "name"] for c in regions}
    units = reporting_units(reg)
    return {PROVINCE_CODE: tr("returns.province"), **dict(zip(units.code, units.name, strict=True))}


def origin_quarters() -> list[str]:
    """Quarters a forecast can start from (enough history before them); stops the page with
    the how-to-load message when there are none."""
    from analytics.settlement_forecast import MIN_QUARTERS

    obs = observations()
    quarters = sorted(obs.period.unique()) if len(obs) else []
    if len(quarters) < MIN_QUARTERS:
        st.info(no_data_text())
        st.stop()
    return quarters[MIN_QUARTERS - 1 :]


def jump_to_county() -> None:
    """The map's search box (key ``map_search``), as its on_change callback: drill into the
    county's city and outline the county. A widget keeps its callbacks as long as the session
    lives, so they are defined here, never in a page: a function made in a page script holds
    that page's whole namespace (its frames and figures) in memory for every session."""
    state = st.session_state
    hit = find_county(state["map_search"]) if state["map_search"] else None
    state["map_highlight"] = hit["code"] if hit else None
    if hit:
        state["map_city"] = hit["city_code"]


def drill_into_city(chart_key: str, cities: tuple[str, ...]) -> None:
    """The map's on_select callback: a click on one of ``cities`` selects it, so the map shows
    its counties (it runs before the rerun, so the city picker's state may still be set)."""
    state = st.session_state
    points = state[chart_key]["selection"]["points"]
    if points and points[0].get("location") in cities:
        state["map_city"] = points[0]["location"]


# what a table shows for a missing value (Streamlit's grid writes "None" unless told otherwise):
# the statistical tables' dash for "no figure"
MISSING = "—"


# The data grid draws on a canvas in 14 px Source Sans with 8 px either side of a cell and cuts
# what does not fit with "…". A column's width is taken from its widest text, measured with
# these per-character widths (em, rounded up from Source Sans 3; a Chinese character is 1 em).
_FONT_PX = 14
_CELL_PAD_PX = 2 * 8 + 6  # the grid's padding, and a little room
_MAX_COLUMN_PX = 1000  # a longer text makes the grid scroll sideways, never cuts the text
_EM = {
    **dict.fromkeys("iljI.,:;'|!()[]{} ", 0.3),
    **dict.fromkeys("frt-/", 0.4),
    **dict.fromkeys("mwMW%@", 0.9),
    **dict.fromkeys("0123456789", 0.55),
}


def text_px(text: str) -> float:
    """How wide ``text`` is drawn in the grid's font, in pixels (an upper estimate)."""
    import unicodedata

    em = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            em += 1.0
        elif ch in _EM:
            em += _EM[ch]
        else:
            em += 0.68 if ch.isupper() else 0.56
    return em * _FONT_PX


def _shown(series: pd.Series, config) -> pd.Series:
    """A column's values as the grid writes them (numbers with their format's decimals)."""
    fmt = (config or {}).get("type_config", {}).get("format") if isinstance(config, dict) else None
    if pd.api.types.is_datetime64_any_dtype(series):  # the grid writes the time, even 00:00:00
        return series.dropna().dt.strftime("%Y-%m-%d %H:%M:%S")
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        decimals = int(fmt[2]) if fmt and fmt.startswith("%.") and fmt.endswith("f") else None
        return series.dropna().map(
            lambda v: f"{v:,.{decimals}f}" if decimals is not None else f"{v:,}"
        )
    return series.dropna().astype(str)


_LINE_PX = 21  # a line of text in the grid
# the grid wraps text only in rows taller than 4 rem (Streamlit's rule); a text wider than this
# is wrapped there, a shorter one (a status, a name) stays on one line
_WRAP_ABOVE_ROW_PX = 64
_WRAP_WIDER_THAN_PX = 300


def wrapped_lines(row_height: int | None) -> int:
    """How many lines of text a grid row of ``row_height`` px shows (1: no wrapping)."""
    if not row_height or row_height <= _WRAP_ABOVE_ROW_PX:
        return 1
    return max(1, (row_height - 16) // _LINE_PX)


def _measured(frame: pd.DataFrame, config: dict | None, index: bool) -> tuple[dict, list]:
    """The config to fill in, and per column to size: (name, its config, header px, widest
    text px, whether it holds numbers). Measured once: sizing is arithmetic on these."""
    out = dict(config or {})
    columns = {name: frame[name] for name in frame.columns}
    if index:
        columns["_index"] = frame.index.to_series().astype(str)
    measured = []
    for name, values in columns.items():
        given = out.get(name, {})
        if given is None or (isinstance(given, dict) and given.get("width") is not None):
            continue  # hidden, or sized by the page
        cfg = {"label": given} if isinstance(given, str) else dict(given)
        header = text_px(str(cfg.get("label") or ("" if name == "_index" else name)))
        texts = _shown(values, cfg)
        longest = texts.loc[texts.str.len().nlargest(8).index] if len(texts) else texts
        widest = max([0.0, *map(text_px, longest)])
        numeric = pd.api.types.is_numeric_dtype(values)
        measured.append((name, cfg, header, widest, numeric))
    return out, measured


def _sized(out: dict, measured: list, lines: int, wrap_above: float) -> dict:
    """``out`` with each measured column's width: its header or widest text, a text wider
    than ``wrap_above`` px wrapped over ``lines`` lines (never narrower than ``wrap_above``)."""
    out = dict(out)
    for name, cfg, header, widest, numeric in measured:
        if lines > 1 and widest > wrap_above and not numeric:
            widest = max(wrap_above, widest / (lines * 0.8))
        width = math.ceil(min(_MAX_COLUMN_PX, max(header, widest) + _CELL_PAD_PX))
        out[name] = {**cfg, "width": width}
    return out


def fitted_columns(
    frame: pd.DataFrame,
    config: dict | None = None,
    lines: int = 1,
    index: bool = False,
    wrap_above: float = _WRAP_WIDER_THAN_PX,
) -> dict:
    """``config`` with each shown column's width set from its header and its widest value, so
    that no header or cell is cut (a width the page set itself is kept). With rows of
    ``lines`` lines a text wider than ``wrap_above`` px wraps: its column needs a ``lines``-th
    of its width, with room for the words that do not fill a line (and never less than
    ``wrap_above``). ``index``: the index is shown, and sized too."""
    return _sized(*_measured(frame, config, index), lines, wrap_above)


# the main column's width at 1366x768 with the menu open (a grid there is 904 px wide); a
# table in one of two columns gets half of it
MAIN_PX = 900
_ROW_MARKER_PX = 32
_MOST_LINES = 4  # a wrapped cell's lines at most: a taller row hides too much of the grid
_WRAP_FLOORS = (_WRAP_WIDER_THAN_PX, 200, 140)  # the narrowest a wrapped column gets, in turn


def fitted_to(
    frame: pd.DataFrame, config: dict | None, room_px: float, lines: int = 1, index: bool = False
) -> tuple[dict, int]:
    """``fitted_columns`` within ``room_px``: when the columns are wider than that, the widest
    texts wrap onto more lines (up to ``_MOST_LINES``; never a number, never narrower than its
    header) and the columns share the room. Returns the columns' config and the lines a row
    needs (the grid's row height follows from it: ``row_px``). A grid that cannot fit stays on
    one line a row and scrolls sideways with its first column pinned."""
    base, measured = _measured(frame, config, index)
    names = [m[0] for m in measured]

    def width(out: dict) -> int:
        return sum(out[n]["width"] for n in names)

    one = _sized(base, measured, lines, _WRAP_WIDER_THAN_PX)
    if width(one) <= room_px:
        return one, lines
    if any(not numeric and widest > _WRAP_FLOORS[-1] for *_, widest, numeric in measured):
        for more in range(max(lines, 2), _MOST_LINES + 1):
            for above in _WRAP_FLOORS:
                out = _sized(base, measured, more, above)
                if width(out) <= room_px:
                    return out, more
    # too wide even so (a matrix of quarters, many counts side by side): one line a row, the
    # grid scrolls sideways with its first column (the row's name) pinned
    first = "_index" if index else next(iter(frame.columns), None)
    if first is not None and isinstance(one.get(first), dict):
        one[first] = {**one[first], "pinned": True}
    return one, lines


def row_px(lines: int) -> int | None:
    """The row height that shows ``lines`` lines of wrapped text (None: the grid's own)."""
    return None if lines <= 1 else max(_WRAP_ABOVE_ROW_PX + 8, 16 + lines * _LINE_PX)


def table(where, data, room_px: float = MAIN_PX, **kwargs):
    """``where.dataframe(data, …)`` (``where``: st, a column or a container) with missing values
    drawn as a dash, never as "None", and each column as wide as its widest text, the long
    texts wrapped so that the grid fits ``room_px`` (see ``fitted_to``)."""
    kwargs.setdefault("placeholder", MISSING)
    if isinstance(data, pd.DataFrame):
        lines = wrapped_lines(kwargs.get("row_height"))
        shown = data[kwargs["column_order"]] if kwargs.get("column_order") else data
        if "row" in str(kwargs.get("selection_mode", "")):
            room_px -= _ROW_MARKER_PX  # the column of row check boxes
        config, need = fitted_to(
            shown, kwargs.get("column_config"), room_px, lines, index=not kwargs.get("hide_index")
        )
        kwargs["column_config"] = config
        if need > lines:
            kwargs["row_height"] = row_px(need)
    return where.dataframe(data, **kwargs)


__all__ = [
    "table",
    "MAIN_PX",
    "MISSING",
    "jump_to_county",
    "drill_into_city",
    "STATUS_COLORS",
    "demo_badge",
    "sources",
    "download_row",
    "to_xlsx",
    "to_csv",
    "scope_options",
    "origin_quarters",
]
