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


# When a figure became public (FACTS.md, "When each figure became public"). Where the source
# gives the day, that day ("exact"); otherwise a stated rule ("approx"), never earlier than the
# figure can have been public:
# - a year's statistical bulletin (统计公报): 31 March of the next year (they appear in its
#   first months; the exact days were not found);
# - the 2010 census: 31 December 2011 (released in 2011, the day not found);
# - the 2020 census (province, cities, counties): 2021-05-19, the provincial press conference;
# - a derived value: with its latest source.
# official_series.csv carries the day on each row; the county census rows (census_county.csv,
# built from the yearbook extracts) take their census's.
CENSUS_PUBLIC = {2010: ("2011-12-31", "approx"), 2020: ("2021-05-19", "exact")}
PUBLICATION_RULE = {
    "zh": "公布日期：来源注明日期者取其日期；统计公报按次年3月31日计（确切日期未查到）；"
    "六普按2011年12月31日计；七普为2021年5月19日（省政府新闻发布会）；推算值取其最新来源的日期。",
    "en": "Dates made public: a source's own date where it gives one; a year's statistical "
    "bulletin counted as public on 31 March of the next year (exact days not found); the 2010 "
    "census on 31 December 2011; the 2020 census on 19 May 2021 (provincial press conference); "
    "a derived value with its latest source.",
}


def bulletin_public(year: int) -> str:
    """The day the rule counts a year's statistical bulletin public (``approx``)."""
    return f"{int(year) + 1}-03-31"


def with_publication(frame: pd.DataFrame) -> pd.DataFrame:
    """``published`` (a Timestamp) and ``published_how`` on every row: the row's own where it
    has one, else its census's (county census rows) or the bulletin rule's."""
    out = frame.copy()
    if "published" not in out:
        out["published"] = None
        out["published_how"] = None
    missing = out.published.isna() | (out.published.astype(str) == "")
    census = out.basis.str.removeprefix("census").astype(int)
    is_census = out.year.astype(int) == census
    rule = [
        CENSUS_PUBLIC[y] if c else (bulletin_public(y), "approx")
        for y, c in zip(out.year.astype(int), is_census & (out.boundary == "admin"), strict=True)
    ]
    out.loc[missing, "published"] = [r[0] for r, m in zip(rule, missing, strict=True) if m]
    out.loc[missing, "published_how"] = [r[1] for r, m in zip(rule, missing, strict=True) if m]
    out["published"] = pd.to_datetime(out.published.astype(str))
    return out


def public_by(frame: pd.DataFrame, day) -> pd.DataFrame:
    """The rows public on ``day`` (a date, Timestamp or ISO text): what a forecast as of that
    day may use."""
    return frame[frame.published <= pd.Timestamp(day)]


def load_official_series(path: Path = SERIES, census: Path | None = CENSUS_COUNTY) -> pd.DataFrame:
    """Return the official series (and, unless ``census`` is None, the county census rows)
    with region codes as text, text columns filled and the day each became public."""
    frames = [
        pd.read_csv(p, dtype={"region_code": str}, keep_default_na=False, na_values={"value": [""]})
        for p in (path, census)
        if p is not None
    ]
    frame = pd.concat(frames, ignore_index=True)
    for col in ("source_url", "note", "licence", "boundary"):
        frame[col] = frame[col].fillna("")
    return with_publication(frame)


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
