"""``--as-of`` takes a year (2016 = end of 2016 = 2016Q4) wherever it takes a quarter, and
says which quarter it used."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analytics import scenarios
from cli.main import main
from data.reference.periods import PeriodError, as_of_quarter


@pytest.mark.parametrize(
    "value,quarter",
    [("2016", "2016Q4"), ("2016年", "2016Q4"), ("2016Q2", "2016Q2"), ("2016年第二季度", "2016Q2")],
)
def test_as_of_quarter(value, quarter):
    assert as_of_quarter(value) == quarter


def test_as_of_quarter_refuses_what_is_no_period():
    with pytest.raises(PeriodError, match="unparseable period 'someday'"):
        as_of_quarter("someday")


def test_project_as_of_a_year(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    by_year = CliRunner().invoke(main, ["project", "--as-of", "2017", "--json"])
    assert by_year.exit_code == 0, by_year.output
    assert by_year.stderr.strip() == "urbdash: --as-of 2017 taken as 2017Q4 (the end of 2017)"
    by_quarter = CliRunner().invoke(main, ["project", "--as-of", "2017Q4", "--json"])
    assert by_quarter.stderr == ""
    assert json.loads(by_year.stdout) == json.loads(by_quarter.stdout)
    assert {r["as_of"] for r in json.loads(by_year.stdout)} == {"2017Q4"}


def test_tasks_as_of_a_year(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    by_year = CliRunner().invoke(main, ["tasks", "--as-of", "2016", "--json"])
    assert by_year.exit_code == 0, by_year.output
    assert "taken as 2016Q4" in by_year.stderr
    by_date = CliRunner().invoke(main, ["tasks", "--as-of", "2016-12-31", "--json"])
    assert json.loads(by_year.stdout) == json.loads(by_date.stdout)


def test_scenario_as_of_a_year():
    assert scenarios.ScenarioParams.from_dict({"as_of": "2017"}).as_of == "2017Q4"
    with pytest.raises(scenarios.ScenarioError, match="from_period must be a quarter"):
        scenarios.ScenarioParams.from_dict({"from_period": "2018"})
