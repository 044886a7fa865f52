"""Published figures: every value with its source, flag, licence, basis and boundary.

Two files make the official series: ``official/official_series.csv`` (province and city figures
from bulletins and yearbooks, in 万人 and %) and ``official/census_county.csv`` (the 107 counties
in both censuses, in persons, built by ``data.reference.census`` from the yearbook extracts).

The 2020 census revised the population base: values carry ``basis`` (census2010 / census2020)
and charts must show the break instead of joining the two series. ``boundary`` says whom a count
includes: "admin" (yearbook, administrative boundary) or "management" (the city census
bulletins); figures on different boundaries are never summed together.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.regions import PROVINCE_CODE

OFFICIAL_DIR = Path(__file__).resolve().parent / "official"
SERIES = OFFICIAL_DIR / "official_series.csv"
CENSUS_COUNTY = OFFICIAL_DIR / "census_county.csv"
META = OFFICIAL_DIR / "official_series.meta.json"
BASIS_LABEL = {
    "census2010": {"zh": "六普口径（2010—2019年）", "en": "2010-census basis (2010–2019)"},
    "census2020": {"zh": "七普口径（2020年起）", "en": "2020-census basis (2020 on)"},
}
WORDING = OFFICIAL_DIR / "wording.csv"
FLAG_LABEL = {
    "published": {"zh": "公布值", "en": "published"},
    "derived": {"zh": "推算值", "en": "derived"},
    "unconfirmed": {"zh": "待核实", "en": "unconfirmed"},
}


def load_official_series(path: Path = SERIES, census: Path | None = CENSUS_COUNTY) -> pd.DataFrame:
    """Return the official series (and, unless ``census`` is None, the county census rows)
    with region codes as text and text columns filled."""
    frames = [
        pd.read_csv(p, dtype={"region_code": str}, keep_default_na=False, na_values={"value": [""]})
        for p in (path, census)
        if p is not None
    ]
    frame = pd.concat(frames, ignore_index=True)
    for col in ("source_url", "note", "licence", "boundary"):
        frame[col] = frame[col].fillna("")
    return frame


def headline(frame: pd.DataFrame) -> pd.DataFrame:
    """The province and city figures (bulletins, yearbooks), without the county census rows."""
    return frame[frame.boundary != "admin"]


def census_counties(frame: pd.DataFrame) -> pd.DataFrame:
    """The county census rows (yearbook, administrative boundary), values in persons."""
    return frame[frame.boundary == "admin"]


def load_meta(path: Path = META) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def province_series(indicator: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One indicator for the province, one row per year, sorted."""
    frame = load_official_series() if frame is None else frame
    out = frame[(frame.region_code == PROVINCE_CODE) & (frame.indicator == indicator)]
    return out.sort_values("year").reset_index(drop=True)


def basis_breaks(series: pd.DataFrame) -> list[int]:
    """Years at which the basis changes from the previous row."""
    s = series.sort_values("year")
    changed = s.basis.ne(s.basis.shift()) & s.basis.shift().notna()
    return s.loc[changed, "year"].astype(int).tolist()


CENSUS_YEARS = (2010, 2020)


def census_stocks(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per county (indexed by code): pop2010, urban2010, pop2020, urban2020 in persons."""
    table = census_counties(frame).pivot_table(
        index="region_code", columns=["indicator", "year"], values="value", aggfunc="first"
    )
    out = pd.DataFrame(index=table.index)
    for y in CENSUS_YEARS:
        out[f"pop{y}"] = table[("resident_pop", y)]
        out[f"urban{y}"] = table[("urban_resident_pop", y)]
    return out


@lru_cache(maxsize=1)
def _wording() -> list[tuple[str, dict[str, str]]]:
    table = pd.read_csv(WORDING, dtype=str, keep_default_na=False)
    rows = [(r.stored, {"zh": r.zh, "en": r.en}) for r in table.itertuples(index=False)]
    return sorted(rows, key=lambda r: -len(r[0]))  # the longest fragment first


def wording(text: str | None, lang: str) -> str:
    """A source title, note or licence of the official series as ``lang`` reads it
    (``official/wording.csv``): a note in the page's language, the English remarks after a
    Chinese document title in Chinese, Chinese place names in a note in English. A document's
    own title stays as published (it has no official translation)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    text = str(text)
    for stored, said in _wording():
        if text == stored:
            return said[lang]
    for stored, said in _wording():
        if stored in text:
            text = text.replace(stored, said[lang])
    return text
