"""Export current values as tidy rows, aggregated to county, city or province level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.aggregate import aggregate
from data.downloads import csv_bytes, xlsx_bytes
from data.reference import indicators
from data.store import Engine
from data.store.observations import read_observations
from geo.regions import load_registry

COLUMNS = ["region_code", "region_name", "level", "period", "indicator", "value"]


def export_frame(
    level: str = "county", engine: Engine | None = None, view: str = "released"
) -> pd.DataFrame:
    """The returns as a tidy table for download.

    City and province values aggregate counties by each indicator's rule (flows and stocks
    summed, ratios recomputed).

    Parameters
    ----------
    level : str
        "county", "city" or "province".
    engine : Engine or None
        The store; None: the configured one.
    view : str
        Which returns (``data.store.observations.VIEWS``).

    Returns
    -------
    pandas.DataFrame
        region_code, region_name, level, period, indicator, value.
    """
    obs = read_observations(engine, view=view)
    reg = load_registry()
    if obs.empty:
        return pd.DataFrame(columns=COLUMNS)
    wide = aggregate(obs, reg, level)
    codes = [c for c in (i.code for i in indicators.INDICATORS) if c in wide]
    tidy = wide.melt(
        id_vars=["region_code", "period"],
        value_vars=codes,
        var_name="indicator",
        value_name="value",
    ).dropna(subset=["value"])
    names = reg.set_index("code").name.to_dict()
    if level == "city":
        names.update(
            {c: s for c, s in zip(reg.code, reg.stat_name, strict=True) if isinstance(s, str)}
        )
    tidy.insert(1, "region_name", tidy.region_code.map(names))
    tidy.insert(2, "level", level)
    order = {c: i for i, c in enumerate(codes)}
    tidy = tidy.sort_values(
        ["region_code", "period", "indicator"],
        key=lambda s: s.map(order) if s.name == "indicator" else s,
    )
    return tidy[COLUMNS].reset_index(drop=True)


def write_export(
    path: Path | str, level: str = "county", engine: Engine | None = None, view: str = "released"
) -> int:
    """Write the export to ``.csv`` (UTF-8 with BOM, opens in Excel) or ``.xlsx``.

    Parameters
    ----------
    path : pathlib.Path or str
        The file; its suffix says the format.
    level : str
        "county", "city" or "province".
    engine : Engine or None
        The store; None: the configured one.
    view : str
        Which returns.

    Returns
    -------
    int
        The rows written.
    """
    path = Path(path)
    frame = export_frame(level, engine, view)
    if path.suffix.lower() == ".csv":
        path.write_bytes(csv_bytes(frame))
    elif path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(frame))
    else:
        raise ValueError(f"export writes .csv or .xlsx, not {path.suffix or 'no extension'}")
    return len(frame)
