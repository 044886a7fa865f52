import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from analytics import maps
from analytics.render import choropleth
from analytics.render.playback import playback
from geo import boundaries
from geo.regions import load_registry


@pytest.fixture(scope="module")
def simplified():
    return boundaries.simplify_counties()


def test_layers_match_the_registry(tmp_path):
    layers = boundaries.load_layers(cache_dir=tmp_path)
    reg = load_registry()
    counties = [f["id"] for f in layers["county"]["features"]]
    cities = [f["id"] for f in layers["city"]["features"]]
    assert len(counties) == 107 and sorted(counties) == sorted(reg[reg.level == "county"].code)
    # ten cities plus 杨凌示范区 (drawn with 杨陵区)
    assert len(cities) == 11 and set(cities) == set(reg[reg.level == "city"].code) | {"610403"}
    assert "610305" in counties and "610322" not in counties  # ministry code, package geometry


def test_coverage_valid_after_simplification(simplified):
    codes, geoms = simplified
    assert shapely.coverage_is_valid(geoms)
    _, raw = boundaries.read_raw("county")
    assert shapely.get_num_coordinates(geoms).sum() < 0.2 * shapely.get_num_coordinates(raw).sum()
    # plain simplify breaks the coverage: the reason coverage_simplify is used
    assert not shapely.coverage_is_valid(shapely.simplify(raw, boundaries.TOLERANCE))


def test_rounded_layer_leaves_no_visible_gaps_or_overlaps(tmp_path):
    layer = boundaries.load_layers(cache_dir=tmp_path)["county"]
    geoms = np.array([shape(f["geometry"]) for f in layer["features"]], dtype=object)
    overlap = shapely.area(geoms).sum() - shapely.area(shapely.union_all(geoms))
    assert abs(overlap) < 1e-4  # square degrees: well under a pixel at province scale


def test_every_county_inside_its_city(simplified):
    codes, geoms = simplified
    reg = load_registry().set_index("code")
    city_codes, city_raw = boundaries.read_raw("city")
    cities = dict(zip(city_codes, city_raw, strict=True))
    for code, geom in zip(codes, geoms, strict=True):
        city = cities[reg.at[code, "parent_code"]]
        assert city.buffer(0.02).contains(geom.representative_point()), code


def test_layers_are_cached_on_disk(tmp_path, monkeypatch):
    first = boundaries.load_layers(cache_dir=tmp_path)
    assert len(list(tmp_path.glob("boundaries_cnmaps-*.json"))) == 1
    monkeypatch.setattr(boundaries, "build_layers", lambda *a, **k: pytest.fail("rebuilt"))
    assert boundaries.load_layers(cache_dir=tmp_path) == json.loads(json.dumps(first))


def test_classify():
    values = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    index, bins = maps.classify(values, "quantiles", k=5)
    assert bins[-1] == 10 and len(bins) == 5
    assert index.isna().tolist()[-1] and index.iloc[0] == 0 and index.iloc[9] == 4
    eq_index, eq_bins = maps.classify(values, "equal_interval", k=3)
    assert eq_bins == pytest.approx([4.0, 7.0, 10.0])
    assert maps.classify(pd.Series([5.0, 5.0]), "natural_breaks")[1] == [5.0]
    with pytest.raises(ValueError, match="classification must be one of"):
        maps.classify(values, "jenks")


def _obs():
    rows = []
    for q, v in (("2014Q1", 10), ("2014Q2", 20), ("2014Q3", 30)):
        for code in ("610202", "610203"):
            rows += [
                (code, "settled_rural", q, v, True),
                (code, "settled_other", q, 1, True),
                (code, "resident_pop", q, 1000, True),
                (code, "urban_resident_pop", q, 600, True),
            ]
    return pd.DataFrame(rows, columns=["region_code", "indicator", "period", "value", "is_demo"])


def test_map_values_cumulative_and_missing():
    reg = load_registry()
    county = maps.map_values(_obs(), reg, "county", "settled_cumulative", "2014Q2", city="610200")
    by = county.set_index("code")
    assert by.at["610202", "value"] == pytest.approx((11 + 21) / 1e4)
    assert by.at["610202", "previous"] == pytest.approx(11 / 1e4)
    assert np.isnan(by.at["610204", "value"])  # no return: grey 未上报 on the map
    city = maps.map_values(_obs(), reg, "city", "urbanization_rate", "2014Q3")
    assert len(city) == 11 and city.set_index("code").at["610200", "value"] == pytest.approx(60.0)
    per10k = maps.map_values(_obs(), reg, "county", "settled_per_10k", "2014Q3", city="610200")
    assert per10k.set_index("code").at["610203", "value"] == pytest.approx(310.0)


def test_choropleth_traces_and_legend(tmp_path):
    layers = boundaries.load_layers(cache_dir=tmp_path)
    frame = maps.map_values(_obs(), load_registry(), "county", "settled_total", "2014Q3")
    fig = choropleth.choropleth(frame, layers["county"], "settled_total", borders=layers["city"])
    names = [t.name for t in fig.data]
    assert "未上报" in names and "地市边界" in names
    # a class is its range; the unit stands once, as the legend's title
    classes = [t.name for t in fig.data if t.type == "choroplethmap" and "–" in (t.name or "")]
    assert classes and all(re.fullmatch(r"[\d,.]+ – [\d,.]+", n) for n in classes), classes
    assert fig.layout.legend.title.text == "人"
    drawn = [c for t in fig.data if t.type == "choroplethmap" for c in t.locations]
    assert sorted(drawn) == sorted(frame.code)  # every county in exactly one trace
    style = fig.layout.map.style  # blank: no tiles; glyphs from the app itself, no names here
    # no names drawn, but the names' source is there, empty: a style without any source does
    # not survive a redraw in the browser (MapLibre's "Map error.")
    assert style["sources"] == {
        "names": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    }
    assert [layer["id"] for layer in style["layers"]] == ["white-bg"]
    assert style["glyphs"].startswith("app/static/glyphs/")
    assert [layer["type"] for layer in style["layers"]] == ["background"]


def test_playback_keeps_the_map_and_its_classes_across_quarters(tmp_path):
    """The playing map: one region trace recoloured frame by frame (the style is never sent
    again, so the browser keeps drawing over the last quarter), the classes of the quarter
    shown kept for every quarter, with the end classes stretched to what is played, and a
    region with no figure in the grey class."""
    layers = boundaries.load_layers(cache_dir=tmp_path)
    codes = [f["id"] for f in layers["city"]["features"]]
    rng = np.random.default_rng(3)

    def quarter(level: float, missing: tuple[str, ...] = ()) -> pd.DataFrame:
        value = pd.Series(level + rng.uniform(0, 10, len(codes)))
        value[[c in missing for c in codes]] = np.nan
        return pd.DataFrame(
            {"code": codes, "name": codes, "value": value, "previous": value - 1.0,
             "rank": value.rank(ascending=False)}
        )  # fmt: skip

    frames = {"2015Q1": quarter(0), "2015Q2": quarter(20, ("610200",)), "2015Q3": quarter(40)}
    played = ["2015Q1", "2015Q2", "2015Q3"]
    fig = playback(frames, "2015Q2", played, layers["city"], "urbanization_rate")
    assert [f.name for f in fig.frames] == played
    assert fig.layout.updatemenus[0].buttons[0].args[0] == tuple(played)
    region = fig.data[0]
    assert list(region.locations) == codes and region.showlegend is False
    _, bins = maps.classify(frames["2015Q2"].value, "quantiles")
    k = len(bins)
    by_frame = {f.name: list(f.data[0].z) for f in fig.frames}
    assert by_frame["2015Q1"] == [0] * len(codes)  # all below 2015Q2's first bound
    assert by_frame["2015Q3"] == [k - 1] * len(codes)  # all above its last
    assert by_frame["2015Q2"][codes.index("610200")] == k  # no figure: the grey class
    assert list(region.z) == by_frame["2015Q2"]  # drawn first: the quarter shown
    # the colour scale: k classes of the palette, then grey, each a step of its own
    assert region.colorscale[-1][1] == choropleth.NO_DATA and (region.zmin, region.zmax) == (
        -0.5,
        k + 0.5,
    )
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend[-1] == "未上报" and len(legend) == k + 1
    low = min(f.value.min() for f in frames.values())
    high = max(f.value.max() for f in frames.values())
    assert legend[0].startswith(f"{low:,.2f} – ") and legend[-2].endswith(f" – {high:,.2f}")
    assert all(f.traces == (0,) and list(f.layout.to_plotly_json()) == ["annotations"]
               for f in fig.frames)  # fmt: skip
    assert [f.layout.annotations[0].text for f in fig.frames] == list(played)
    # while playing, hovering names the region only (its figures are the quarter picked's)
    assert fig.frames[0].data[0].hovertemplate == "<b>%{customdata[0]}</b><extra></extra>"
    assert fig.data[0].customdata[0][0] == codes[0]  # the name, first in the hover's data


def test_city_names_written_inside_their_regions(tmp_path):
    """The label layer names every region at a point inside it; regions draw below the names."""
    from shapely.geometry import Point, shape

    layers = boundaries.load_layers(cache_dir=tmp_path)
    frame = maps.map_values(_obs(), load_registry(), "city", "urbanization_rate", "2014Q3")
    fig = choropleth.choropleth(frame, layers["city"], "urbanization_rate", labels=True)
    style = fig.layout.map.style
    assert style["layers"][-1]["id"] == choropleth.NAMES_LAYER
    points = style["sources"]["names"]["data"]["features"]
    at = {p["properties"]["name"]: Point(p["geometry"]["coordinates"]) for p in points}
    assert sorted(at) == sorted(frame.name)
    shapes = {f["id"]: shape(f["geometry"]) for f in layers["city"]["features"]}
    for code, name in zip(frame.code, frame.name, strict=True):
        assert shapes[code].contains(at[name]), name
    # the largest region is placed first when names compete for room
    assert points[0]["properties"]["name"] == "榆林市"
    assert {t.below for t in fig.data if t.type == "choroplethmap"} == {choropleth.NAMES_LAYER}
    # the glyph file the layer asks for is in the app's static folder
    glyph = style["glyphs"].replace("app/static/", "static/")
    path = glyph.format(fontstack=choropleth.LABEL_FONT, range="0-255")
    assert (Path(__file__).parents[2] / path).stat().st_size > 10_000


def test_optional_tile_basemap(tmp_path):
    layers = boundaries.load_layers(cache_dir=tmp_path)
    frame = maps.map_values(_obs(), load_registry(), "city", "urbanization_rate", "2014Q3")
    plain = choropleth.choropleth(frame, layers["city"], "urbanization_rate")
    assert not plain.layout.map.layers  # default: nothing to fetch
    url = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    tiled = choropleth.choropleth(frame, layers["city"], "urbanization_rate", tiles=url)
    assert tiled.layout.map.layers[0].source == (url,)


def test_target_share_against_allocations():
    alloc = pd.DataFrame(
        {"region_code": ["610200"], "value": [100.0], "baseline_period": ["2014Q2"]}
    )
    frame = maps.map_values(
        _obs(), load_registry(), "city", "target_share", "2014Q3", allocations=alloc
    ).set_index("code")
    # 铜川市 settled (21 + 21) + (31 + 31) from 2014Q2 = 104 of an allocation of 100
    assert frame.at["610200", "value"] == pytest.approx(104.0)
    assert frame.value.notna().sum() == 1


def test_printed_map_keeps_legend_and_names_off_each_other(tmp_path):
    """The PDF/PNG map: the legend sits under the regions, never over them, and the names
    written on it do not overlap (a name with no free room is left out)."""
    from analytics.render.map_export import draw_map, use_cjk_fonts

    use_cjk_fonts()
    import matplotlib.pyplot as plt

    layers = boundaries.load_layers(cache_dir=tmp_path)
    frame = maps.map_values(_obs(), load_registry(), "city", "urbanization_rate", "2014Q3")
    fig = plt.figure(figsize=(8.27, 11.69))
    ax = fig.add_axes([0.03, 0.17, 0.45, 0.44])
    draw_map(ax, frame, layers["city"], "urbanization_rate", legend_size=6, names=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    regions = [p.get_window_extent(renderer) for p in ax.patches]
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y1 <= min(r.y0 for r in regions) + 0.5
    names = [t.get_window_extent(renderer) for t in ax.texts]
    assert 8 <= len(names) <= len(frame)
    assert not any(a.overlaps(b) for i, a in enumerate(names) for b in names[i + 1 :])
    written = {t.get_text() for t in ax.texts}
    assert {"西安市", "咸阳市", "宝鸡市", "榆林市"} <= written
    plt.close(fig)
