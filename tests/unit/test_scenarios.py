import json

import pytest
from click.testing import CliRunner

from analytics import scenarios
from cli.main import main
from data.store.observations import read_observations, read_official
from data.store.scenarios import read_scenarios
from geo.regions import load_registry
from tests.fixtures.actors import planner


@pytest.fixture(scope="module")
def inputs(demo_store):
    eng = demo_store["engine"]
    return read_observations(eng), read_official(eng), load_registry()


def run(inputs, **kw):
    return scenarios.run(scenarios.ScenarioParams(as_of="2017Q4", **kw), *inputs)


def test_city_multipliers_of_one_reproduce_the_baseline_exactly(inputs):
    base = run(inputs)
    ones = run(inputs, city_multipliers={c: 1.0 for c in ("610100", "610200", "610403")})
    assert ones["settled"]["scenario_path"] == base["settled"]["baseline_path"]
    assert ones["settled"]["scenario_probability"] == base["settled"]["baseline_probability"]


def test_levers_move_the_results_the_right_way(inputs):
    base = run(inputs)["settled"]["baseline_probability"]
    assert run(inputs, multiplier=1.3)["settled"]["scenario_probability"] > base
    assert run(inputs, multiplier=0.5)["settled"]["scenario_probability"] <= base
    surge = run(inputs, surge_per_quarter=200_000, surge_quarters=4)["settled"]
    assert surge["scenario_median"] == pytest.approx(surge["baseline_median"] + 800_000, rel=1e-6)
    migration = run(inputs, net_migration=300_000)["urbanization"]
    assert migration["scenario_value"] > migration["baseline_value"]
    assert migration["scenario_probability"] > migration["baseline_probability"]
    later = run(inputs, multiplier=2.0, from_period="2020Q1")["settled"]
    assert (
        later["scenario_probability"]
        < run(inputs, multiplier=2.0)["settled"]["scenario_probability"]
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"multipler": 2}, "unknown scenario keys: multipler"),
        ({"multiplier": -1}, "the multiplier cannot be negative: -1"),
        ({"city_multipliers": {"610100": -0.5}}, "city multipliers cannot be negative"),
        ({"surge_quarters": -2}, "a surge cannot be negative"),
        ({"from_period": "2017"}, "from_period must be a quarter, not '2017'"),
    ],
)
def test_bad_scenarios(data, message):
    with pytest.raises(scenarios.ScenarioError, match=message):
        scenarios.ScenarioParams.from_dict(data)


def test_save_list_and_cli(demo_copy, tmp_path, monkeypatch):
    new_id = scenarios.save(
        scenarios.ScenarioParams(name="西安加速", multiplier=1.2),
        planner("规划处"),
        demo_copy["engine"],
    )
    saved = read_scenarios(demo_copy["engine"])
    row = saved.set_index("id").loc[new_id]
    assert (row["name"], row["author"], row["params"]["multiplier"]) == ("西安加速", "规划处", 1.2)
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_copy["url"])
    good = tmp_path / "s.json"
    good.write_text(
        json.dumps({"name": "x", "as_of": "2017Q4", "multiplier": 1.5}), encoding="utf-8"
    )
    out = CliRunner().invoke(main, ["scenario", str(good), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["settled"]["scenario_probability"] > data["settled"]["baseline_probability"]
    bad = tmp_path / "b.json"
    bad.write_text('{"multipler": 2}', encoding="utf-8")
    res = CliRunner().invoke(main, ["scenario", str(bad)])
    assert res.exit_code == 1 and "unknown scenario keys: multipler" in res.stderr
    broken = tmp_path / "c.json"
    broken.write_text("{", encoding="utf-8")
    res = CliRunner().invoke(main, ["scenario", str(broken)])
    assert res.exit_code == 1 and "is not valid JSON" in res.stderr


def test_the_rate_baseline_is_the_projection_pages_model_across_the_break(inputs):
    """As of 2024Q4 the census-2020 figures for 2020-2023 are public: the what-if's rate
    baseline is the projection page's model (one trend across the break, forecast on the newer
    basis), never the 2010-census basis extrapolated past the break. (The published targets
    end in 2020, so the path is short; what is checked is whose trend it is.)"""
    from analytics.urbanization_forecast import fit_across_break, province_rates

    _, official, _ = inputs
    rate = scenarios.run(scenarios.ScenarioParams(as_of="2024Q4"), *inputs)["urbanization"]
    known = province_rates(official, "2024Q4")
    fit = fit_across_break(known)
    assert fit.basis == "census2020" and fit.older > 0
    path = {p["year"]: p for p in rate["baseline_path"]}
    assert min(path) == int(known.year.max()) + 1
    for year, point in path.items():
        assert point["value"] == pytest.approx(float(fit.predict([year]).value.iloc[0]))
