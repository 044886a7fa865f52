"""County census figures (6th census 2010, 7th census 2020) carried into the official series.

The yearbook extracts in ``census/`` (their provenance in ``census/SOURCE.md``, licence in
``census/LICENSE``, and how to read each file in ``census/census.meta.json``) are converted into
``official/census_county.csv``: one row per county, census and indicator (resident_pop,
urban_resident_pop, in persons), each with its source, licence, basis and boundary ("admin":
the yearbook counts by administrative boundary). Codes and names of 2010 are those of 2010: every
county row is resolved through the region crosswalk, by its code and by its name, and a row whose
two do not lead to the same current county is an error (never dropped). The counties of each
census must add up to the file's own province row.

    python -m data.reference.census          rebuild official/census_county.csv
    python -m data.reference.census --check  exit 1 when the committed file is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from geo.regions import PROVINCE_CODE, Resolver, default_resolver

HERE = Path(__file__).resolve().parent
RAW_DIR = HERE / "census"
META = RAW_DIR / "census.meta.json"
OUT = HERE / "official" / "census_county.csv"
INDICATORS = {"total": "resident_pop", "urban": "urban_resident_pop"}
COUNTIES = 107  # county-level units of Shaanxi in both censuses


class CensusError(ValueError):
    """A census file that cannot be carried into the official series as it is."""


def load_meta(path: Path = META) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _level(code: str) -> str:
    return "province" if code == PROVINCE_CODE else "city" if code.endswith("00") else "county"


def convert_one(raw: pd.DataFrame, spec: dict, meta: dict, resolver: Resolver) -> pd.DataFrame:
    """The official-series rows of one census file (``raw`` read as text)."""
    year, cols = spec["year"], spec["columns"]
    missing = [c for c in cols.values() if c not in raw.columns]
    if missing:
        raise CensusError(f"census {year}: columns not found: {', '.join(missing)}")
    frame = raw.rename(columns={v: k for k, v in cols.items()})[list(cols)]
    frame["code"] = frame.code.str.strip()
    frame["name"] = frame.name.str.strip()
    for col in ("total", "urban"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["level"] = frame.code.map(_level)
    bad_numbers = frame[frame[["total", "urban"]].isna().any(axis=1)]
    if len(bad_numbers):
        rows = "; ".join(f"{r.code} {r.name}" for r in bad_numbers.itertuples())
        raise CensusError(f"census {year}: population missing or not a number: {rows}")
    counties = frame[frame.level == "county"].copy()
    unresolved, current = [], []
    for r in counties.itertuples():
        by_code = resolver.resolve(r.code, level="county")
        parent = by_code.code[:4] + "00" if by_code.ok else None
        by_name = resolver.resolve(r.name, parent=parent, level="county")
        if by_code.ok and by_name.ok and by_code.code == by_name.code:
            current.append(by_code.code)
            continue
        why = by_code.note if not by_code.ok else by_name.note or "code and name disagree"
        if by_code.ok and by_name.ok:
            why = f"code gives {by_code.name}, name gives {by_name.name}"
        unresolved.append(f"{r.code} {r.name} ({why})")
        current.append(None)
    if unresolved:
        raise CensusError(
            f"census {year}: {len(unresolved)} row(s) do not resolve to a current county: "
            + "; ".join(unresolved)
        )
    counties["current"] = current
    twice = counties[counties.current.duplicated(keep=False)]
    if len(twice):
        rows = "; ".join(f"{r.code} {r.name}" for r in twice.itertuples())
        raise CensusError(f"census {year}: several rows resolve to one county: {rows}")
    if len(counties) != COUNTIES:
        raise CensusError(f"census {year}: {len(counties)} counties, expected {COUNTIES}")
    province = frame[frame.level == "province"]
    if len(province) != 1:
        raise CensusError(f"census {year}: expected one province row, found {len(province)}")
    for col in ("total", "urban"):
        if counties[col].sum() != province[col].iloc[0]:
            raise CensusError(
                f"census {year}: the counties' {INDICATORS[col]} add up to "
                f"{counties[col].sum():,.0f}, the province row says {province[col].iloc[0]:,.0f}"
            )
    names = resolver.registry.set_index("code").name
    rows = []
    for r in counties.itertuples():
        renamed = r.current != r.code or names[r.current] != r.name
        note = f"{spec['census_date']} 普查时点" + (
            f"；年鉴中为 {r.code} {r.name}" if renamed else ""
        )
        for col, indicator in INDICATORS.items():
            rows.append(
                {
                    "region_code": r.current,
                    "region_name": names[r.current],
                    "year": year,
                    "indicator": indicator,
                    "value": int(getattr(r, col)),
                    "unit": "人",
                    "basis": spec["basis"],
                    "flag": "published",
                    "source_title": spec["source_title"],
                    "source_url": spec["source_url"],
                    "note": note,
                    "licence": meta["licence"],
                    "boundary": meta["boundary"],
                }
            )
    return pd.DataFrame(rows)


def convert(raw_dir: Path = RAW_DIR, resolver: Resolver | None = None) -> pd.DataFrame:
    """Every census file named in the meta file, as official-series rows, sorted."""
    resolver = resolver or default_resolver()
    meta = load_meta(raw_dir / META.name)
    parts = []
    for spec in meta["censuses"]:
        raw = pd.read_csv(raw_dir / spec["file"], dtype=str, keep_default_na=False)
        parts.append(convert_one(raw, spec, meta, resolver))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["year", "region_code", "indicator"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        fresh = convert()
    except CensusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = fresh.to_csv(index=False, lineterminator="\n")
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("census_county.csv is up to date" if same else "census_county.csv is out of date")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(fresh)} values to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
