"""The county census loader: both censuses carried into the official series with source, licence,
basis and boundary on every value; every 2010 row resolved through the crosswalk; a row that does
not resolve or counties that do not add up stop the loader with a message naming the rows, and
nothing is written."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from data.reference import census
from data.reference.official import census_counties, headline, load_official_series
from data.store.bootstrap import init_store
from data.store.observations import read_official
from geo.regions import load_registry

SPECS = {spec["year"]: spec for spec in census.load_meta()["censuses"]}
RAW = {
    year: pd.read_csv(census.RAW_DIR / spec["file"], dtype=str, keep_default_na=False)
    for year, spec in SPECS.items()
}
# what SOURCE.md lists: 2010 codes and names that are not today's
RENAMED_2010 = {
    "610125": "610118",  # 户县 → 鄠邑区
    "610126": "610117",  # 高陵县 → 高陵区
    "610521": "610503",  # 华县 → 华州区
    "610427": "610482",  # 彬县 → 彬州市
    "610623": "610681",  # 子长县 → 子长市
    "610624": "610603",  # 安塞县 → 安塞区
    "610626": "610626",  # 吴旗县 → 吴起县 (same code)
    "610721": "610703",  # 南郑县 → 南郑区
    "610821": "610881",  # 神木县 → 神木市
    "610823": "610803",  # 横山县 → 横山区
}


@pytest.fixture(scope="module")
def rows():
    return census.convert()


@pytest.mark.parametrize("year", [2010, 2020])
def test_107_counties_that_add_up_to_the_province(rows, year):
    part = rows[rows.year == year]
    counties = set(load_registry().query("level == 'county'").code)
    cols = SPECS[year]["columns"]
    province = RAW[year][RAW[year][cols["code"]] == "610000"].iloc[0]
    for ind, column in (("resident_pop", "total"), ("urban_resident_pop", "urban")):
        values = part[part.indicator == ind]
        assert len(values) == 107 and set(values.region_code) == counties
        assert values.value.sum() == int(province[cols[column]]), (year, ind)
    rate = (
        part[part.indicator == "urban_resident_pop"].value.sum()
        / part[part.indicator == "resident_pop"].value.sum()
    )
    assert round(100 * rate, 2) == {2010: 45.70, 2020: 62.66}[year]


def test_every_2010_code_resolves_and_renamed_rows_name_the_yearbook(rows):
    old = rows[(rows.year == 2010) & (rows.indicator == "resident_pop")]
    raw = RAW[2010]
    for code, current in RENAMED_2010.items():
        name = raw.loc[raw["区划代码"] == code, "地区"].iloc[0]
        hit = old[old.region_code == current]
        assert len(hit) == 1, code
        assert hit.note.iloc[0].endswith(f"年鉴中为 {code} {name}")
        assert hit.value.iloc[0] == int(raw.loc[raw["区划代码"] == code, "合计"].iloc[0])
    assert old.region_code.is_unique


def test_every_value_carries_source_licence_basis_and_boundary(rows):
    assert (rows.unit == "人").all() and (rows.flag == "published").all()
    assert (rows.boundary == "admin").all()
    assert rows.licence.str.contains("MIT License, Copyright \\(c\\) 2022 Lei Dong").all()
    assert set(zip(rows.year, rows.basis, strict=True)) == {
        (2010, "census2010"),
        (2020, "census2020"),
    }
    assert rows.source_title.str.contains("普查年鉴，行政区划口径").all()
    assert rows.source_url.str.startswith("github.com/leiii/census").all()


def test_the_committed_file_is_the_conversion_of_the_yearbook_extracts(capsys):
    assert census.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.fixture
def raw_copy(tmp_path, monkeypatch):
    """A copy of the census folder to break, and an output path that must stay unwritten."""
    folder = tmp_path / "census"
    shutil.copytree(census.RAW_DIR, folder)
    out = tmp_path / "census_county.csv"
    monkeypatch.setattr(census, "RAW_DIR", folder)
    monkeypatch.setattr(census, "OUT", out)
    monkeypatch.setattr(census.convert, "__defaults__", (folder, None))
    return folder, out


def _edit(folder, year, fn):
    spec = next(s for s in census.load_meta()["censuses"] if s["year"] == year)
    path = folder / spec["file"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame).to_csv(path, index=False)


def test_a_row_that_does_not_resolve_stops_the_loader_and_writes_nothing(raw_copy, capsys):
    folder, out = raw_copy

    def unknown(frame):
        frame.loc[frame["地区"] == "宜君县", ["区划代码", "地区"]] = ["610299", "宜君新区"]
        return frame

    _edit(folder, 2010, unknown)
    assert census.main([]) == 2
    assert capsys.readouterr().err == (
        "error: census 2010: 1 row(s) do not resolve to a current county: "
        "610299 宜君新区 (unknown region code 610299)\n"
    )
    assert not out.exists()


def test_a_code_and_name_that_disagree_stop_the_loader(raw_copy, capsys):
    folder, out = raw_copy

    def swapped(frame):
        frame.loc[frame["区县"] == "宜君县", "区县"] = "耀州区"
        return frame

    _edit(folder, 2020, swapped)
    assert census.main([]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: census 2020: 1 row(s) do not resolve to a current county: "
        "610222 耀州区 (code gives 宜君县, name gives 耀州区)\n"
    )
    assert not out.exists()


def test_counties_that_do_not_add_up_stop_the_loader(raw_copy, capsys):
    folder, out = raw_copy

    def more(frame):
        frame.loc[frame["区县"] == "宜君县", "城镇人口"] = str(
            int(frame.loc[frame["区县"] == "宜君县", "城镇人口"].iloc[0]) + 1
        )
        return frame

    _edit(folder, 2020, more)
    assert census.main([]) == 2
    assert capsys.readouterr().err == (
        "error: census 2020: the counties' urban_resident_pop add up to 24,769,731, "
        "the province row says 24,769,730\n"
    )
    assert not out.exists()


def test_init_loads_the_census_beside_the_headline_series(engine):
    counts = init_store(engine)
    stored = read_official(engine)
    assert counts["official_values"] == len(stored) == len(load_official_series())
    county = census_counties(stored)
    assert len(county) == 428 and (county.licence != "").all()
    assert county.groupby(["year", "indicator"]).value.sum().to_dict() == {
        (2010, "resident_pop"): 37_327_379,
        (2010, "urban_resident_pop"): 17_059_337,
        (2020, "resident_pop"): 39_528_999,
        (2020, "urban_resident_pop"): 24_769_730,
    }
    # the city bulletins stay apart: 西安市 2020 on the management boundary
    xian = headline(stored).query("region_code == '610100' and year == 2020")
    assert set(xian.boundary) == {"management"}
    assert xian.query("indicator == 'resident_pop'").value.iloc[0] == pytest.approx(1295.2907)
