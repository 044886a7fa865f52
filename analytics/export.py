"""Export current values as tidy rows, aggregated to county, city or province level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.aggregate import aggregate
from data.downloads import csv_bytes, xlsx_bytes
from data.reference import indicators
from geo.regions import load_registry

COLUMNS = ["region_code", "region_name", "level", "period", "indicator", "value"]


def export_frame(obs: pd.DataFrame, level: str = "county") -> pd.DataFrame:
    """The returns as a tidy table for download.

    City and province values aggregate counties by each indicator's rule (flows and stocks
    summed, ratios recomputed).

    Parameters
    ----------
    obs : pandas.DataFrame
        The county returns (``data.store.observations.read_observations`` of the view asked
        for, read at the edge).
    level : str
        "county", "city" or "province".

    Returns
    -------
    pandas.DataFrame
        region_code, region_name, level, period, indicator, value.
    """
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


def write_export(path: Path | str, obs: pd.DataFrame, level: str = "county") -> int:
    """Write the export to ``.csv`` (UTF-8 with BOM, opens in Excel) or ``.xlsx``.

    Parameters
    ----------
    path : pathlib.Path or str
        The file; its suffix says the format.
    obs : pandas.DataFrame
        The county returns (as ``export_frame``).
    level : str
        "county", "city" or "province".

    Returns
    -------
    int
        The rows written.
    """
    path = Path(path)
    frame = export_frame(obs, level)
    if path.suffix.lower() == ".csv":
        path.write_bytes(csv_bytes(frame))
    elif path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(frame))
    else:
        raise ValueError(f"export writes .csv or .xlsx, not {path.suffix or 'no extension'}")
    return len(frame)
