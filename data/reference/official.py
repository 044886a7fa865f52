"""Published figures (``official/official_series.csv``): every value with its source and flag.

The 2020 census revised the population base: values carry ``basis`` (census2010 / census2020)
and charts must show the break instead of joining the two series.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

OFFICIAL_DIR = Path(__file__).resolve().parent / "official"
SERIES = OFFICIAL_DIR / "official_series.csv"
META = OFFICIAL_DIR / "official_series.meta.json"
BASIS_LABEL = {
    "census2010": {"zh": "六普口径（2010—2019年）", "en": "2010-census basis (2010–2019)"},
    "census2020": {"zh": "七普口径（2020年起）", "en": "2020-census basis (2020 on)"},
}
FLAG_LABEL = {
    "published": {"zh": "公布值", "en": "published"},
    "derived": {"zh": "推算值", "en": "derived"},
    "unconfirmed": {"zh": "待核实", "en": "unconfirmed"},
}


def load_official_series(path: Path = SERIES) -> pd.DataFrame:
    """Return the official series with region codes as text and sources filled."""
    frame = pd.read_csv(
        path, dtype={"region_code": str}, keep_default_na=False, na_values={"value": [""]}
    )
    frame["source_url"] = frame["source_url"].fillna("")
    frame["note"] = frame["note"].fillna("")
    return frame


def load_meta(path: Path = META) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def province_series(indicator: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One indicator for the province, one row per year, sorted."""
    frame = load_official_series() if frame is None else frame
    out = frame[(frame.region_code == "610000") & (frame.indicator == indicator)]
    return out.sort_values("year").reset_index(drop=True)


def basis_breaks(series: pd.DataFrame) -> list[int]:
    """Years at which the basis changes from the previous row."""
    s = series.sort_values("year")
    changed = s.basis.ne(s.basis.shift()) & s.basis.shift().notna()
    return s.loc[changed, "year"].astype(int).tolist()
