"""Spatial clusters (analytics.clusters): the contiguity weights, a planted cluster found, a
random pattern not called clustered, missing counties left out, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import clusters
from analytics.maps import boundary_layers
from cli.main import main
from geo.regions import load_registry


@pytest.fixture(scope="module")
def layer():
    return boundary_layers()["county"]


@pytest.fixture(scope="module")
def codes(layer):
    return [f["id"] for f in layer["features"]]


def test_queen_weights_join_every_county_to_its_real_neighbours(layer):
    w = clusters.county_weights(layer)
    names = load_registry().set_index("code").name
    assert w.n == 107 and not w.islands
    assert min(w.cardinalities.values()) >= 1
    # 杨凌示范区 is 杨陵区: its neighbours across 咸阳, 宝鸡 and 西安
    assert {names[c] for c in w.neighbors["610403"]} == {"武功县", "扶风县", "眉县", "周至县"}
    # a county in several parts (长安区: three) is one unit with the neighbours of all its parts
    assert {"610113", "610122", "610118", "610923", "611026"} <= set(w.neighbors["610116"])
    assert clusters.county_weights(layer) is w  # built once per layer


def _city(codes, prefix):
    return [c for c in codes if c.startswith(prefix)]


def test_a_planted_cluster_is_found_high_high(layer, codes):
    """Noise everywhere, plus 3 standard deviations on the counties of 西安 and 咸阳: the global
    statistic is significant and their inner counties come out as a high-high cluster."""
    rng = np.random.default_rng(7)
    values = pd.Series(rng.normal(size=len(codes)), index=codes)
    planted = _city(codes, "6101") + _city(codes, "6104")
    values[planted] += 3
    result = clusters.lisa(values, layer)
    assert result.moran_i > 0.3 and result.p_value <= 0.01
    by = result.counties.set_index("code").cluster
    found = set(by[by == "hh"].index)
    assert len(found & set(planted)) >= 0.6 * len(planted)
    assert not found - set(planted) - {"610403", "610202", "610204", "610222"}  # spill-over only
    assert not (set(by[by == "ll"].index) & set(planted))


def test_random_patterns_are_not_called_clustered(layer, codes):
    """Twenty random patterns: the global test rejects at 5% about once (never more than 3)."""
    rejected = 0
    for seed in range(20):
        values = pd.Series(np.random.default_rng(seed).normal(size=len(codes)), index=codes)
        rejected += clusters.lisa(values, layer, permutations=499).p_value <= 0.05
    assert rejected <= 3


def test_same_seed_same_answer_and_missing_counties_left_out(layer, codes):
    values = pd.Series(np.random.default_rng(3).normal(size=len(codes)), index=codes)
    values.iloc[:5] = np.nan
    a = clusters.lisa(values, layer)
    b = clusters.lisa(values, layer)
    assert a.p_value == b.p_value and a.counties.equals(b.counties)
    by = a.counties.set_index("code")
    assert list(by.cluster[codes[:5]]) == ["missing"] * 5
    assert by.p_value[codes[5:]].notna().all()
    assert a.expected_i == pytest.approx(-1 / (len(codes) - 5 - 1))


def test_too_few_counties_is_refused(layer, codes):
    values = pd.Series(np.nan, index=codes)
    values.iloc[:7] = 1.0
    with pytest.raises(ValueError, match="^clusters need values for at least 8 counties, not 7$"):
        clusters.lisa(values, layer)


def test_naive_baseline_agrees_with_esda(layer, codes):
    """The benchmark's plain loop computes the same local test: p-values agree closely."""
    w = clusters.county_weights(layer)
    values = pd.Series(np.random.default_rng(5).normal(size=len(codes)), index=codes)
    values[_city(codes, "6108")] += 2
    ours = clusters.lisa(values, layer, permutations=999).counties.set_index("code").p_value
    order = w.id_order
    neighbours = [[order.index(n) for n in w.neighbors[c]] for c in order]
    naive = clusters.naive_local_moran(values[order].to_numpy(), neighbours, 999, 1)
    assert np.corrcoef(ours[order], naive)[0, 1] > 0.9


def test_cli_clusters(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = CliRunner().invoke(main, ["clusters", "--indicator", "census_rate_change", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data["counties"]) == 107 and 0 < data["p_value"] <= 1
    assert {c["cluster"] for c in data["counties"]} <= {"hh", "ll", "hl", "lh", "ns"}
    text = CliRunner().invoke(main, ["clusters", "--indicator", "settled_cum_per_10k"])
    assert text.exit_code == 0 and text.output.startswith("Moran's I = ")
    bad = CliRunner().invoke(main, ["clusters", "--indicator", "bogus"])
    assert bad.exit_code == 1
    assert "unknown county indicator 'bogus'; choose one of settled_cumulative" in bad.output
